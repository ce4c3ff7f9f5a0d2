// Distribution figures (docs/distribution.md), between two nodes' kernels
// in one process over real loopback sockets (CAF allows two actor systems
// in a process): time from a node's start to its sync with the other,
// global-name lookups, and small messages per second over TLS beside the
// same over plain TCP. Then, with three real node processes of a one-app
// release where the app is distributed over [n1, [n2, n3]]: SIGKILL of n1
// until the app has started on n2 (from the reports' timestamps), and on
// n1's return, its takeover start until n2 has stopped the app. Medians
// (min-max) of R rounds. Not a test.
// Usage: dist_bench [MESSAGES] [--runs R] [--cluster (only the N-node rows)]
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>

#include "dist_protocol.hpp"
#include "dist_service.hpp"
#include "relc/runtime/global_names.hpp"
#include "relc/runtime/log.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "synthetic_release.hpp"
#include "bench_process.hpp"

extern "C" relc::dist_service* relc_dist_make(const relc::dist_settings*);

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

struct figures {
  std::vector<double> xs;
  void add(double x) { xs.push_back(x); }
  std::string text(const char* unit) {
    if (xs.empty())
      return std::string{"- "} + unit + " (no round)";
    std::sort(xs.begin(), xs.end());
    char buf[128];
    snprintf(buf, sizeof(buf), "%.3g %s (%.3g-%.3g)", xs[xs.size() / 2], unit,
             xs.front(), xs.back());
    return buf;
  }
};

// One node: its settings, its actor system with CAF's network layer, and
// its net kernel.
struct bench_node {
  std::unique_ptr<relc::dist_service> service;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::actor kernel;

