#include "control_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>

#include "relc/runtime/log.hpp"
#include "relc/runtime/runtime_error.hpp"

namespace relc {

namespace {

using clock_type = std::chrono::steady_clock;

constexpr size_t max_request = 4096;
constexpr size_t max_connections = 256;
constexpr auto idle_limit = std::chrono::seconds(10); // no request line yet
constexpr auto drain_limit = std::chrono::seconds(2); // after the reply

caf::error sock_error(const std::string& what, const std::string& path) {
  return make_error(runtime_errc::not_found,
                    what + " " + path + ": " + strerror(errno));
}

// The address of the socket file at `path`. A path too long for sun_path
// (a release root deeper than ~90 characters) is reached through its
// directory instead, `/proc/self/fd/<dir fd>/<name>`: the socket file stays
// where everyone looks for it, and its length never stops a boot.
class unix_address {
public:
  explicit unix_address(const std::string& path) {
    memset(&addr_, 0, sizeof addr_);
    addr_.sun_family = AF_UNIX;
    auto target = path;
    if (path.size() >= sizeof addr_.sun_path) {
      auto slash = path.rfind('/');
      auto dir = slash == std::string::npos ? std::string{"."}
                                            : path.substr(0, slash);
      dir_fd_ = open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (dir_fd_ < 0)
        return;
      target = "/proc/self/fd/" + std::to_string(dir_fd_) + "/"
               + path.substr(slash + 1);
      if (target.size() >= sizeof addr_.sun_path)
        return;
    }
    memcpy(addr_.sun_path, target.c_str(), target.size() + 1);
    ok_ = true;
  }
  ~unix_address() {
    if (dir_fd_ >= 0)
      close(dir_fd_);
  }
  unix_address(const unix_address&) = delete;
  unix_address& operator=(const unix_address&) = delete;
  bool ok() const { return ok_; }
  sockaddr* get() { return reinterpret_cast<sockaddr*>(&addr_); }
  socklen_t size() const { return sizeof addr_; }

private:
  sockaddr_un addr_;
  int dir_fd_ = -1;
  bool ok_ = false;
};

enum class conn_state { reading, waiting, writing, draining, kept };

struct connection {
  int fd = -1;
  conn_state state = conn_state::reading;
  std::string in;
  std::string out;
  size_t written = 0;
  bool keep_open = false;
  bool final = true; // what `out` ends with is the reply, not progress
  clock_type::time_point since = clock_type::now();
};

// Writes what is left of a reply with a short bound, on the way out.
void flush_blocking(int fd, const std::string& text) {
  auto flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  timeval tv{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  size_t done = 0;
  while (done < text.size()) {
    auto n = send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    done += static_cast<size_t>(n);
  }
}

} // namespace

// -- control_outbox -----------------------------------------------------------

control_outbox::control_outbox() {
  if (pipe2(fds_, O_CLOEXEC | O_NONBLOCK) != 0)
    fds_[0] = fds_[1] = -1;
}

control_outbox::~control_outbox() {
  for (int fd : fds_)
    if (fd >= 0)
      ::close(fd);
}

void control_outbox::post(control_reply reply) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (closed_)
      return;
    replies_.push_back(std::move(reply));
  }
  char c = 'r';
  (void) !write(fds_[1], &c, 1); // a full pipe already wakes the loop
}

std::vector<control_reply> control_outbox::take() {
  char buf[64];
  while (read(fds_[0], buf, sizeof buf) > 0) {
    // drain the wake-ups
  }
  std::lock_guard<std::mutex> guard{mtx_};
  auto result = std::move(replies_);
  replies_.clear();
  return result;
}

void control_outbox::close() {
  std::lock_guard<std::mutex> guard{mtx_};
  closed_ = true;
}

// -- control_server -------------------------------------------------------------

control_server::control_server(std::string socket_path, dispatch_fn dispatch)
  : path_(std::move(socket_path)),
    dispatch_(std::move(dispatch)),
    outbox_(std::make_shared<control_outbox>()) {
}

control_server::~control_server() {
  stop();
}

caf::error control_server::start() {
  unix_address addr{path_};
  if (!addr.ok())
    return sock_error("cannot reach the directory of", path_);
  fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0)
    return sock_error("cannot create socket", path_);
  // A socket file nobody answers on is a leftover of a killed node.
  std::string ignored;
  if (access(path_.c_str(), F_OK) == 0) {
    if (!control_request(path_, "ping", ignored))
      return make_error(runtime_errc::name_taken,
                        "a node already answers on " + path_);
    unlink(path_.c_str());
  }
  auto old_mask = umask(0177); // the socket is created 0600
  auto rc = bind(fd_, addr.get(), addr.size());
  umask(old_mask);
  if (rc != 0)
    return sock_error("cannot bind", path_);
  // Only the socket file this server made is its to remove.
  struct stat st {};
  if (stat(path_.c_str(), &st) == 0)
    bound_inode_ = st.st_ino;
  chmod(path_.c_str(), 0600);
  if (listen(fd_, 64) != 0)
    return sock_error("cannot listen on", path_);
  if (pipe2(quit_, O_CLOEXEC | O_NONBLOCK) != 0)
    return sock_error("cannot create a pipe for", path_);
  thread_ = std::thread{[this] { serve(); }};
  return {};
}

