#include "control_server.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include <caf/all.hpp>

#include "heart.hpp"
#include "relc/runtime/node.hpp"
#include "supervision_tree.hpp"
#include "relc/runtime/registry.hpp"
#include "relc/runtime/runtime_error.hpp"

namespace relc {

namespace {

constexpr size_t max_request = 4096;

caf::error sock_error(const std::string& what, const std::string& path) {
  return make_error(runtime_errc::not_found,
                    what + " " + path + ": " + strerror(errno));
}

bool fill_address(const std::string& path, sockaddr_un& addr) {
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    return false;
  memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return true;
}

std::vector<std::string> words(const std::string& line) {
  std::istringstream in{line};
  std::vector<std::string> result;
  std::string w;
  while (in >> w)
    result.push_back(w);
  return result;
}

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

} // namespace

control_server::control_server(node& n, caf::actor_system& sys,
                               std::string socket_path, std::string versions)
  : node_(n),
    sys_(sys),
    path_(std::move(socket_path)),
    versions_(std::move(versions)) {
}

control_server::~control_server() {
  stop();
}

caf::error control_server::start() {
  sockaddr_un addr;
  if (!fill_address(path_, addr))
    return make_error(runtime_errc::not_found,
                      "control socket path too long (max "
                        + std::to_string(sizeof addr.sun_path - 1)
                        + " bytes): " + path_);
  fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
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
  auto rc = bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  umask(old_mask);
  if (rc != 0)
    return sock_error("cannot bind", path_);
  chmod(path_.c_str(), 0600);
  if (listen(fd_, 16) != 0)
    return sock_error("cannot listen on", path_);
  thread_ = std::thread{[this] { serve(); }};
  return {};
}

void control_server::stop() {
  done_ = true;
  if (thread_.joinable())
    thread_.join();
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
    unlink(path_.c_str());
  }
}

void control_server::serve() {
  while (!done_) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 10) <= 0) // how soon the loop sees done_
      continue;
    auto client = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0)
      continue;
    // One line, bounded in size and time: a silent or flooding client
    // cannot stall the node's admin channel for long.
    std::string request;
    char buf[512];
    bool complete = false;
    while (request.size() <= max_request) {
      pollfd c{client, POLLIN, 0};
      if (poll(&c, 1, 2000) <= 0)
        break;
      auto n = recv(client, buf, sizeof buf, 0);
      if (n <= 0)
        break;
      request.append(buf, static_cast<size_t>(n));
      if (auto nl = request.find('\n'); nl != std::string::npos) {
        request.resize(nl);
        complete = true;
        break;
      }
    }
    std::string reply;
    if (request.size() > max_request)
      reply = "error: request longer than " + std::to_string(max_request)
              + " bytes\n";
    else if (!complete && request.empty())
      reply = "error: empty request\n";
    else
      reply = handle(request);
    write_all(client, reply);
    bool stopping = (request == "stop" || request == "reboot")
                    && reply.rfind("ok", 0) == 0;
    if (stopping) {
      // Keep the connection until the node is gone: `stop` returns then.
      reboot_ = request == "reboot";
      node_.request_stop();
      done_ = true;
      // The fd closes when the process exits.
      (void) client;
      return;
    }
    close(client);
  }
}

