// Benchmark of operating a release: `bin/<rel> start` until `ping` answers,
// and `bin/<rel> stop` until the node process is gone, for the bsc example
// and a synthetic release of 500 apps. Medians with min-max of R runs
// (default 7). With --against, the same releases are also built by another
// build's relc (with that build's bench app and example libraries) and the
// two builds alternate run by run, so noise hits them alike ("nothing may
// get slower"). Not a test.
// Usage: ops_bench [--runs R] [--against RELC APP_LIB EXAMPLE_LIB_DIR]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_process.hpp"
#include "bench_stats.hpp"
#include "synthetic_release.hpp"

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

namespace {

int run(const std::vector<std::string>& argv, std::string* out = nullptr) {
  return relc::bench::run_command(argv, out);
}

// True while `pid` runs; an exited process waiting to be reaped by init (a
// zombie) has stopped, whatever init's reaping delay.
bool running(int pid) {
  std::ifstream stat{"/proc/" + std::to_string(pid) + "/stat"};
  std::string line;
  if (!std::getline(stat, line))
    return false;
  auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size()
         && line[close + 2] != 'Z';
}

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

// One build's view of the benchmark: the tools it builds with, the
// release scripts they wrote, and what was measured of each.
struct build {
  std::string label;
  std::string relc, app_lib, example_lib_dir;
  struct release {
    std::string label;
    std::string script;
    relc::bench::series start, stop;
  };
  release bsc{"bsc example"}, synthetic{"synthetic, 500 apps"};
};

// The releases of a build, in the order they are measured and printed.
constexpr build::release build::*releases[] = {&build::bsc, &build::synthetic};

// `bin/<rel> start` until ping answers, then `stop` until the process is gone.
bool measure_once(const std::string& what, build::release& r) {
  auto t0 = clock_type::now();
  if (run({"/bin/sh", r.script, "start"}) != 0) {
    fprintf(stderr, "%s: %s start failed\n", what.c_str(), r.script.c_str());
    return false;
  }
  std::string pong;
  while (run({"/bin/sh", r.script, "ping"}, &pong) != 0)
    ; // start returns after the node reported started: this loop is a check
  r.start.add(ms_since(t0));
  std::string pid_text;
  run({"/bin/sh", r.script, "pid"}, &pid_text);
  auto pid = atoi(pid_text.c_str());
  t0 = clock_type::now();
  run({"/bin/sh", r.script, "stop"});
  while (pid > 0 && running(pid))
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  r.stop.add(ms_since(t0));
  return true;
}

// Builds bsc and the 500-app release with `b`'s relc under `root`.
bool prepare(build& b, const fs::path& root) {
  if (run({b.relc, "build", RELC_BENCH_SOURCE_DIR "/rel/bsc.rel", "--lib-dir",
           b.example_lib_dir, "--out", (root / "ex").string(), "--no-tar"})
      != 0) {
    fprintf(stderr, "%s: relc build of bsc failed\n", b.label.c_str());
    return false;
  }
  b.bsc.script = (root / "ex/bsc/bin/bsc").string();
  auto dir = root / "syn";
  relc::bench::make_synthetic_release(dir.string(), 500, 42, b.app_lib);
  if (run({b.relc, "build", (dir / "synthetic.rel").string(), "--lib-dir",
           (dir / "lib").string(), "--out", (dir / "out").string(), "--no-tar"})
      != 0) {
    fprintf(stderr, "%s: relc build of the synthetic release failed\n",
            b.label.c_str());
    return false;
  }
  b.synthetic.script = (dir / "out/synthetic/bin/synthetic").string();
  return true;
}

} // namespace

int main(int argc, char** argv) {
  int runs = 7;
  std::vector<build> builds{{"this build", RELC_BENCH_RELC, RELC_BENCH_APP_LIB,
                             RELC_BENCH_EXAMPLE_LIB_DIR}};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc) {
      runs = std::max(1, atoi(argv[++i]));
    } else if (a == "--against" && i + 3 < argc) {
      builds.push_back({"other build", argv[i + 1], argv[i + 2], argv[i + 3]});
      i += 3;
    } else {
      fprintf(stderr, "usage: ops_bench [--runs R] "
                      "[--against RELC APP_LIB EXAMPLE_LIB_DIR]\n");
      return 2;
    }
  }
  auto root = fs::temp_directory_path() / ("relc-ops-bench-" + std::to_string(getpid()));
  for (size_t i = 0; i < builds.size(); ++i)
    if (!prepare(builds[i], root / std::to_string(i))) {
      fs::remove_all(root);
      return 1;
    }
  for (int r = 0; r < runs; ++r)
    for (auto& b : builds)
      for (auto member : releases)
        if (!measure_once(b.label, b.*member)) {
          fs::remove_all(root);
          return 1;
        }
  printf("bin/<rel> start until ping answers, stop until the process is gone: "
         "median (min-max) of %d runs\n%-12s %-20s %-26s %s\n",
         runs, "build", "release", "start->ping", "stop->gone");
  for (auto& b : builds)
    for (auto member : releases) {
      auto& r = b.*member;
      printf("%-12s %-20s %-26s %s\n", b.label.c_str(), r.label.c_str(),
             r.start.text("ms").c_str(), r.stop.text("ms").c_str());
    }
  if (builds.size() == 2)
    for (auto member : releases) {
      auto& x = builds[0].*member;
      auto& y = builds[1].*member;
      printf("%-20s this/other: start->ping %.2fx, stop->gone %.2fx\n",
             x.label.c_str(), x.start.median() / y.start.median(),
             x.stop.median() / y.stop.median());
    }
  fs::remove_all(root);
}