void control_server::stop() {
  if (thread_.joinable()) {
    char c = 'q';
    (void) !write(quit_[1], &c, 1);
    thread_.join();
  }
  outbox_->close();
  for (int& fd : quit_)
    if (fd >= 0) {
      close(fd);
      fd = -1;
    }
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
  // A node that failed before binding (another answers there) leaves the
  // file alone; so does one whose file a successor has replaced.
  struct stat st {};
  if (bound_inode_ != 0 && stat(path_.c_str(), &st) == 0
      && st.st_ino == bound_inode_)
    unlink(path_.c_str());
  bound_inode_ = 0;
}

uint64_t control_server::adopt(int fd) {
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  adopted_.push_back(fd);
  return adopted_.size();
}

void control_server::serve() {
  std::map<uint64_t, connection> conns;
  uint64_t next_id = 1;
  for (int fd : adopted_) {
    connection c;
    c.fd = fd;
    c.state = conn_state::waiting;
    conns.emplace(next_id++, std::move(c));
  }
  auto finish_read = [&](uint64_t id, connection& c, std::string line) {
    c.state = conn_state::waiting;
    dispatch_(id, std::move(line));
  };
  auto reply_now = [&](connection& c, std::string text, bool final = true) {
    if (c.state == conn_state::writing) { // after progress still unwritten
      c.out.erase(0, c.written);
      c.out += text;
    } else {
      c.out = std::move(text);
    }
    c.written = 0;
    c.final = final;
    c.state = conn_state::writing;
  };
  auto take_replies = [&] {
    auto replies = outbox_->take();
    // A reply comes after the reports of what it answers (stop_app: the
    // app's "stopped" line): the log writer may still hold them. Bounded,
    // so a stderr nobody reads slows the admin channel but never stops it.
    if (!replies.empty())
      flush_log_blocking(std::chrono::milliseconds{50});
    for (auto& r : replies) {
      auto i = conns.find(r.connection);
      if (i == conns.end())
        continue;
      if (r.handover) {
        // Progress still unwritten goes first: the next program writes
        // the reply on a connection whose lines are whole.
        if (i->second.state == conn_state::writing)
          flush_blocking(i->second.fd, i->second.out.substr(i->second.written));
        fcntl(i->second.fd, F_SETFD, 0);
        handed_fd_ = i->second.fd;
        conns.erase(i);
        continue;
      }
      auto& c = i->second;
      bool answering = c.state == conn_state::waiting
                       || (c.state == conn_state::writing && !c.final);
      if (r.partial && !answering)
        continue; // progress after the reply, or for a dropped request
      c.keep_open = r.keep_open;
      reply_now(c, std::move(r.text), !r.partial);
    }
  };
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<uint64_t> ids;
    fds.push_back({quit_[0], POLLIN, 0});
    fds.push_back({outbox_->wake_fd(), POLLIN, 0});
    fds.push_back({fd_, POLLIN, 0});
    for (auto& [id, c] : conns) {
      short events = 0;
      if (c.state == conn_state::reading || c.state == conn_state::draining)
        events = POLLIN;
      else if (c.state == conn_state::writing)
        events = POLLOUT;
      else
        continue;
      fds.push_back({c.fd, events, 0});
      ids.push_back(id);
    }
    if (poll(fds.data(), fds.size(), 500) < 0 && errno != EINTR)
      return;
    if (fds[0].revents != 0) {
      // Replies already posted (the one to `stop` above all) are written
      // before the loop ends; connections kept open stay open until the
      // process exits.
      take_replies();
      for (auto& [id, c] : conns)
        if (c.state == conn_state::writing)
          flush_blocking(c.fd, c.out.substr(c.written));
      return;
    }
    if (fds[1].revents != 0)
      take_replies();
    if (fds[2].revents != 0)
      for (;;) {
        auto client = accept4(fd_, nullptr, nullptr,
                              SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (client < 0)
          break;
        connection c;
        c.fd = client;
        if (conns.size() >= max_connections)
          reply_now(c, "error: too many admin connections\n");
        conns.emplace(next_id++, std::move(c));
      }
    auto now = clock_type::now();
    for (size_t k = 3; k < fds.size(); ++k) {
      auto i = conns.find(ids[k - 3]);
      if (i == conns.end())
        continue;
      auto id = i->first;
      auto& c = i->second;
      if (fds[k].revents == 0)
        continue;
      if (c.state == conn_state::reading) {
        char buf[1024];
        auto n = recv(c.fd, buf, sizeof buf, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
          continue;
        if (n <= 0) { // EOF: a last line without a newline still counts
          if (c.in.empty()) {
            close(c.fd);
            conns.erase(i);
          } else {
            finish_read(id, c, std::move(c.in));
          }
          continue;
        }
        c.in.append(buf, static_cast<size_t>(n));
        if (auto nl = c.in.find('\n'); nl != std::string::npos) {
          c.in.resize(nl);
          finish_read(id, c, std::move(c.in));
        } else if (c.in.size() > max_request) {
          reply_now(c, "error: request longer than "
                         + std::to_string(max_request) + " bytes\n");
        }
      } else if (c.state == conn_state::writing) {
        auto n = send(c.fd, c.out.data() + c.written, c.out.size() - c.written,
                      MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
          continue;
        if (n < 0) {
          close(c.fd);
          conns.erase(i);
          continue;
        }
        c.written += static_cast<size_t>(n);
        if (c.written < c.out.size())
          continue;
        if (!c.final) {
          c.state = conn_state::waiting; // for more progress, or the reply
        } else if (c.keep_open) {
          c.state = conn_state::kept;
        } else {
          // Closing with unread input would reset the connection and lose
          // the reply: say we are done, then drain until the client closes.
          shutdown(c.fd, SHUT_WR);
          c.state = conn_state::draining;
          c.since = now;
        }
      } else if (c.state == conn_state::draining) {
        char buf[1024];
        auto n = recv(c.fd, buf, sizeof buf, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
          continue;
        if (n <= 0) {
          close(c.fd);
          conns.erase(i);
        }
      }
    }
    // Bounds: a client that sends no line, or never closes, goes.
    for (auto i = conns.begin(); i != conns.end();) {
      auto& c = i->second;
      bool expired
        = (c.state == conn_state::reading && now - c.since > idle_limit)
          || (c.state == conn_state::draining && now - c.since > drain_limit);
      if (expired) {
        close(c.fd);
        i = conns.erase(i);
      } else {
        ++i;
      }
    }
  }
}

// -- the client -------------------------------------------------------------

namespace {

void write_all(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    auto n = ::send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    done += static_cast<size_t>(n);
  }
}

// `ok\nstopping within N ms\n`: how long the node may take to be gone.
std::chrono::milliseconds stop_bound(const std::string& reply) {
  auto at = reply.find("within ");
  if (at == std::string::npos)
    return std::chrono::milliseconds{0};
  return std::chrono::milliseconds{atoll(reply.c_str() + at + 7)};
}

} // namespace

caf::error control_request(
  const std::string& path, const std::string& request, std::string& reply,
  std::chrono::milliseconds timeout,
  const std::function<void(const std::string&)>& progress) {
  unix_address addr{path};
  if (!addr.ok())
    return sock_error("node not running (cannot reach", path + ")");
  auto fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return sock_error("cannot create socket for", path);
  if (connect(fd, addr.get(), addr.size()) != 0) {
    auto err = sock_error("node not running (cannot connect to", path + ")");
    close(fd);
    return err;
  }
  write_all(fd, request + "\n");
  reply.clear();
  auto deadline = clock_type::now() + timeout;
  bool stopping = false;
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - clock_type::now());
    pollfd p{fd, POLLIN, 0};
    auto rc = left.count() > 0 ? poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (rc < 0 && errno == EINTR)
      continue;
    if (rc <= 0) {
      close(fd);
      if (reply.empty())
        return make_error(runtime_errc::not_found,
                          "node at " + path + " did not answer within "
                            + std::to_string(timeout.count()) + " ms");
      if (stopping)
        return make_error(runtime_errc::not_found,
                          "node at " + path + " did not stop within "
                            + std::to_string(stop_bound(reply).count())
                            + " ms");
      return make_error(runtime_errc::not_found,
                        "node at " + path + " sent an incomplete reply");
    }
    auto n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    reply.append(buf, static_cast<size_t>(n));
    // Progress lines come first, each a sign of life.
    for (size_t nl; reply.rfind(progress_prefix, 0) == 0
                    && (nl = reply.find('\n')) != std::string::npos;) {
      auto line = reply.substr(3, nl - 3);
      reply.erase(0, nl + 1);
      deadline = clock_type::now() + timeout;
      if (progress && !line.empty())
        progress(line);
    }
    if (!stopping && reply.rfind("ok\nstopping within ", 0) == 0
        && reply.find('\n', 3) != std::string::npos) {
      // The node closes this connection by exiting: wait that long.
      stopping = true;
      deadline = clock_type::now() + stop_bound(reply)
                 + std::chrono::seconds(5);
    }
  }
  close(fd);
  return {};
}

} // namespace relc
