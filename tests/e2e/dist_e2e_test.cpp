// End to end: distributed nodes (docs/distribution.md) as real processes on
// 127.0.0.1: nodes that sync at boot and see each other come and go, TLS
// with mutual certificate checks, and the settings checked in one line.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <thread>

#include "test_support.hpp"

using namespace relc::test;
using namespace std::chrono_literals;

namespace {

// A port nothing listens on right now (the kernel picks it).
int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// Several nodes of the bsc release, booted from its one root by the
// bundled runtime (bin/relc), so the bundled dist plugin is what runs.
struct cluster {
  built_release rel{"bsc"};
  std::vector<std::unique_ptr<background_process>> nodes;

  std::string address(int port) { return "127.0.0.1:" + std::to_string(port); }

  std::vector<std::string> boot_args(const std::string& name, int port,
                                     std::vector<std::string> more) {
    std::vector<std::string> args{rel.root + "/bin/relc", "boot", rel.root,
                                  "--name", name, "--dist-listen",
                                  address(port)};
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }

  background_process& boot(const std::string& name, int port,
                           std::vector<std::string> more) {
    nodes.push_back(
      std::make_unique<background_process>(boot_args(name, port, more)));
    return *nodes.back();
  }

  // Boots and waits until the node runs.
  background_process& start(const std::string& name, int port,
                            std::vector<std::string> more) {
    auto& p = boot(name, port, std::move(more));
    INFO(p.err());
    REQUIRE(p.wait_for("init: started "));
    return p;
  }

  run_result ctl(const std::string& name, const std::string& cmd) {
    return run_process({RELC_TEST_RELC_EXE, "ctl",
                        rel.root + "/run/" + name + ".sock", cmd});
  }

