#pragma once

// Liveness (docs/runtime.md): the node counts as alive only when its actor system
// answers. Every interval a hidden actor asks the application controller
// for a ping; only an answer sends the heart beat and systemd's WATCHDOG=1.
// A node whose scheduler threads are all blocked sends neither, so heart
// (or systemd) restarts it.

#include <chrono>
#include <functional>

#include <caf/actor.hpp>

namespace caf {
class actor_system;
} // namespace caf

namespace relc {

/// `controller` is asked each time (it may change on a restart and is
/// null before the boot); `alive` runs after each answer.
caf::actor spawn_liveness(caf::actor_system& sys,
                          std::function<caf::actor()> controller,
                          std::chrono::milliseconds interval,
                          std::function<void()> alive);

} // namespace relc
