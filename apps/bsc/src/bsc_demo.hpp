#pragma once

#include <caf/error.hpp>
#include <relc/runtime/application.hpp>

namespace bsc {

/// With env `demo: true`, the oper phase drives the tree the way the book's
/// shell session does: two phones connect (frequencies allocated), one hangs
/// up (freed), the frequency server is killed and bsc_sup restarts it.
caf::error run_demo(relc::app_context& ctx);

} // namespace bsc