  // Waits until `nodes` on `name` shows `line`.
  bool nodes_show(const std::string& name, const std::string& line,
                  std::chrono::milliseconds limit = 5s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    do {
      if (ctl(name, "nodes").out.find(line) != std::string::npos)
        return true;
      std::this_thread::sleep_for(20ms);
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
  }
};

std::string sync_env(const std::string& key, const std::string& peers) {
  return "kernel." + key + "=[" + peers + "]";
}

// A test CA with node certificates, made by scripts/dist-certs.sh.
fs::path make_certs(const fs::path& dir, std::vector<std::string> names) {
  std::vector<std::string> args{"/bin/sh", RELC_TEST_SOURCE_DIR "/scripts/dist-certs.sh",
                                dir.string()};
  args.insert(args.end(), names.begin(), names.end());
  auto r = run_process(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return dir;
}

std::vector<std::string> tls(const fs::path& dir, const std::string& name) {
  return {"--dist-cert", (dir / (name + ".pem")).string(), "--dist-key",
          (dir / (name + ".key")).string(), "--dist-ca",
          (dir / "ca.pem").string()};
}

template <class... Ts>
std::vector<std::string> cat(std::vector<std::string> xs, Ts... more) {
  (xs.insert(xs.end(), more.begin(), more.end()), ...);
  return xs;
}

} // namespace

TEST_CASE("nodes sync at boot, list each other, and see a killed node go "
          "down", "[e2e][dist]") {
  cluster c;
  int pa = free_port(), pb = free_port();
  auto& a = c.start("a", pa, {"--dist-insecure"});
  auto& b = c.start("b", pb,
                    {"--dist-insecure", "--env",
                     sync_env("sync_nodes_mandatory", "a@" + c.address(pa)),
                     "--env", "kernel.sync_nodes_timeout=5000"});
  CHECK(c.ctl("b", "nodes").out
        == "b self " + c.address(pb) + " insecure\na up " + c.address(pa) + "\n");
  // a learnt of b from b's hello: the address b listens on.
  CHECK(c.nodes_show("a", "b up " + c.address(pb) + "\n"));
  CHECK(a.wait_for("node up: b (" + c.address(pb) + ")"));
  a.signal(SIGKILL);
  CHECK(c.nodes_show("b", "a down " + c.address(pa) + " (connection lost)\n"));
  CHECK(b.wait_for("node down: a (connection lost)"));
  // The node goes on serving.
  CHECK(c.ctl("b", "ping").exit_code == 0);
}

TEST_CASE("a missing mandatory node fails the boot in one line, a missing "
          "optional one does not", "[e2e][dist]") {
  cluster c;
  int pa = free_port(), nobody = free_port();
  SECTION("mandatory") {
    auto& a = c.boot("a", pa,
                     {"--dist-insecure", "--env",
                      sync_env("sync_nodes_mandatory", "zz@" + c.address(nobody)),
                      "--env", "kernel.sync_nodes_timeout=300"});
    CHECK(a.wait_exit() == 1);
    CHECK(a.err().find("boot failed: kernel: sync_nodes: mandatory node(s) "
                       "not connected after 300 ms: zz@" + c.address(nobody)
                       + " (cannot connect)\n") != std::string::npos);
    CHECK(a.err().find("init: started ") == std::string::npos);
  }
  SECTION("optional") {
    auto& a = c.start("a", pa,
                      {"--dist-insecure", "--env",
                       sync_env("sync_nodes_optional", "zz@" + c.address(nobody)),
                       "--env", "kernel.sync_nodes_timeout=300"});
    CHECK(a.err().find("sync_nodes: optional node(s) not connected after "
                       "300 ms: zz@" + c.address(nobody))
          != std::string::npos);
    CHECK(c.ctl("a", "nodes").out.find("zz down " + c.address(nobody)
                                       + " (cannot connect)\n")
          != std::string::npos);
  }
  SECTION("a timeout of 0 tries each node once") {
    auto& a = c.boot("a", pa,
                     {"--dist-insecure", "--env",
                      sync_env("sync_nodes_mandatory", "zz@" + c.address(nobody))});
    CHECK(a.wait_exit() == 1);
    CHECK(a.err().find("not connected after 0 ms: zz@") != std::string::npos);
  }
}

TEST_CASE("nodes started together that all list each other connect at once, "
          "plain and TLS, round after round", "[e2e][dist]") {
  // Started together, each pair dials both ways at the same moment. CAF
  // then drops a redundant connection on each side, sometimes each the
  // one the other kept: both hellos were lost and the pair waited out the
  // 5 s connect timeout (1 round in 5 of 8 nodes, every TLS round).
  cluster c;
  const int n = 6;
  std::vector<std::string> names;
  for (int i = 1; i <= n; ++i)
    names.push_back("x" + std::to_string(i));
  auto certs = make_certs(c.rel.dir / "certs", names);
  for (int round = 0; round < 10; ++round) {
    bool use_tls = round % 2 == 1;
    INFO("round " << round << (use_tls ? " (TLS)" : " (plain)"));
    std::vector<int> ports;
    for (int i = 0; i < n; ++i)
      ports.push_back(free_port());
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      std::string others;
      for (int j = 0; j < n; ++j)
        if (j != i)
          others += (others.empty() ? "" : ",") + names[j] + "@" + c.address(ports[j]);
      auto more = use_tls ? tls(certs, names[i])
                          : std::vector<std::string>{"--dist-insecure"};
      more.insert(more.end(), {"--env", sync_env("sync_nodes_optional", others),
                               "--env", "kernel.sync_nodes_timeout=20000"});
      c.boot(names[i], ports[i], more);
    }
    for (auto& node : c.nodes) {
      INFO(node->err());
      REQUIRE(node->wait_for("init: started ", 20s));
    }
    // Every node started, so every link is up on its side: on both sides.
    // (A stalled pair took 5 s more than the rest; 6 processes on a loaded
    // 2-core machine may take a second or two to boot.)
    auto took = std::chrono::steady_clock::now() - t0;
    std::string logs;
    if (took >= 4s)
      for (auto& node : c.nodes)
        logs += node->err();
    INFO(logs);
    CHECK(took < 4s);
    for (int i = 0; i < n; ++i) {
      auto shown = c.ctl(names[i], "nodes").out;
      INFO(names[i] << ": " << shown);
      for (int j = 0; j < n; ++j)
        if (j != i)
          CHECK(shown.find(names[j] + " up ") != std::string::npos);
    }
    for (auto& node : c.nodes)
      CHECK(node->err().find("refused") == std::string::npos);
    // Each link still watches its peer: a killed node is down everywhere.
    c.nodes[0]->signal(SIGKILL);
    for (int i = 1; i < n; ++i) {
      INFO(names[i] << ": " << c.ctl(names[i], "nodes").out << c.nodes[i]->err());
      CHECK(c.nodes_show(names[i], names[0] + " down "));
    }
    for (int i = 1; i < n; ++i) {
      c.nodes[i]->signal(SIGTERM);
      CHECK(c.nodes[i]->wait_exit(10s) == 0);
    }
    c.nodes.clear();
  }
}

TEST_CASE("a boot held up by sync_nodes says once a second which nodes it "
          "waits for", "[e2e][dist]") {
  cluster c;
  int pa = free_port(), nobody = free_port();
  auto& a = c.boot("a", pa,
                   {"--dist-insecure", "--env",
                    sync_env("sync_nodes_mandatory", "zz@" + c.address(nobody)),
                    "--env", "kernel.sync_nodes_timeout=3000"});
  auto line = "sync_nodes: waiting for zz@" + c.address(nobody) + " (cannot connect) (";
  CHECK(a.wait_for(line + "1 s of 3 s)", 5s));
  CHECK(a.wait_exit() == 1);
  auto err = a.err();
  INFO(err);
  CHECK(err.find(line + "2 s of 3 s)") != std::string::npos);
  size_t lines = 0;
  for (auto at = err.find(line); at != std::string::npos; at = err.find(line, at + 1))
    ++lines;
  CHECK(lines >= 2);
  CHECK(lines <= 3); // at most one a second
  CHECK(err.find("boot failed: kernel: sync_nodes: mandatory node(s) not connected "
                 "after 3000 ms") != std::string::npos);
}

TEST_CASE("TLS nodes check each other's certificates: a node of another CA, "
          "or a plain one, is refused and the refusal logged", "[e2e][dist]") {
  cluster c;
  auto good = make_certs(c.rel.dir / "certs", {"a", "b"});
  auto rogue = make_certs(c.rel.dir / "rogue", {"r"});
  int pa = free_port(), pb = free_port(), pr = free_port();
  auto& a = c.start("a", pa, tls(good, "a"));
  auto mandatory_a
    = std::vector<std::string>{"--env", sync_env("sync_nodes_mandatory",
                                                 "a@" + c.address(pa)),
                               "--env", "kernel.sync_nodes_timeout=1000"};
  c.start("b", pb, cat(tls(good, "b"), mandatory_a));
  CHECK(c.ctl("b", "nodes").out
        == "b self " + c.address(pb) + " tls\na up " + c.address(pa) + "\n");
  SECTION("another CA") {
    auto& r = c.boot("r", pr, cat(tls(rogue, "r"), mandatory_a));
    CHECK(r.wait_exit() == 1);
    CHECK(r.err().find("refused " + c.address(pa) + ": its certificate /CN=a")
          != std::string::npos);
    CHECK(r.err().find("boot failed: kernel: sync_nodes: mandatory node(s) "
                       "not connected after 1000 ms: a@")
          != std::string::npos);
    CHECK(a.wait_for("failed: it refused the handshake"));
  }
  SECTION("plain TCP") {
    auto& r = c.boot("r", pr, cat({"--dist-insecure"}, mandatory_a));
    CHECK(r.wait_exit() == 1);
    CHECK(r.err().find("boot failed: kernel: sync_nodes: mandatory node(s) "
                       "not connected after 1000 ms: a@")
          != std::string::npos);
  }
  // Neither got in.
  CHECK(c.ctl("a", "nodes").out.find("r ") == std::string::npos);
}

TEST_CASE("bad distribution settings are refused in one line before the "
          "node starts", "[e2e][dist]") {
  cluster c;
  auto good = make_certs(c.rel.dir / "certs", {"a", "b"});
  int port = free_port();
  struct bad_case {
    std::vector<std::string> args;
    std::string line;
  };
  auto key_of_b = std::vector<std::string>{
    "--dist-cert", (good / "a.pem").string(), "--dist-key",
    (good / "b.key").string(), "--dist-ca", (good / "ca.pem").string()};
  std::vector<bad_case> cases{
    {{"--dist-insecure", "--dist-listen", "0.0.0.0:" + std::to_string(port)},
     "boot failed: --dist-insecure: plain TCP only on loopback, found "
     "--dist-listen 0.0.0.0:"},
    {{}, "boot failed: --dist-listen: TLS (the default) needs --dist-cert, "
         "--dist-key, --dist-ca (or --dist-insecure, loopback only)\n"},
    {key_of_b, "boot failed: --dist-key " + (good / "b.key").string()
                 + ": not the key of " + (good / "a.pem").string() + "\n"},
    {{"--dist-cert", (c.rel.dir / "none.pem").string(), "--dist-key", "k",
      "--dist-ca", "ca"},
     "boot failed: --dist-cert " + (c.rel.dir / "none.pem").string()
       + ": cannot read it\n"},
    {{"--dist-insecure", "--env", "kernel.sync_nodes_mandatory=[b]"},
     "boot failed: kernel: sync_nodes_mandatory: expected NAME@HOST:PORT, "
     "found 'b'\n"},
    {{"--dist-insecure", "--env", "kernel.sync_nodes_timeout=soon"},
     "boot failed: kernel: sync_nodes_timeout: expected milliseconds, found "
     "soon\n"},
  };
  for (auto& bad : cases) {
    auto args = c.boot_args("a", port, bad.args);
    auto r = run_process(args);
    INFO(r.err);
    CHECK(r.exit_code != 0);
    CHECK(r.err.find(bad.line) != std::string::npos);
    CHECK(lines_with(r.err, "boot failed") == 1);
    CHECK(r.err.find("init: started ") == std::string::npos);
  }
  // Sync settings on a node that is not distributed.
  auto r = run_process({c.rel.root + "/bin/relc", "boot", c.rel.root, "--name", "a",
                        "--env", "kernel.sync_nodes_optional=[b@127.0.0.1:1]"});
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("boot failed: kernel: sync_nodes_optional: only a "
                   "distributed node syncs (--dist-listen HOST:PORT)\n")
        != std::string::npos);
}

