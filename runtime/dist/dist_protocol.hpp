#pragma once

// The net kernel's messages: from the host and the admin (sync, nodes), and
// between the kernels of two nodes (hello). Only strings and integers cross
// the wire, so no type needs registering on either side.

#include <caf/atom.hpp>

namespace relc::dist_atoms {

/// Peer to peer: (hello, name, listen address) -> name | error.
using hello = caf::atom_constant<caf::atom("d_hello")>;
/// Host: (sync) -> std::string: empty, or why a mandatory node is missing.
using sync = caf::atom_constant<caf::atom("d_sync")>;
/// Admin: (nodes) -> std::string: one line per node, `NAME STATE ADDRESS`.
using nodes = caf::atom_constant<caf::atom("d_nodes")>;
/// Host: (listening, port) the port the kernel was published on.
using listening = caf::atom_constant<caf::atom("d_listen")>;
/// Host: (controller, actor) the application controller runs: node events
/// go to it from now on.
using controller = caf::atom_constant<caf::atom("d_ctl")>;
/// Internal: (retry) the sync's next round of connects.
using retry = caf::atom_constant<caf::atom("d_retry")>;
/// Internal: (sync_deadline) the sync's timeout passed.
using sync_deadline = caf::atom_constant<caf::atom("d_syncdl")>;

} // namespace relc::dist_atoms
