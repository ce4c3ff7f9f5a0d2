// Benchmark of release upgrades in a running node (docs/upgrades.md): a
// release of N synthetic apps plus bsc, with bsc's traffic generator
// calling its frequency server all along. It times `install` from the
// command to done for a release that changes one app by `update` (bsc
// 1.0.0 <-> 1.1.0: one actor with state) and by `restart_application` (one
// synthetic app 1.0.0 <-> 1.0.1, no appup), and counts the calls that
// failed meanwhile. Prints medians with min-max. Not a test.
// Usage: upgrade_bench [N] [--runs R]
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_process.hpp"
#include "synthetic_release.hpp"

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

namespace {

int run(const std::vector<std::string>& argv, std::string* out = nullptr) {
  return relc::bench::run_command(argv, out);
}

// One admin request over the node's control socket, the reply whole (the
// node closes the connection after it).
std::string request(const std::string& socket_path, const std::string& line) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
  auto fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "error: no connection";
  }
  auto bytes = line + "\n";
  (void) !send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::string reply;
  char buf[4096];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
    reply.append(buf, static_cast<size_t>(n));
  close(fd);
  return reply;
}

void must(bool ok, const std::string& what) {
  if (!ok) {
    fprintf(stderr, "upgrade_bench: %s failed\n", what.c_str());
    exit(1);
  }
}

std::string slurp(const fs::path& p) {
  std::ifstream in{p};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void spit(const fs::path& p, const std::string& text) {
  std::ofstream{p} << text;
}

struct series {
  std::vector<double> xs;
  std::string text() const {
    auto v = xs;
    std::sort(v.begin(), v.end());
    char buf[96];
    snprintf(buf, sizeof buf, "%7.2f ms (%.2f-%.2f)", v[v.size() / 2], v.front(),
             v.back());
    return buf;
  }
};

// The node's own figure: the report's "+X ms release V installed" line.
double installed_at(const std::string& report) {
  auto pos = report.rfind("\n+", report.find(" installed (from"));
  auto start = pos == std::string::npos ? 0 : pos + 1;
  return atof(report.c_str() + start + 1);
}

} // namespace