TEST_CASE("a node that is not distributed says so to 'nodes', and loads no "
          "network code", "[e2e][dist]") {
  built_release rel{"bsc"};
  background_process p{{rel.root + "/bin/relc", "boot", rel.root, "--name", "n"}};
  REQUIRE(p.wait_for("init: started "));
  auto r = run_process({RELC_TEST_RELC_EXE, "ctl", rel.root + "/run/n.sock", "nodes"});
  CHECK(r.out + r.err
        == "relc: error: this node is not distributed (--dist-listen)\n");
  auto maps = read_file("/proc/" + std::to_string(p.pid()) + "/maps");
  CHECK(maps.find("librelc_dist") == std::string::npos);
  CHECK(maps.find("libssl") == std::string::npos);
  CHECK(maps.find("libcaf_io") == std::string::npos);
}

namespace {

// Nodes of a probe release (apps from the probe library), from one root.
struct probe_cluster {
  probe_release r;
  std::vector<std::unique_ptr<background_process>> nodes;

  explicit probe_cluster(const std::string& env) {
    r.probe("p", "env: {" + env + "}\n");
    r.build("[p]");
  }

  background_process& boot(const std::string& name, int port,
                            std::vector<std::string> more = {}) {
    // Plain TCP unless `more` names certificates.
    bool tls = std::find(more.begin(), more.end(), "--dist-cert") != more.end();
    std::vector<std::string> args{"--name", name, "--dist-listen",
                                  "127.0.0.1:" + std::to_string(port)};
    if (!tls)
      args.push_back("--dist-insecure");
    args.insert(args.end(), more.begin(), more.end());
    nodes.push_back(r.boot(args));
    auto& p = *nodes.back();
    if (!p.wait_for("init: started "))
      FAIL("node " << name << " did not start:\n" << p.err());
    return p;
  }

