#pragma once

// The admin commands (docs/operations.md): each request line from the control socket
// becomes requests to the application controller, answered
// asynchronously; the reply goes back through the control server's
// outbox. Nothing here blocks a scheduler thread (the tree is rendered by
// a detached helper).

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <caf/actor.hpp>

#include "control_server.hpp"
#include "runtime_exec.hpp"

namespace caf {
class actor_system;
} // namespace caf

namespace relc {

class node;

struct admin_config {
  /// The node whose controller answers (controller() is null until boot).
  node* target = nullptr;
  /// The release handler's: where the release lives, and its name.
  std::string release_root;
  std::string release_name;
  std::shared_ptr<control_outbox> outbox;
  /// `stop` (false) or `reboot` (true) was asked: the host stops the node.
  std::function<void(bool reboot)> on_stop;
  /// What `reboot` says about who starts the node again.
  std::function<bool()> heart_active;
  std::chrono::milliseconds shutdown_time{30000};
  /// The host's exec into another runtime (release_commands.hpp); the
  /// admin fills in the connection that asked.
  std::function<caf::error(runtime_exec)> exec_runtime;
  /// The net kernel of a distributed node (null otherwise): `nodes`.
  caf::actor net_kernel;
};

/// Spawns the admin actor (hidden). Message: (uint64_t connection,
/// std::string line); the reply is posted to the outbox.
caf::actor spawn_admin(caf::actor_system& sys, admin_config cfg);

/// The command list `help` prints.
const char* admin_help();

} // namespace relc
