#pragma once

// The net kernel (OTP's net_kernel): one actor per distributed node that
// knows the other nodes. It is published on the node's listen address; a
// peer connects through CAF's middleman (plain or TLS), says hello with its
// name, and both kernels monitor each other: a connection lost is a
// node_down. At boot the host asks it to sync with the nodes of
// sync_nodes_mandatory and sync_nodes_optional. Messages: dist_protocol.hpp.
// Node up/down go to the log and, once the host names the application
// controller (dist_atoms::controller), to the node's event stream.
// Nothing here blocks: connects are requests to the middleman's actor.

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/io/middleman_actor.hpp>

#include "dist_settings.hpp"

namespace relc {

caf::actor spawn_net_kernel(caf::actor_system& sys, dist_settings settings,
                            caf::io::middleman_actor middleman);

} // namespace relc
