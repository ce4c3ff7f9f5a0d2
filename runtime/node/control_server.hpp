#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor.hpp>
#include <caf/error.hpp>

namespace relc {

/// One reply for a connection, posted by whoever answered its request.
struct control_reply {
  uint64_t connection = 0;
  std::string text;
  /// Keep the connection open after writing until the process exits (the
  /// caller of `stop` learns that the node is gone from the EOF).
  bool keep_open = false;
  /// Write nothing: the connection goes, open, to the program this process
  /// execs into (runtime_exec.hpp); handed_over_fd() names it.
  bool handover = false;
  /// A progress line (`.. TEXT`, docs/admin.md) before the reply: written,
  /// and the connection then waits for more, or for the reply.
  bool partial = false;
};

/// Where replies come back to the server's poll loop (thread-safe; may
/// outlive the server, then posts are dropped).
class control_outbox {
public:
  control_outbox();
  ~control_outbox();
  void post(control_reply reply);
  /// The read end the poll loop watches.
  int wake_fd() const { return fds_[0]; }
  std::vector<control_reply> take();
  void close();

private:
  std::mutex mtx_;
  std::vector<control_reply> replies_;
  bool closed_ = false;
  int fds_[2] = {-1, -1};
};

/// The admin control channel: a Unix stream socket (mode 0600). Each
/// connection sends one request line and gets a reply: `ok` or
/// `error: <why>` on the first line, then the payload, then EOF. One
/// poll() thread serves every connection without blocking on any: a silent
/// or slow client stalls nobody, and a reply is written in full before the
/// connection closes (unread input is drained, not reset). Each complete
/// line goes to `dispatch` (the admin actor), whose answer comes back
/// through the outbox.
class control_server {
public:
  using dispatch_fn = std::function<void(uint64_t connection, std::string line)>;

  control_server(std::string socket_path, dispatch_fn dispatch);
  ~control_server();

  /// Binds and listens (replacing a stale socket file) and starts serving.
  [[nodiscard]] caf::error start();

  /// Stops serving and removes the socket file. Connections kept open for
  /// `stop` stay open: they close when the process exits.
  void stop();

  std::shared_ptr<control_outbox> outbox() const { return outbox_; }

  /// Before start(): serves `fd`, a connection an earlier program of this
  /// process accepted, as one whose request is being answered; its id.
  uint64_t adopt(int fd);

  /// The connection a `handover` reply took out (open, not closed on
  /// exec), or -1.
  int handed_over_fd() const { return handed_fd_.load(); }

  const std::string& path() const { return path_; }

private:
  void serve();

  std::string path_;
  dispatch_fn dispatch_;
  std::shared_ptr<control_outbox> outbox_;
  int fd_ = -1;
  unsigned long bound_inode_ = 0; // the socket file this server bound
  int quit_[2] = {-1, -1};
  std::vector<int> adopted_;
  std::atomic<int> handed_fd_{-1};
  std::thread thread_;
};

/// Sends one request to the control socket at `path` and returns the reply
/// (or an error when the node cannot be reached or does not answer within
/// `timeout`). For `stop` and `reboot` it then waits for the node to close
/// the connection, which it does by exiting, within the bound the reply
/// names. Progress lines before the reply (`.. TEXT`, sent to a request
/// that begins with `--progress`) go to `progress` without the `.. `, and
/// each one starts `timeout` again: a long command that keeps saying where
/// it is never times out, one that goes silent does.
[[nodiscard]] caf::error control_request(
  const std::string& path, const std::string& request, std::string& reply,
  std::chrono::milliseconds timeout = std::chrono::seconds(5),
  const std::function<void(const std::string&)>& progress = nullptr);

/// The prefix of a progress line, and of a request that asks for them.
constexpr const char* progress_prefix = ".. ";
constexpr const char* progress_flag = "--progress";

} // namespace relc
