#include "heart.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>

extern char** environ;

namespace relc {

namespace {

using clock_type = std::chrono::steady_clock;

long env_number(const char* name, long fallback) {
  auto v = getenv(name);
  if (!v || !*v)
    return fallback;
  char* end = nullptr;
  auto x = strtol(v, &end, 10);
  return (end && *end == '\0' && x >= 0) ? x : fallback;
}

void say(const std::string& text) {
  fprintf(stderr, "heart: %s\n", text.c_str());
  fflush(stderr);
}

// Spawns the node with the write end of a fresh pipe in RELC_HEART_FD;
// returns its pid and the read end.
pid_t spawn_node(const std::vector<std::string>& command,
                 const std::string& heart_command, int& read_fd) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return -1;
  auto pid = fork();
  if (pid == 0) {
    auto fd = dup(fds[1]); // without O_CLOEXEC: the node inherits it
    setenv("RELC_HEART_FD", std::to_string(fd).c_str(), 1);
    if (!heart_command.empty()) {
      execl("/bin/sh", "sh", "-c", heart_command.c_str(), static_cast<char*>(nullptr));
    } else {
      std::vector<char*> argv;
      for (auto& a : command)
        argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
    }
    _exit(127);
  }
  close(fds[1]);
  read_fd = fds[0];
  return pid;
}

std::atomic<int> beat_fd{-1};

void send_byte(char c) {
  auto fd = beat_fd.load();
  if (fd >= 0)
    (void) !write(fd, &c, 1);
}

// Sends the node's last word to heart ('S' stop, 'X' reboot); no beat
// follows it.
void stop_beating(char last) {
  auto fd = beat_fd.exchange(-1);
  if (fd < 0)
    return;
  (void) !write(fd, &last, 1);
}

} // namespace

int run_heart(const std::vector<std::string>& command) {
  if (command.empty()) {
    fprintf(stderr, "relc: error: usage: relc heart [--] COMMAND [ARGS...]\n");
    return 2;
  }
  auto beat_timeout = std::chrono::seconds(env_number("HEART_BEAT_TIMEOUT", 60));
  auto boot_timeout = std::chrono::seconds(env_number("HEART_BOOT_TIMEOUT", 0));
  auto max_restarts = env_number("HEART_MAX_RESTARTS", 5);
  auto period = std::chrono::seconds(env_number("HEART_RESTART_PERIOD", 60));
  std::string heart_command;
  std::deque<clock_type::time_point> restarts;
  signal(SIGPIPE, SIG_IGN);
  bool first = true;
  while (true) {
    int fd = -1;
    auto pid = spawn_node(command, first ? std::string{} : heart_command, fd);
    first = false;
    if (auto hc = getenv("HEART_COMMAND"); hc && *hc)
      heart_command = hc;
    if (pid < 0) {
      say("cannot start the node");
      return 1;
    }
    say("watching node " + std::to_string(pid));
    auto started_at = clock_type::now();
    auto last_beat = started_at;
    bool started = boot_timeout.count() == 0;
    bool disarmed = false;
    bool rebooting = false;
    std::string why;
    while (why.empty()) {
      pollfd p{fd, POLLIN, 0};
      auto rc = poll(&p, 1, 100);
      auto now = clock_type::now();
      if (rc > 0) {
        char buf[64];
        auto n = read(fd, buf, sizeof buf);
        if (n <= 0) {
          why = disarmed    ? ""
                : rebooting ? "node rebooted"
                            : "node exited without a clean stop";
          if (disarmed)
            break;
          continue;
        }
        for (ssize_t i = 0; i < n; ++i) {
          if (buf[i] == 'S')
            disarmed = true;
          else if (buf[i] == 'R')
            started = true;
          else if (buf[i] == 'X')
            rebooting = true;
        }
        last_beat = now;
        continue;
      }
      if (disarmed || rebooting)
        continue; // wait for the EOF of the exit
      if (now - last_beat > beat_timeout)
        why = "no heartbeat for "
              + std::to_string(beat_timeout.count()) + " s";
      else if (!started && now - started_at > boot_timeout)
        why = "boot did not reach started within "
              + std::to_string(boot_timeout.count()) + " s";
    }
    close(fd);
    if (disarmed && why.empty()) {
      int status = 0;
      waitpid(pid, &status, 0);
      say("node stopped cleanly; heart exits");
      return 0;
    }
    // The node is dead or hung: make sure it is gone, then restart it.
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    if (rebooting) { // asked for: not a failure, not counted
      say("node rebooted; starting it again");
      continue;
    }
    auto now = clock_type::now();
    restarts.push_back(now);
    while (!restarts.empty() && now - restarts.front() > period)
      restarts.pop_front();
    if (static_cast<long>(restarts.size()) > max_restarts) {
      say(why + "; giving up after " + std::to_string(max_restarts)
          + " restarts within " + std::to_string(period.count()) + " s");
      return 1;
    }
    say(why + "; restarting the node");
  }
}

bool heart_client_start() {
  auto v = getenv("RELC_HEART_FD");
  if (!v || !*v)
    return false;
  beat_fd = atoi(v);
  fcntl(beat_fd.load(), F_SETFD, FD_CLOEXEC);
  unsetenv("RELC_HEART_FD");
  return true;
}

std::chrono::milliseconds heart_beat_interval() {
  auto timeout_ms = env_number("HEART_BEAT_TIMEOUT", 60) * 1000;
  return std::chrono::milliseconds(
    std::max(10L, std::min(1000L, timeout_ms / 4)));
}

void heart_client_beat() {
  send_byte('B');
}

bool heart_client_active() {
  return beat_fd.load() >= 0;
}

void heart_client_started() {
  send_byte('R');
}

void heart_client_reboot() {
  stop_beating('X');
}

void heart_client_stop() {
  stop_beating('S');
}

void heart_client_keep_across_exec() {
  auto fd = beat_fd.load();
  if (fd < 0)
    return;
  fcntl(fd, F_SETFD, 0);
  setenv("RELC_HEART_FD", std::to_string(fd).c_str(), 1);
}

} // namespace relc
