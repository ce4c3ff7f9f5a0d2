#pragma once

#include <relc/runtime/application.hpp>

namespace bsc {

/// Starts the call traffic (traffic.cpp), adopted by the app.
void start_traffic(relc::app_context& ctx);

} // namespace bsc
