#pragma once

#include <atomic>
#include <string>
#include <thread>

#include <caf/error.hpp>

namespace caf {
class actor_system;
} // namespace caf

namespace relc {

class node;

/// The admin control channel: a Unix stream socket (mode 0600) on which each
/// connection sends one request line and gets a reply: `ok` or
/// `error: <why>` on the first line, then the payload, then EOF. Requests
/// longer than 4 KiB or not in the command list get an error, never a crash.
/// Commands: ping, pid, status, versions, apps, registered,
/// env_get APP KEY, env_set APP KEY VALUE, start_app APP, stop_app APP,
/// tree APP, timeline, restart (in this process), reboot (the process exits
/// for heart or the start script to start it again), stop.
class control_server {
public:
  control_server(node& n, caf::actor_system& sys, std::string socket_path,
                 std::string versions);
  ~control_server();

  /// Binds and listens (replacing a stale socket file) and starts serving.
  [[nodiscard]] caf::error start();

  /// Stops serving and removes the socket file.
  void stop();

  /// Handles one request line; the reply text (exposed for tests).
  std::string handle(const std::string& request);

  /// True once `reboot` was asked: the host exits without disarming heart.
  bool reboot_requested() const { return reboot_; }

private:
  void serve();

  node& node_;
  caf::actor_system& sys_;
  std::string path_;
  std::string versions_;
  int fd_ = -1;
  std::atomic<bool> done_{false};
  std::atomic<bool> reboot_{false};
  std::thread thread_;
};

/// Sends one request to the control socket at `path` and returns the reply
/// (or an error when the node cannot be reached).
[[nodiscard]] caf::error control_request(const std::string& path,
                                         const std::string& request,
                                         std::string& reply);

} // namespace relc
