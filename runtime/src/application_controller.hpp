#pragma once

// The application controller (OTP's application_controller, a gen_server
// there, an actor here; private to the runtime). It owns the table of
// apps of the running release and makes every lifecycle decision; app
// exits, admin and host requests all reach it as messages. App code runs
// on masters (app_master.hpp), so the controller never blocks and can
// always stop the node. What the boot does with start failures and exits
// is its policy's (boot_policy.hpp). Requests: controller_protocol.hpp.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <caf/actor.hpp>

#include "loaded_release.hpp"
#include "relc/runtime/node.hpp"

namespace caf {
class actor_system;
} // namespace caf

namespace relc {

/// How a node ended, for the thread that hosts it (thread-safe).
class node_outcome {
public:
  /// The first call wins. `reason` is empty for a stop asked for.
  void end(std::string reason, int abandoned);

  /// Blocks until end() was called; returns its reason.
  std::string wait();

  bool ended() const;

  /// How many callbacks (or trees) were abandoned at a deadline: threads
  /// that may still run app code, so the host must not join them.
  int abandoned() const;

private:
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  bool ended_ = false;
  std::string reason_;
  int abandoned_ = 0;
};

struct controller_config {
  node_options options;
  /// The release, loaded before the controller exists.
  std::shared_ptr<loaded_release> release;
  std::shared_ptr<node_outcome> outcome;
  /// Where the node's time starts (timeline, event times).
  std::chrono::steady_clock::time_point t0;
  /// When loading began (for the "started in" line).
  std::chrono::steady_clock::time_point load_began;
  /// Steps taken while loading (before the controller existed).
  std::vector<timeline_entry> load_steps;
  /// Event subscribers known before the boot.
  std::vector<caf::actor> subscribers;
};

/// Spawns the controller (hidden). It boots on (c_boot).
caf::actor spawn_application_controller(caf::actor_system& sys,
                                        controller_config cfg);

} // namespace relc
