#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "relc/runtime/term.hpp"

namespace caf {
class actor_system;
} // namespace caf

namespace relc {

namespace reg_atoms {
using put = caf::atom_constant<caf::atom("reg_put")>;
using erase = caf::atom_constant<caf::atom("reg_erase")>;
using get = caf::atom_constant<caf::atom("reg_get")>;
using await = caf::atom_constant<caf::atom("reg_await")>;
using names = caf::atom_constant<caf::atom("reg_names")>;
using expire = caf::atom_constant<caf::atom("reg_expire")>;
using value = caf::atom_constant<caf::atom("reg_value")>;
using nb_wait = caf::atom_constant<caf::atom("reg_nbwait")>;
using registered = caf::atom_constant<caf::atom("reg_regd")>;
using cancel = caf::atom_constant<caf::atom("reg_cancel")>;
using waiters = caf::atom_constant<caf::atom("reg_waitrs")>;
using move = caf::atom_constant<caf::atom("reg_move")>;
} // namespace reg_atoms

/// The name registry's protocol, checked by the compiler (gproc-style;
/// CAF's own registry has 10-character atom names, no await and keeps dead
/// actors). Names are strings; a name is removed when its actor dies.
/// - (reg_put, name, actor) -> ok, or runtime_errc::name_taken
/// - (reg_put, name, actor, term value) -> ok: registers with a value
///   (gproc's value), which (reg_value, name) -> term returns (null when
///   the name has none or is unregistered)
/// - (reg_erase, name) -> ok (any name; idempotent)
/// - (reg_get, name) -> actor (null when unregistered)
/// - (reg_await, name, int64_t timeout_ms) -> actor as soon as registered,
///   or runtime_errc::await_timeout; an awaiting actor that dies is dropped
///   from the waiters without touching the name
/// - (reg_nbwait, name) -> ok, from an actor, without blocking it: the
///   registry sends it (reg_regd, name, actor) once the name is registered
///   (at once when it is), a single time; a waiter that dies is dropped
/// - (reg_cancel, name) -> ok: drops the caller's nb waits on `name`;
///   nothing is delivered for them after this reply
/// - (reg_waitrs) -> int64_t: the waits pending (await and nb_wait)
/// - (reg_names) -> std::vector<std::string>, sorted
/// - (reg_move, actor from, actor to) -> int64_t: every name of `from`
///   (with its value) now names `to`; how many (a release upgrade's
///   `update` hands an actor's names to its next version)
/// - (reg_expire, ...) is the registry's own timer message, not a request.
using registry_actor = caf::typed_actor<
  caf::replies_to<reg_atoms::put, std::string, caf::actor>::with<caf::ok_atom>,
  caf::replies_to<reg_atoms::put, std::string, caf::actor, term>::with<
    caf::ok_atom>,
  caf::replies_to<reg_atoms::erase, std::string>::with<caf::ok_atom>,
  caf::replies_to<reg_atoms::get, std::string>::with<caf::actor>,
  caf::replies_to<reg_atoms::value, std::string>::with<term>,
  caf::replies_to<reg_atoms::await, std::string, int64_t>::with<caf::actor>,
  caf::replies_to<reg_atoms::nb_wait, std::string>::with<caf::ok_atom>,
  caf::replies_to<reg_atoms::cancel, std::string>::with<caf::ok_atom>,
  caf::replies_to<reg_atoms::waiters>::with<int64_t>,
  caf::replies_to<reg_atoms::names>::with<std::vector<std::string>>,
  caf::replies_to<reg_atoms::move, caf::actor, caf::actor>::with<int64_t>,
  caf::reacts_to<reg_atoms::expire, std::string, uint64_t, int64_t>>;

/// Where spawn_registry puts the registry in CAF's own registry
/// (`sys.registry().get(relc::registry_key)`): the registry that names in
/// child specs (child_spec::name) are registered in.
constexpr caf::atom_value registry_key = caf::atom("relc_reg");

/// Spawns the name registry and makes it the actor system's (registry_key).
registry_actor spawn_registry(caf::actor_system& sys);

/// Blocking helpers for threads where blocking is safe (app callbacks,
/// child start functions, host threads). Inside an actor (on a CAF
/// scheduler thread) they return runtime_errc::would_block at once: send
/// the request to the registry there (or name a child in its child_spec).
/// A deadline that passes (10 s; await_names: `timeout`) is an error that
/// names the request.
[[nodiscard]] caf::error register_name(caf::actor_system& sys,
                                       const registry_actor& registry,
                                       const std::string& name,
                                       const caf::actor& who);

[[nodiscard]] caf::expected<caf::actor>
whereis(caf::actor_system& sys, const registry_actor& registry,
        const std::string& name);

/// Waits until every name is registered or `timeout` passed (one deadline
/// for all); returns the actors in the order of `names`.
[[nodiscard]] caf::expected<std::vector<caf::actor>>
await_names(caf::actor_system& sys, const registry_actor& registry,
            const std::vector<std::string>& names,
            std::chrono::milliseconds timeout);

} // namespace relc
