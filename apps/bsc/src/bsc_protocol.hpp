#pragma once

// Messages of the bsc actors. Atoms live in their own namespace so that
// `using namespace caf` never makes them ambiguous.

#include <caf/atom.hpp>

namespace bsc {

using allocate_atom = caf::atom_constant<caf::atom("allocate")>;
using deallocate_atom = caf::atom_constant<caf::atom("deallocate")>;
using allocated_atom = caf::atom_constant<caf::atom("allocated")>;
using alarm_atom = caf::atom_constant<caf::atom("alarm")>;
using clear_atom = caf::atom_constant<caf::atom("clear")>;
using count_atom = caf::atom_constant<caf::atom("count")>;
using connect_atom = caf::atom_constant<caf::atom("connect")>;
using hangup_atom = caf::atom_constant<caf::atom("hangup")>;
using state_atom = caf::atom_constant<caf::atom("state")>;
using crash_atom = caf::atom_constant<caf::atom("crash")>;
// bsc 1.1.0: blocked frequencies (the book's upgrade example).
using block_atom = caf::atom_constant<caf::atom("block")>;
using blocked_atom = caf::atom_constant<caf::atom("blocked")>;

} // namespace bsc