  run_result ctl(const std::string& name, const std::string& cmd,
                 std::string arg = {}) {
    std::vector<std::string> args{RELC_TEST_NODE_EXE, "ctl",
                                  r.root + "/run/" + name + ".sock", cmd};
    if (!arg.empty())
      args.push_back(arg);
    return run_process(args);
  }

  bool shows(const std::string& name, const std::string& cmd,
             const std::string& text, std::chrono::milliseconds limit = 5s) {
    return shows(name, cmd, "", text, limit);
  }

  // Waits until `cmd ARG` on `name` answers `text`.
  bool shows(const std::string& name, const std::string& cmd,
             const std::string& arg, const std::string& text,
             std::chrono::milliseconds limit = 5s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    do {
      if (ctl(name, cmd, arg).out == text)
        return true;
      std::this_thread::sleep_for(20ms);
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
  }
};

} // namespace

TEST_CASE("a global name registered on one node is found on another, and "
          "goes with its actor or its node", "[e2e][dist]") {
  probe_cluster c{"register_global_as: svc"};
  int pa = free_port(), pb = free_port(), pc = free_port();
  auto& a = c.boot("a", pa);
  REQUIRE(a.wait_for("probe p: registered global svc"));
  auto& b = c.boot("b", pb,
                   {"--env", "p.register_global_as=svc2", "--env",
                    "kernel.sync_nodes_mandatory=[a@127.0.0.1:" + std::to_string(pa) + "]"});
  REQUIRE(b.wait_for("probe p: registered global svc2"));
  CHECK(c.shows("b", "globals", "svc a\nsvc2 b\n"));
  CHECK(c.shows("a", "globals", "svc a\nsvc2 b\n"));
  CHECK(c.ctl("b", "whereis_global", "svc").out == "svc a\n");
  // A name held on a connected node is not given again.
  auto& third = c.boot("c", pc,
                       {"--env", "kernel.sync_nodes_mandatory=[a@127.0.0.1:"
                                   + std::to_string(pa) + "]"});
  CHECK(third.wait_for("probe p: register global svc failed: global name svc "
                       "is held on node a"));
  third.signal(SIGTERM);
  CHECK(third.wait_exit() == 0);
  // The name goes with its actor (the app stopped, its actor killed) ...
  REQUIRE(c.ctl("a", "stop_app", "p").exit_code == 0);
  CHECK(c.shows("b", "globals", "svc2 b\n"));
  auto gone = c.ctl("b", "whereis_global", "svc");
  CHECK(gone.out + gone.err == "relc: error: no global name svc\n");
  // ... and with its node.
  b.signal(SIGKILL);
  CHECK(c.shows("a", "globals", ""));
}

TEST_CASE("whereis_global answers inside an actor, from the node's own table",
          "[e2e][dist]") {
  probe_cluster c{"register_global_as: svc"};
  int pa = free_port(), pb = free_port();
  auto& a = c.boot("a", pa);
  REQUIRE(a.wait_for("probe p: registered global svc"));
  auto& b = c.boot("b", pb,
                   {"--env", "p.register_global_as=svc_b", "--env",
                    "p.whereis_global_in_actor=svc", "--env",
                    "kernel.sync_nodes_mandatory=[a@127.0.0.1:" + std::to_string(pa) + "]"});
  CHECK(b.wait_for("probe p: found global svc in an actor", 10s));
  INFO(b.err());
  CHECK(b.err().find("whereis_global in an actor:") == std::string::npos);
}

TEST_CASE("a node awaiting a global name gets it when a node that holds "
          "it joins", "[e2e][dist]") {
  probe_cluster c{"await_global: svc"};
  int pa = free_port(), pb = free_port();
  auto& b = c.boot("b", pb);
  CHECK(c.ctl("b", "globals").out.empty());
  auto& a = c.boot("a", pa,
                   {"--env", "p.await_global=none", "--env", "p.register_global_as=svc",
                    "--env", "kernel.sync_nodes_mandatory=[b@127.0.0.1:"
                               + std::to_string(pb) + "]"});
  REQUIRE(a.wait_for("probe p: registered global svc"));
  CHECK(b.wait_for("probe p: awaited global svc\n"));
  CHECK(b.err().find("await global svc failed") == std::string::npos);
}

TEST_CASE("a name held on both sides when two nodes meet keeps the holder on "
          "the node that sorts first, and the other holder is told",
          "[e2e][dist]") {
  probe_cluster c{"register_global_as: svc"};
  int pa = free_port(), pb = free_port();
  auto& a = c.boot("a", pa);
  auto& b = c.boot("b", pb);
  REQUIRE(a.wait_for("registered global svc"));
  REQUIRE(b.wait_for("registered global svc"));
  CHECK(c.shows("b", "globals", "svc b\n"));
  auto up = c.ctl("b", "connect", "a@127.0.0.1:" + std::to_string(pa));
  INFO(up.err);
  CHECK(up.out == "a@127.0.0.1:" + std::to_string(pa) + " up\n");
  CHECK(c.shows("a", "globals", "svc a\n"));
  CHECK(c.shows("b", "globals", "svc a\n"));
  CHECK(b.wait_for("probe p: global name conflict svc"));
  // Whichever side sees both holders first settles it, the same way.
  CHECK((a.err() + b.err()).find("global name svc was held on a and on b: "
                                 "a's holder keeps it") != std::string::npos);
  CHECK(a.err().find("probe p: global name conflict") == std::string::npos);
  // The holder that lost is alive: only its name went.
  CHECK(c.ctl("b", "apps").out.find("p 1.0") != std::string::npos);
}

TEST_CASE("a partition (a node stopped past the detection time, then "
          "resumed) ends with exactly one holder of a global name",
          "[e2e][dist]") {
  probe_cluster c{"register_global_as: svc"};
  int pa = free_port(), pb = free_port();
  // Detection within a second instead of the default five.
  std::vector<std::string> fast{"--middleman.heartbeat-interval=100ms",
                                "--middleman.connection-timeout=600ms"};
  auto a_args = fast;
  a_args.insert(a_args.end(), {"--env", "kernel.sync_nodes_optional=[b@127.0.0.1:"
                                          + std::to_string(pb) + "]"});
  auto& a = c.boot("a", pa, a_args);
  REQUIRE(a.wait_for("probe p: registered global svc"));
  auto b_args = fast;
  b_args.insert(b_args.end(), {"--env", "kernel.sync_nodes_mandatory=[a@127.0.0.1:"
                                          + std::to_string(pa) + "]"});
  auto& b = c.boot("b", pb, b_args);
  REQUIRE(b.wait_for("register global svc failed: global name svc is held on node a"));
  // The partition: b sees a go, and its own app takes the name.
  a.signal(SIGSTOP);
  CHECK(c.shows("b", "globals", "", 10s));
  CHECK(b.wait_for("node down: a"));
  REQUIRE(c.ctl("b", "stop_app", "p").exit_code == 0);
  REQUIRE(c.ctl("b", "start_app", "p").exit_code == 0);
  REQUIRE(b.wait_for("probe p: registered global svc"));
  CHECK(c.shows("b", "globals", "svc b\n"));
  // The heal: the nodes meet again and settle on one holder, a's.
  a.signal(SIGCONT);
  CHECK(c.shows("b", "globals", "svc a\n", 15s));
  CHECK(c.shows("a", "globals", "svc a\n", 15s));
  CHECK(b.wait_for("probe p: global name conflict svc"));
  CHECK(c.shows("a", "nodes", "a self 127.0.0.1:" + std::to_string(pa)
                                + " insecure\nb up 127.0.0.1:" + std::to_string(pb)
                                + "\n", 10s));
}

namespace {

// Args for node `name` of a three-node cluster where p is distributed over
// [n1, [n2, n3]]: each node lists the others as optional; TLS with the
// certificates in `certs`, else plain TCP.
std::vector<std::string> three_node_args(const std::string& name,
                                         const std::map<std::string, int>& ports,
                                         const fs::path& certs) {
  std::string optional;
  for (auto& [n, port] : ports)
    if (n != name)
      optional += (optional.empty() ? "" : ",") + n + "@127.0.0.1:"
                  + std::to_string(port);
  std::vector<std::string> security;
  if (!certs.empty())
    security = tls(certs, name);
  return cat(security, std::vector<std::string>{"--middleman.heartbeat-interval=100ms",
          "--middleman.connection-timeout=600ms",
          "--env", "kernel.sync_nodes_optional=[" + optional + "]",
          "--env", "kernel.sync_nodes_timeout=300",
          "--env", "kernel.distributed=[{app: p, failover_timeout: 300, "
                   "nodes: [n1, [n2, n3]]}]"});
}

} // namespace

TEST_CASE("a distributed app runs on the first node of its list, fails over "
          "when that node is killed, and is taken back when it returns",
          "[e2e][dist]") {
  probe_cluster c{"show: []"};
  fs::path certs;
  // Over TLS too: a killed peer once left OpenSSL's error queue dirty on
  // CAF's multiplexer thread, which dropped the link between the other two
  // nodes, and both then started the app (tls_hooks.cpp).
  SECTION("plain TCP") {}
  SECTION("TLS") { certs = make_certs(c.r.dir / "certs", {"n1", "n2", "n3"}); }
  std::map<std::string, int> ports{{"n1", free_port()}, {"n2", free_port()},
                                   {"n3", free_port()}};
  auto args = [&](const std::string& n) { return three_node_args(n, ports, certs); };
  auto& n1 = c.boot("n1", ports["n1"], args("n1"));
  auto& n2 = c.boot("n2", ports["n2"], args("n2"));
  auto& n3 = c.boot("n3", ports["n3"], args("n3"));
  CHECK(n1.wait_for("probe p: start\n"));
  for (auto* n : {"n1", "n2", "n3"})
    CHECK(c.shows(n, "where", "p", "n1\n") );
  CHECK(n2.err().find("probe p: start") == std::string::npos);
  CHECK(n3.err().find("probe p: start") == std::string::npos);
  CHECK(c.ctl("n2", "apps").out.find("p 1.0") == std::string::npos);
  // Failover: n1 dies; after the failover timeout n2 (first of the equal
  // pair by name) starts p, told where it comes from.
  n1.signal(SIGKILL);
  CHECK(n2.wait_for("probe p: start type failover from n1"));
  CHECK(n2.wait_for("application p started (type permanent, failover from n1)"));
  CHECK(c.shows("n3", "where", "p", "n2\n"));
  CHECK(n3.err().find("probe p: start") == std::string::npos);
  CHECK(n2.err().find("distributed app p: starting here (failover from n1)")
        != std::string::npos);
  // Takeover: n1 comes back, starts p before n2 stops it.
  // (A longer sync: its peers run, so it ends once both are connected,
  // and a slow handshake does not make n1 boot alone.)
  auto& again = c.boot("n1", ports["n1"],
                       cat(args("n1"), std::vector<std::string>{
                                         "--env", "kernel.sync_nodes_timeout=10000"}));
  CHECK(again.wait_for("probe p: start type takeover from n2"));
  CHECK(again.wait_for("application p started (type permanent, takeover from n2)"));
  CHECK(n2.wait_for("distributed app p: taken over: stopping it here"));
  CHECK(n2.wait_for("probe p: stop"));
  for (auto* n : {"n1", "n2", "n3"})
    CHECK(c.shows(n, "where", "p", "n1\n"));
  CHECK(c.ctl("n2", "apps").out.find("p 1.0") == std::string::npos);
  CHECK(c.ctl("n1", "apps").out.find("p 1.0") != std::string::npos);
  // A cluster-wide stop from any node, and a start that lets the list
  // decide again.
  auto stop = c.ctl("n3", "stop_app", "p");
  CHECK(stop.out == "p stopped on the cluster (it ran on n1)\n");
  CHECK(again.wait_for("probe p: stop"));
  for (auto* n : {"n1", "n2", "n3"}) {
    auto where = c.ctl(n, "where", "p");
    CHECK(where.out + where.err == "relc: error: p runs nowhere\n");
  }
  CHECK(c.ctl("n2", "start_app", "p").out
        == "p started on the cluster: it runs where its list says\n");
  for (auto* n : {"n1", "n2", "n3"})
    CHECK(c.shows(n, "where", "p", "n1\n"));
  // n3, of equal priority with n2, never ran it, and no link dropped.
  CHECK(n3.err().find("probe p: start") == std::string::npos);
  CHECK(n3.err().find("node down: n2") == std::string::npos);
  CHECK(n2.err().find("node down: n3") == std::string::npos);
}

TEST_CASE("two nodes that both run a distributed app when they meet keep it "
          "on the one that comes first", "[e2e][dist]") {
  probe_cluster c{"show: []"};
  int p1 = free_port(), p2 = free_port();
  std::vector<std::string> dist{
    "--env", "kernel.distributed=[{app: p, failover_timeout: 100, nodes: [n1, n2]}]"};
  // Neither lists the other: each boots alone and starts p.
  auto& n1 = c.boot("n1", p1, dist);
  auto& n2 = c.boot("n2", p2, dist);
  REQUIRE(n1.wait_for("probe p: start\n"));
  REQUIRE(n2.wait_for("probe p: start\n"));
  auto up = c.ctl("n2", "connect", "n1@127.0.0.1:" + std::to_string(p1));
  CHECK(up.out == "n1@127.0.0.1:" + std::to_string(p1) + " up\n");
  CHECK(n2.wait_for("distributed app p: runs on n1 too, which comes first: "
                    "stopping it here"));
  CHECK(n2.wait_for("probe p: stop"));
  for (auto* n : {"n1", "n2"})
    CHECK(c.shows(n, "where", "p", "n1\n"));
  CHECK(n1.err().find("probe p: stop") == std::string::npos);
}

TEST_CASE("a node that joins any node of a cluster is connected to all of "
          "them and sees their global names, and with connect_all false only "
          "to the listed", "[e2e][dist]") {
  // A chain: a lists b, b lists c, c lists nobody; c holds a global name.
  probe_cluster c{""};
  int pa = free_port(), pb = free_port(), pc = free_port();
  auto seed = [](const std::string& name, int port) {
    return "kernel.sync_nodes_optional=[" + name + "@127.0.0.1:"
           + std::to_string(port) + "]";
  };
  c.boot("c", pc, {"--env", "p.register_global_as=svc_c"});
  c.boot("b", pb, {"--env", seed("c", pc), "--env", "kernel.sync_nodes_timeout=5000"});
  c.boot("a", pa, {"--env", seed("b", pb), "--env", "kernel.sync_nodes_timeout=5000"});
  auto line = [](const std::string& name, int port) {
    return name + " up 127.0.0.1:" + std::to_string(port) + "\n";
  };
  auto nodes_of = [&](const std::string& name) { return c.ctl(name, "nodes").out; };
  auto eventually = [&](const std::string& name, const std::string& text) {
    for (int i = 0; i < 150; ++i) {
      if (nodes_of(name).find(text) != std::string::npos)
        return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  };
  CHECK(eventually("a", line("c", pc)));
  CHECK(eventually("c", line("a", pa)));
  CHECK(c.shows("a", "whereis_global", "svc_c", "svc_c c\n"));
  // A fourth node that lists only a joins the whole mesh.
  int pd = free_port();
  c.boot("d", pd, {"--env", seed("a", pa), "--env", "kernel.sync_nodes_timeout=5000"});
  for (auto& [name, port] : std::vector<std::pair<std::string, int>>{
         {"a", pa}, {"b", pb}, {"c", pc}}) {
    INFO(name);
    CHECK(eventually("d", line(name, port)));
    CHECK(eventually(name, line("d", pd)));
  }
  // connect_all false: a node that lists only a stays with a.
  int pe = free_port();
  c.boot("e", pe, {"--env", seed("a", pa), "--env", "kernel.sync_nodes_timeout=5000",
                   "--env", "kernel.connect_all=false"});
  CHECK(eventually("e", line("a", pa)));
  std::this_thread::sleep_for(300ms);
  auto seen = nodes_of("e");
  INFO(seen);
  CHECK(seen.find("c up") == std::string::npos);
  CHECK(seen.find("b up") == std::string::npos);
  for (auto& n : c.nodes)
    n->signal(SIGTERM);
  for (auto& n : c.nodes)
    CHECK(n->wait_exit() == 0);
}
