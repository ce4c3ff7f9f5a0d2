#pragma once

// State handoff for release upgrades (appup `update`; docs/cpp-api.md,
// "Upgradable actors"). An actor type that can be updated in place wraps
// its behavior with relc::updatable(). In an upgrade the node then
//
//   1. asks the running actor for its state (`give`): it answers and from
//      then on holds every other message in its mailbox;
//   2. converts the state with the module's RELC_CODE_CHANGE function;
//   3. has the actor's supervisor spawn the new version (same child id);
//      its updatable() takes the converted state as the actor initialises,
//      before it can see any message;
//   4. moves the actor's registered names to the new actor and tells the
//      old one to `forward`: the held messages, and whatever reaches it
//      later, go to the new actor, which answers the callers' requests.
//
// The old actor lives on as a forwarder until the new one ends; so callers
// that kept its handle still reach the current version.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <caf/atom.hpp>
#include <caf/behavior.hpp>
#include <caf/error.hpp>
#include <caf/fwd.hpp>

#include "relc/runtime/term.hpp"

namespace relc {

namespace handoff_atoms {
/// -> term: the actor's state; the actor then holds other messages.
using give = caf::atom_constant<caf::atom("ho_give")>;
/// -> ok: the actor can hand its state over (asked before an upgrade
/// changes anything).
using probe = caf::atom_constant<caf::atom("ho_probe")>;
/// (actor): the held actor forwards every message to that one from now on.
using forward = caf::atom_constant<caf::atom("ho_fwd")>;
} // namespace handoff_atoms

/// How an actor type hands its state over and takes it back.
struct handoff {
  /// The state as a term (called on the actor's own thread).
  std::function<term()> give;
  /// Replaces the state with `state` (already converted); an error refuses
  /// it and the upgrade fails before anything else changed.
  std::function<caf::error(const term& state)> take;
};

/// `b` plus the handoff protocol above, for an actor of type (module)
/// `module`. Call it from the actor's init: if an upgrade is handing a
/// state to the next actor of `module`, this one takes it here (h.take),
/// before its first message. The forwarding is relc's code, not the app
/// library's.
caf::behavior updatable(caf::event_based_actor* self,
                        const std::string& module, caf::behavior b,
                        handoff h);

/// The runtime's side of step 3 (used by the release handler): offers
/// `state` to the next actor of `module` that calls updatable(); the result
/// says whether it took it. Blocks up to `timeout`.
class handoff_offer {
public:
  handoff_offer(const std::string& module, term state);
  ~handoff_offer(); ///< withdraws the offer if nobody took it

  handoff_offer(const handoff_offer&) = delete;
  handoff_offer& operator=(const handoff_offer&) = delete;

  /// Blocks until an actor took the state (its take's result) or the
  /// timeout passed (runtime_errc::timeout).
  caf::error wait_taken(std::chrono::milliseconds timeout);

  struct slot;

private:
  std::string module_;
  std::shared_ptr<slot> slot_;
};

} // namespace relc