int main(int argc, char** argv) {
  int n = 500;
  int runs = 9;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc)
      runs = atoi(argv[++i]);
    else if (atoi(a.c_str()) > 0)
      n = atoi(a.c_str());
    else {
      fprintf(stderr, "usage: upgrade_bench [N] [--runs R]\n");
      return 2;
    }
  }
  auto root = fs::temp_directory_path() / ("relc-upgrade-bench-" + std::to_string(getpid()));
  relc::bench::make_synthetic_release(root.string(), n, 42, RELC_BENCH_APP_LIB);
  for (auto* v : {"bsc-1.0.0", "bsc-1.1.0"})
    fs::copy(fs::path{RELC_BENCH_EXAMPLE_LIB_DIR} / v, root / "lib" / v,
             fs::copy_options::recursive);
  // app_<n-1> 1.0.1: the same library, a new version without an appup.
  auto last = "app_" + std::to_string(n - 1);
  auto from = root / "lib" / (last + "-1.0.0");
  auto to = root / "lib" / (last + "-1.0.1");
  fs::copy(from, to, fs::copy_options::recursive);
  auto manifest = slurp(to / (last + ".app"));
  manifest.replace(manifest.find("vsn: \"1.0.0\""), 12, "vsn: \"1.0.1\"");
  spit(to / (last + ".app"), manifest);
  auto spec = slurp(root / "synthetic.rel");
  auto spec_of = [&](const std::string& vsn, const std::string& bsc,
                     const std::string& last_vsn) {
    auto text = spec;
    text.replace(text.find("vsn: \"1.0.0\""), 12, "vsn: \"" + vsn + "\"");
    auto entry = "  - " + last + "\n";
    text.replace(text.find(entry), entry.size(),
                 "  - {name: " + last + ", vsn: \"" + last_vsn + "\"}\n");
    return text + "  - {name: bsc, vsn: \"" + bsc + "\"}\n";
  };
  spit(root / "r1.rel", spec_of("1.0.0", "1.0.0", "1.0.0"));
  spit(root / "r2.rel", spec_of("2.0.0", "1.1.0", "1.0.0"));
  spit(root / "r3.rel", spec_of("3.0.0", "1.1.0", "1.0.1"));
  auto relc = std::string{RELC_BENCH_RELC};
  auto lib = (root / "lib").string();
  auto out = (root / "out").string();
  must(run({relc, "build", (root / "r1.rel").string(), "--lib-dir", lib, "--out", out}) == 0,
       "build 1.0.0");
  auto node = root / "node";
  fs::create_directories(node);
  must(run({"/bin/tar", "xzf", out + "/synthetic-1.0.0.tar.gz", "-C", node.string()}) == 0,
       "untar");
  must(run({relc, "build", (root / "r2.rel").string(), "--lib-dir", lib, "--out", out,
            "--upfrom", "1.0.0"}) == 0, "build 2.0.0");
  must(run({relc, "build", (root / "r3.rel").string(), "--lib-dir", lib, "--out", out,
            "--upfrom", "2.0.0"}) == 0, "build 3.0.0");
  auto script = (node / "bin/synthetic").string();
  auto bin = [&](std::vector<std::string> args, std::string* text = nullptr) {
    args.insert(args.begin(), {"/bin/sh", script});
    return run(args, text);
  };
  must(bin({"start", "--env", "bsc.traffic=true"}) == 0, "start");
  must(bin({"unpack", out + "/synthetic-2.0.0.tar.gz"}) == 0, "unpack 2.0.0");
  must(bin({"unpack", out + "/synthetic-3.0.0.tar.gz"}) == 0, "unpack 3.0.0");
  // A counter the traffic generator publishes every 50 calls; an install
  // gives bsc the new release's env, so it can be absent for a moment.
  auto env = [&](const std::string& key) {
    std::string line;
    for (int tries = 0; tries < 100; ++tries) {
      std::string text;
      bin({"rpc", "env_get", "bsc", key}, &text);
      line = text.substr(0, text.find('\n'));
      if (!line.empty() && isdigit(static_cast<unsigned char>(line[0])))
        break;
      usleep(20000);
    }
    return line;
  };
  series update_node, update_cmd, update_script, restart_node, restart_cmd,
    restart_script;
  auto socket = (node / "run/synthetic.sock").string();
  auto since = [](clock_type::time_point t0) {
    return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
  };
  // Every other install through bin/<rel> (a shell and a relc ctl process
  // on top of the request).
  bool via_script = false;
  auto install = [&](const std::string& vsn, series& inside, series& command,
                     series& scripted) {
    std::string report;
    auto t0 = clock_type::now();
    if (via_script) {
      must(bin({"install", vsn}, &report) == 0, "install " + vsn);
      scripted.xs.push_back(since(t0));
    } else {
      report = request(socket, "install " + vsn);
      must(report.rfind("ok\n", 0) == 0, "install " + vsn + ": " + report);
      command.xs.push_back(since(t0));
    }
    via_script = !via_script;
    inside.xs.push_back(installed_at(report));
  };
  auto calls_before = atol(env("traffic_ok").c_str());
  for (int r = 0; r < runs; ++r) {
    install("2.0.0", update_node, update_cmd, update_script);
    install("1.0.0", update_node, update_cmd, update_script);
  }
  install("2.0.0", update_node, update_cmd, update_script);
  for (int r = 0; r < runs; ++r) {
    install("3.0.0", restart_node, restart_cmd, restart_script);
    install("2.0.0", restart_node, restart_cmd, restart_script);
  }
  auto calls = atol(env("traffic_ok").c_str()) - calls_before;
  auto failed = env("traffic_failed");
  bin({"stop"});
  printf("install in a running node of %d apps + bsc, %d installs each "
         "(median, min-max)\n", n, 2 * runs + 1);
  printf("%-32s %-26s %-26s %s\n", "change", "in the node",
         "admin request to reply", "bin/<rel> install");
  printf("%-32s %-26s %-26s %s\n", "update (bsc frequency, 1 actor)",
         update_node.text().c_str(), update_cmd.text().c_str(),
         update_script.text().c_str());
  printf("%-32s %-26s %-26s %s\n", ("restart_application (" + last + ")").c_str(),
         restart_node.text().c_str(), restart_cmd.text().c_str(),
         restart_script.text().c_str());
  printf("calls to bsc's frequency server meanwhile: %ld, failed: %s\n", calls,
         failed.c_str());
  fs::remove_all(root);
}
