#pragma once

// The net kernel's messages: from the host and the admin (sync, nodes), and
// between the kernels of two nodes (hello). Only strings and integers cross
// the wire, so no type needs registering on either side.

#include <caf/atom.hpp>

namespace relc::dist_atoms {

/// Peer to peer: (hello, name, listen address) -> name | error.
using hello = caf::atom_constant<caf::atom("d_hello")>;
/// Peer to peer, to a node that just came up: (peers, ["NAME@HOST:PORT",
/// ...]) the other nodes the sender is connected to, for it to connect to
/// as well (connect_all).
using peers = caf::atom_constant<caf::atom("d_peers")>;
/// Host: (sync) -> std::string: empty, or why a mandatory node is missing.
using sync = caf::atom_constant<caf::atom("d_sync")>;
/// Admin: (nodes) -> std::string: one line per node, `NAME STATE ADDRESS`.
using nodes = caf::atom_constant<caf::atom("d_nodes")>;
/// Host: (listening, port) the port the kernel was published on.
using listening = caf::atom_constant<caf::atom("d_listen")>;
/// Host: (controller, actor) the application controller runs: node events
/// go to it from now on.
using controller = caf::atom_constant<caf::atom("d_ctl")>;
/// Admin: (connect, "NAME@HOST:PORT") -> std::string: empty, or why not.
using connect = caf::atom_constant<caf::atom("d_connect")>;
/// Peer to peer: (global_add, name, actor, owner node) a name registered.
using global_add = caf::atom_constant<caf::atom("d_gadd")>;
/// Peer to peer: (global_del, name, owner node) a name that went.
using global_del = caf::atom_constant<caf::atom("d_gdel")>;
/// Internal: (await_deadline, name, id) an await_global ran out.
using await_deadline = caf::atom_constant<caf::atom("d_awaitdl")>;
/// Internal: (reconnect, name, int64 ms) try a listed node that went down
/// again, the next pause twice as long.
using reconnect = caf::atom_constant<caf::atom("d_reconn")>;
/// Peer to peer: (app_state, app, node, running) a distributed app started
/// or stopped on `node`.
using app_state = caf::atom_constant<caf::atom("d_appst")>;
/// Peer to peer: (release, app) the sender took `app` over: stop it here.
using release = caf::atom_constant<caf::atom("d_release")>;
/// Admin: (app_control, app, start) -> std::string: what was done, or
/// "local" when `app` is not distributed (the controller's then).
using app_control = caf::atom_constant<caf::atom("d_appctl")>;
/// Peer to peer: (app_enabled, app, enabled) a cluster-wide start or stop.
using app_enabled = caf::atom_constant<caf::atom("d_appen")>;
/// Internal: (failover, app) the failover timeout of `app` passed.
using failover = caf::atom_constant<caf::atom("d_failov")>;
/// Admin: (where, app) -> std::string: the node running it | error.
using where = caf::atom_constant<caf::atom("d_where")>;
/// Internal: (retry) the sync's next round of connects.
using retry = caf::atom_constant<caf::atom("d_retry")>;
/// Internal: (sync_deadline) the sync's timeout passed.
using sync_deadline = caf::atom_constant<caf::atom("d_syncdl")>;
/// Internal: (sync_tick) a second of the sync has passed: say who is missing.
using sync_tick = caf::atom_constant<caf::atom("d_synctk")>;

} // namespace relc::dist_atoms