std::string control_server::handle(const std::string& request) {
  for (char c : request)
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\r')
      return "error: request contains control characters\n";
  auto w = words(request);
  if (w.empty())
    return "error: empty request\n";
  auto& cmd = w[0];
  auto arity = [&](size_t n) { return w.size() == n + 1; };
  if (cmd == "ping" && arity(0))
    return "ok\npong\n";
  if (cmd == "pid" && arity(0))
    return "ok\n" + std::to_string(getpid()) + "\n";
  if (cmd == "versions" && arity(0))
    return "ok\n" + versions_ + "\n";
  if (cmd == "status" && arity(0)) {
    auto st = node_.status();
    return std::string{"ok\n"} + to_string(st.state) + "\n" + st.last_step
           + "\n" + (st.note.empty() ? "" : st.note + "\n");
  }
  if (cmd == "timeline" && arity(0)) {
    std::string out = "ok\n";
    char at[32];
    for (auto& e : node_.timeline()) {
      snprintf(at, sizeof at, "+%.3f ms ",
               static_cast<double>(e.at.count()) / 1000.0);
      out += at + e.step + "\n";
    }
    return out;
  }
  if (cmd == "tree" && arity(1)) {
    auto top = node_.application_top(w[1]);
    if (!top)
      return "error: no running application " + w[1] + " with a supervisor\n";
    return "ok\n" + render_supervision_tree(sys_, top, w[1]);
  }
  if (cmd == "restart" && arity(0)) {
    // Answers once the node is started again; if the new boot fails, the
    // process exits and the caller sees the connection close unanswered.
    auto before = node_.status().boots;
    node_.request_restart();
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      auto st = node_.status();
      if (st.boots > before && st.state == node_state::started)
        return "ok\n" + (st.note.empty() ? "" : st.note + "\n");
      if (done_)
        return "error: the node stopped\n";
    }
  }
  if (cmd == "apps" && arity(0)) {
    std::string out = "ok\n";
    for (auto& a : node_.which_applications())
      out += a.name + " " + a.vsn + " " + a.type + "\n";
    return out;
  }
  if (cmd == "registered" && arity(0)) {
    std::vector<std::string> names;
    caf::scoped_actor self{sys_, true};
    std::string failure;
    self->request(node_.registry(), std::chrono::seconds(5),
                  reg_atoms::names::value)
      .receive([&](std::vector<std::string>& xs) { names = xs; },
               [&](caf::error& e) { failure = describe_error(e); });
    if (!failure.empty())
      return "error: " + failure + "\n";
    std::string out = "ok\n";
    for (auto& n : names)
      out += n + "\n";
    return out;
  }
  if (cmd == "env_get" && arity(2))
    return "ok\n" + node_.get_env(w[1], w[2]).to_string() + "\n";
  if (cmd == "env_set" && w.size() >= 4) {
    // The value is the rest of the line, typed like YAML (42 is a number).
    auto pos = request.find(w[2], request.find(w[1]) + w[1].size());
    auto text = request.substr(pos + w[2].size());
    text.erase(0, text.find_first_not_of(" \t"));
    auto parsed = parse_yaml_term(text, "env_set");
    if (!parsed.ok)
      return "error: " + parsed.error + "\n";
    if (auto err = node_.set_env(w[1], w[2], parsed.value))
      return "error: " + describe_error(err) + "\n";
    return "ok\n";
  }
  if (cmd == "start_app" && arity(1)) {
    if (auto err = node_.start_application(w[1]))
      return "error: " + describe_error(err) + "\n";
    return "ok\n";
  }
  if (cmd == "stop_app" && arity(1)) {
    if (auto err = node_.stop_application(w[1]))
      return "error: " + describe_error(err) + "\n";
    return "ok\n";
  }
  if (cmd == "stop" && arity(0))
    return "ok\n";
  if (cmd == "reboot" && arity(0))
    return std::string{"ok\n"}
           + (heart_client_active() ? "heart restarts the node\n"
                                    : "no heart: the caller starts the node\n");
  return "error: unknown command or wrong arguments: '" + request.substr(0, 80)
         + "' (commands: ping, pid, status, versions, apps, registered, "
           "env_get APP KEY, env_set APP KEY VALUE, start_app APP, "
           "stop_app APP, tree APP, timeline, restart, reboot, stop)\n";
}

caf::error control_request(const std::string& path, const std::string& request,
                           std::string& reply) {
  sockaddr_un addr;
  if (!fill_address(path, addr))
    return make_error(runtime_errc::not_found, "socket path too long: " + path);
  auto fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return sock_error("cannot create socket for", path);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    auto err = sock_error("node not running (cannot connect to", path + ")");
    close(fd);
    return err;
  }
  // A hung node must not hang its admin: give up after 5 s.
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  write_all(fd, request + "\n");
  reply.clear();
  char buf[4096];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
    reply.append(buf, static_cast<size_t>(n));
  auto timed_out = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  close(fd);
  if (timed_out && reply.empty())
    return make_error(runtime_errc::not_found,
                      "node at " + path + " did not answer within 5 s");
  return {};
}

} // namespace relc