  bench_node(relc::dist_settings s) {
    service.reset(relc_dist_make(&s));
    if (auto err = service->check()) {
      fprintf(stderr, "dist_bench: %s\n", relc::describe_error(err).c_str());
      exit(1);
    }
    cfg.set("scheduler.max-threads", 2);
    service->configure(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    auto k = service->start_blocking(*sys);
    if (!k) {
      fprintf(stderr, "dist_bench: %s\n", relc::describe_error(k.error()).c_str());
      exit(1);
    }
    kernel = *k;
  }
  ~bench_node() {
    caf::anon_send_exit(kernel, caf::exit_reason::user_shutdown);
    kernel = nullptr;
    sys->await_actors_before_shutdown(false);
  }
  // The port the kernel listens on.
  uint16_t port() {
    caf::scoped_actor self{*sys, true};
    std::string text;
    self->request(kernel, 5s, relc::dist_atoms::nodes::value)
      .receive([&](std::string& t) { text = t; }, [](caf::error&) {});
    auto colon = text.find(':');
    return static_cast<uint16_t>(atoi(text.c_str() + colon + 1));
  }
  std::string sync() {
    caf::scoped_actor self{*sys, true};
    self->send(kernel, relc::dist_atoms::sync::value);
    std::string why = "no answer";
    self->receive([&](std::string& w) { why = w; },
                  caf::after(std::chrono::seconds(10)) >> [] {});
    return why;
  }
};

relc::dist_settings settings(const std::string& name, bool tls,
                             const fs::path& certs) {
  relc::dist_settings s;
  s.name = name;
  s.listen_host = "127.0.0.1";
  s.listen_port = 0;
  s.insecure = !tls;
  if (tls) {
    s.cert = (certs / (name + ".pem")).string();
    s.key = (certs / (name + ".key")).string();
    s.ca = (certs / "ca.pem").string();
  }
  s.sync_timeout = 5000ms;
  return s;
}

// Replies to each int with it.
caf::behavior echo() {
  return {[](int x) { return x; }};
}

// Sends `total` ints to `target`, at most `window` unanswered; tells
// `done` when the last reply is back.
caf::behavior pinger(caf::event_based_actor* self, caf::actor target,
                     int total, int window, caf::actor done) {
  auto sent = std::make_shared<int>(0);
  auto got = std::make_shared<int>(0);
  for (; *sent < std::min(window, total); ++*sent)
    self->send(target, *sent);
  return {[=](int) {
    if (++*got == total) {
      self->send(done, caf::ok_atom::value);
      self->quit();
    } else if (*sent < total) {
      self->send(target, (*sent)++);
    }
  }};
}

struct round_result {
  double sync_ms = 0;
  double lookup_us = 0;       // whereis_global from plain code
  double actor_lookup_us = 0; // ... from inside an actor
  double msgs_per_s = 0;
};

round_result one_round(bool tls, const fs::path& certs, int messages) {
  round_result r;
  bench_node a{settings("a", tls, certs)};
  auto s = settings("b", tls, certs);
  s.mandatory.push_back({"a", "127.0.0.1", a.port()});
  auto t0 = clock_type::now();
  bench_node b{s};
  if (auto why = b.sync(); !why.empty()) {
    fprintf(stderr, "dist_bench: sync: %s\n", why.c_str());
    exit(1);
  }
  r.sync_ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
  auto e = a.sys->spawn(echo);
  if (auto err = relc::register_global(*a.sys, "echo", e)) {
    fprintf(stderr, "dist_bench: %s\n", relc::describe_error(err).c_str());
    exit(1);
  }
  // Lookups on b of a's name (b's table has it once a's announcement came).
  caf::actor remote;
  for (int i = 0; i < 500 && !remote; ++i) {
    auto x = relc::whereis_global(*b.sys, "echo");
    if (x && *x)
      remote = *x;
    else
      std::this_thread::sleep_for(1ms);
  }
  if (!remote) {
    fprintf(stderr, "dist_bench: echo never seen on b\n");
    exit(1);
  }
  {
    caf::scoped_actor self{*b.sys, true};
    // whereis_global from plain code, and from inside an actor's handler:
    // each a read of b's table, no message.
    constexpr int lookups = 200000;
    const std::string echo{"echo"};
    auto l0 = clock_type::now();
    for (int i = 0; i < lookups; ++i)
      if (!relc::whereis_global(*b.sys, echo)) {
        fprintf(stderr, "dist_bench: whereis_global failed\n");
        exit(1);
      }
    r.lookup_us = std::chrono::duration<double, std::micro>(clock_type::now() - l0)
                    .count()
                  / lookups;
    auto in_actor = b.sys->spawn([echo](caf::event_based_actor* self) -> caf::behavior {
      return {[self, echo](int n) {
        auto t0 = clock_type::now();
        for (int i = 0; i < n; ++i)
          if (!relc::whereis_global(self->system(), echo))
            return -1.0;
        return std::chrono::duration<double, std::micro>(clock_type::now() - t0)
                 .count()
               / n;
      }};
    });
    self->request(in_actor, 60s, lookups)
      .receive([&](double us) { r.actor_lookup_us = us; },
               [](caf::error&) {});
    caf::anon_send_exit(in_actor, caf::exit_reason::user_shutdown);
    auto m0 = clock_type::now();
    b.sys->spawn(pinger, remote, messages, 1000, caf::actor{self});
    bool ok = false;
    self->receive([&](caf::ok_atom) { ok = true; },
                  caf::after(std::chrono::seconds(60)) >> [] {});
    if (!ok) {
      fprintf(stderr, "dist_bench: messages lost\n");
      exit(1);
    }
    r.msgs_per_s = messages
                   / std::chrono::duration<double>(clock_type::now() - m0).count();
  }
  caf::anon_send_exit(e, caf::exit_reason::user_shutdown);
  return r;
}

// -- failover and takeover between real node processes ----------------------

constexpr int failover_timeout_ms = 500;

struct node_process {
  int pid = -1;
  std::string log;
};

// Runs `args` with stdout and stderr to `log`.
node_process spawn_logged(std::vector<std::string> args, const std::string& log) {
  node_process p;
  p.log = log;
  p.pid = fork();
  if (p.pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return p;
}

node_process start_node(const std::string& root, const std::string& name,
                        const std::map<std::string, int>& ports,
                        const std::string& log) {
  std::string optional;
  for (auto& [n, port] : ports)
    if (n != name)
      optional += (optional.empty() ? "" : ",") + n + "@127.0.0.1:"
                  + std::to_string(port);
  std::vector<std::string> args{
    RELC_BENCH_RELC, "boot", root, "--name", name, "--dist-insecure",
    "--dist-listen", "127.0.0.1:" + std::to_string(ports.at(name)),
    "--env", "kernel.sync_nodes_optional=[" + optional + "]",
    "--env", "kernel.sync_nodes_timeout=200",
    "--env", "kernel.distributed=[{app: app_0, failover_timeout: "
               + std::to_string(failover_timeout_ms) + ", nodes: [n1, [n2, n3]]}]"};
  return spawn_logged(std::move(args), log);
}

void stop_node(node_process& p) {
  if (p.pid > 0) {
    kill(p.pid, SIGKILL);
    waitpid(p.pid, nullptr, 0);
  }
  p.pid = -1;
}

// The time (ms since the epoch) of the `k`-th report in `log` holding
// `needle`, waiting up to `limit`; -1 if there are fewer.
double kth_report_time(const std::string& log, const std::string& needle, int k,
                       std::chrono::milliseconds limit) {
  auto deadline = clock_type::now() + limit;
  while (clock_type::now() < deadline) {
    std::ifstream in{log};
    int seen = 0;
    for (std::string line; std::getline(in, line);) {
      if (line.find(needle) == std::string::npos || line.size() < 24)
        continue;
      std::tm tm{};
      int ms = 0;
      if (sscanf(line.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon,
                 &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7)
        continue; // a line without a report's timestamp
      if (++seen < k)
        continue;
      tm.tm_year -= 1900;
      tm.tm_mon -= 1;
      return static_cast<double>(timegm(&tm)) * 1000 + ms;
    }
    std::this_thread::sleep_for(2ms);
  }
  return -1;
}

// ... the first, within 10 s.
double report_time(const std::string& log, const std::string& needle) {
  return kth_report_time(log, needle, 1, 10s);
}

double now_ms() {
  return std::chrono::duration<double, std::milli>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

void failover_rounds(const fs::path& dir, int runs) {
  relc::bench::make_synthetic_release(dir.string(), 1, 1, RELC_BENCH_APP_LIB);
  auto out = dir / "out";
  if (relc::bench::run_command({RELC_BENCH_RELC, "build",
                                (dir / "synthetic.rel").string(), "--lib-dir",
                                (dir / "lib").string(), "--out", out.string(),
                                "--no-tar"})
      != 0) {
    fprintf(stderr, "dist_bench: relc build failed\n");
    exit(1);
  }
  auto root = (out / "synthetic").string();
  figures failover, takeover;
  const std::string started = "application app_0 started";
  const std::string stopped = "application app_0 stopped";
  for (int i = 0; i < runs; ++i) {
    std::map<std::string, int> ports{{"n1", free_port()}, {"n2", free_port()},
                                     {"n3", free_port()}};
    auto log = [&](const std::string& n, int k) {
      return (dir / (n + "-" + std::to_string(i) + "-" + std::to_string(k) + ".log")).string();
    };
    auto n1 = start_node(root, "n1", ports, log("n1", 0));
    if (report_time(n1.log, started) < 0) {
      fprintf(stderr, "dist_bench: app_0 never started on n1 (%s)\n", n1.log.c_str());
      exit(1);
    }
    auto n2 = start_node(root, "n2", ports, log("n2", 0));
    auto n3 = start_node(root, "n3", ports, log("n3", 0));
    report_time(n2.log, "init: started");
    report_time(n3.log, "init: started");
    std::this_thread::sleep_for(100ms);
    auto killed = now_ms();
    stop_node(n1);
    auto up = report_time(n2.log, started);
    if (up < 0) {
      fprintf(stderr, "dist_bench: no failover to n2 (%s)\n", n2.log.c_str());
      exit(1);
    }
    failover.add(up - killed);
    auto back = start_node(root, "n1", ports, log("n1", 1));
    auto taken = report_time(back.log, started);
    auto gone = report_time(n2.log, stopped);
    if (taken < 0 || gone < 0) {
      fprintf(stderr, "dist_bench: no takeover by n1 (%s)\n", back.log.c_str());
      exit(1);
    }
    takeover.add(gone - taken);
    for (auto* p : {&back, &n2, &n3})
      stop_node(*p);
  }
  printf("failover (SIGKILL of n1 until app_0 started on n2, failover_timeout "
         "%d ms): %s; over the timeout: target <= 200 ms\n", failover_timeout_ms,
         failover.text("ms").c_str());
  printf("takeover (app_0 started on n1 until stopped on n2): %s; target <= 200 ms\n",
         takeover.text("ms").c_str());
}

// -- a cluster forming, N real node processes -------------------------------

node_process start_cluster_node(const std::string& root, const std::string& name,
                                int port, const std::vector<std::string>& peers,
                                const std::string& log) {
  std::string listed;
  for (auto& p : peers)
    listed += (listed.empty() ? "" : ",") + p;
  std::vector<std::string> args{RELC_BENCH_RELC, "boot", root, "--name", name,
                                "--dist-insecure", "--dist-listen",
                                "127.0.0.1:" + std::to_string(port)};
  if (!peers.empty())
    args.insert(args.end(), {"--env", "kernel.sync_nodes_optional=[" + listed + "]",
                             "--env", "kernel.sync_nodes_timeout=10000"});
  return spawn_logged(std::move(args), log);
}

// N nodes started together, each listing every other one ("full list") or
// only the first ("seed", the rest by connect_all): from the last node's
// start until every node has seen N-1 nodes up (the reports' timestamps).
void cluster_rounds(const fs::path& dir, int runs) {
  relc::bench::make_synthetic_release(dir.string(), 1, 1, RELC_BENCH_APP_LIB);
  auto out = dir / "out";
  if (relc::bench::run_command({RELC_BENCH_RELC, "build",
                                (dir / "synthetic.rel").string(), "--lib-dir",
                                (dir / "lib").string(), "--out", out.string(),
                                "--no-tar"})
      != 0) {
    fprintf(stderr, "dist_bench: relc build failed\n");
    exit(1);
  }
  auto root = (out / "synthetic").string();
  for (int n : {8, 32})
    for (bool seed : {false, true}) {
      figures formed;
      int incomplete = 0;
      for (int r = 0; r < runs; ++r) {
        std::vector<int> ports;
        for (int i = 0; i < n; ++i)
          ports.push_back(free_port());
        auto name = [](int i) { return "c" + std::to_string(i + 1); };
        std::vector<node_process> nodes;
        double last_start = 0;
        for (int i = 0; i < n; ++i) {
          std::vector<std::string> peers;
          for (int j = 0; j < n; ++j)
            if (j != i && (!seed || j == 0))
              if (!(seed && i == 0))
                peers.push_back(name(j) + "@127.0.0.1:" + std::to_string(ports[j]));
          last_start = now_ms();
          nodes.push_back(start_cluster_node(
            root, name(i), ports[i], peers,
            (dir / (name(i) + "-" + std::to_string(r) + ".log")).string()));
        }
        double done = 0;
        bool complete = true;
        for (auto& p : nodes) {
          auto t = kth_report_time(p.log, "dist: node up: ", n - 1, 20s);
          if (t < 0)
            complete = false;
          done = std::max(done, t);
        }
        for (auto& p : nodes)
          stop_node(p);
        if (complete)
          formed.add(done - last_start);
        else
          ++incomplete;
      }
      printf("%2d nodes, %s: every node sees %d nodes up %s after the last "
             "start%s\n",
             n, seed ? "each listing only the first (seed)" : "each listing all",
             n - 1, formed.text("ms").c_str(),
             incomplete > 0 ? (" (" + std::to_string(incomplete)
                               + " round(s) never formed in 20 s)").c_str()
                            : "");
    }
}

} // namespace

int main(int argc, char** argv) {
  int messages = 100000;
  int runs = 5;
  bool cluster_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string x = argv[i];
    if (x == "--runs" && i + 1 < argc)
      runs = atoi(argv[++i]);
    else if (x == "--cluster")
      cluster_only = true;
    else
      messages = atoi(argv[i]);
  }
  if (cluster_only) {
    relc::set_log_sink([](relc::log_level, const std::string&) {});
    auto dir = fs::temp_directory_path()
               / ("relc-dist-bench-" + std::to_string(getpid()));
    cluster_rounds(dir / "cluster", runs);
    fs::remove_all(dir);
    return 0;
  }
  relc::set_log_sink([](relc::log_level, const std::string&) {});
  auto certs = fs::temp_directory_path() / ("relc-dist-bench-" + std::to_string(getpid()));
  auto cmd = "/bin/sh " RELC_BENCH_SOURCE_DIR "/scripts/dist-certs.sh " + certs.string()
             + " a b >/dev/null";
  if (system(cmd.c_str()) != 0) {
    fprintf(stderr, "dist_bench: cannot make certificates (%s)\n", cmd.c_str());
    return 1;
  }
  printf("two nodes in one process over 127.0.0.1, %d round(s), %d messages "
         "each (window 1000)\n", runs, messages);
  double tls_rate = 0, tcp_rate = 0;
  for (bool tls : {false, true}) {
    figures sync, lookup, actor_lookup, rate;
    for (int i = 0; i < runs; ++i) {
      auto r = one_round(tls, certs, messages);
      sync.add(r.sync_ms);
      lookup.add(r.lookup_us);
      actor_lookup.add(r.actor_lookup_us);
      rate.add(r.msgs_per_s);
    }
    printf("%-9s sync with a: %s; whereis_global: %s (in an actor: %s); "
           "messages: %s\n",
           tls ? "TLS" : "plain TCP", sync.text("ms").c_str(),
           lookup.text("us").c_str(), actor_lookup.text("us").c_str(),
           rate.text("msg/s").c_str());
    (tls ? tls_rate : tcp_rate) = rate.xs[rate.xs.size() / 2];
  }
  printf("TLS / plain TCP message rate: %.2f\n", tls_rate / tcp_rate);
  failover_rounds(certs / "failover", runs);
  cluster_rounds(certs / "cluster", std::min(runs, 3));
  fs::remove_all(certs);
  return 0;
}
