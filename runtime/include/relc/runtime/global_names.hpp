#pragma once

// Global names (docs/distribution.md): names visible on every connected
// node, held by the net kernel of a distributed node. A name goes when its
// actor or its node goes. After a partition heals, a name held on both
// sides keeps the holder whose node's name sorts first; the other holder
// gets a (global_name_conflict, name) message and is not killed.
//
// From an actor, request the kernel (net_kernel(sys)) with the atoms below;
// from app start code, the blocking helpers do that round trip.

#include <chrono>
#include <string>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>

namespace relc {

namespace global_atoms {
/// (register_name, name, actor) -> ok | error (the name is taken).
using register_name = caf::atom_constant<caf::atom("g_reg")>;
/// (whereis, name) -> actor (null: no such name).
using whereis = caf::atom_constant<caf::atom("g_where")>;
/// (await, name, int64 ms) -> actor | error (await_timeout).
using await = caf::atom_constant<caf::atom("g_await")>;
/// (names) -> std::string: one line per name, `NAME NODE`.
using names = caf::atom_constant<caf::atom("g_names")>;
} // namespace global_atoms

/// What the losing holder of a name is sent after a partition heals:
/// (global_name_conflict, name).
using global_name_conflict = caf::atom_constant<caf::atom("g_conflict")>;

/// The node's net kernel; null when the node is not distributed.
caf::actor net_kernel(caf::actor_system& sys);

/// Registers `name` for `who` across the cluster; an error when the name
/// is held on any connected node, or the node is not distributed. Blocks
/// for one round trip to the local kernel.
caf::error register_global(caf::actor_system& sys, const std::string& name,
                           const caf::actor& who);

/// The actor holding `name` on any connected node (null: none). Never
/// blocks: a read of the table the local kernel keeps (every node holds
/// the whole table), from any thread, inside an actor too.
caf::expected<caf::actor> whereis_global(caf::actor_system& sys,
                                         const std::string& name);

/// Waits until `name` is held somewhere in the cluster. Blocks.
caf::expected<caf::actor> await_global(caf::actor_system& sys,
                                       const std::string& name,
                                       std::chrono::milliseconds timeout);

/// The CAF registry key the net kernel is known by.
inline const caf::atom_value net_kernel_key = caf::atom("relc_net");

} // namespace relc
