// Benchmark of operating a release: `bin/<rel> start` until `ping` answers,
// and `bin/<rel> stop` until the node process is gone, for the bsc example
// and a synthetic release of 500 apps. Not a test.
// Usage: ops_bench [--runs R]
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

void measure(const std::string& label, const std::string& script, int runs) {
  double best_start = 1e9, best_stop = 1e9;
  for (int r = 0; r < runs; ++r) {
    auto t0 = clock_type::now();
    if (run({"/bin/sh", script, "start"}) != 0) {
      fprintf(stderr, "%s: start failed\n", label.c_str());
      exit(1);
    }
    std::string pong;
    while (run({"/bin/sh", script, "ping"}, &pong) != 0)
      ; // start returns after the node reported started: this loop is a check
    best_start = std::min(best_start, ms_since(t0));
    std::string pid_text;
    run({"/bin/sh", script, "pid"}, &pid_text);
    auto pid = atoi(pid_text.c_str());
    t0 = clock_type::now();
    run({"/bin/sh", script, "stop"});
    while (pid > 0 && running(pid))
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    best_stop = std::min(best_stop, ms_since(t0));
  }
  printf("%-22s %12.1fms %12.1fms\n", label.c_str(), best_start, best_stop);
}

} // namespace

int main(int argc, char** argv) {
  int runs = 5;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string{argv[i]} == "--runs")
      runs = atoi(argv[i + 1]);
  auto root = fs::temp_directory_path() / ("relc-ops-bench-" + std::to_string(getpid()));
  fs::create_directories(root);
  printf("bin/<rel> start until ping answers, stop until the process is gone "
         "(best of %d)\n%-22s %14s %14s\n", runs, "release", "start->ping", "stop->gone");
  if (run({RELC_BENCH_RELC, "build", RELC_BENCH_SOURCE_DIR "/rel/bsc.rel", "--lib-dir",
           RELC_BENCH_EXAMPLE_LIB_DIR, "--out", (root / "ex").string(), "--no-tar"})
      != 0)
    return 1;
  measure("bsc example", (root / "ex/bsc/bin/bsc").string(), runs);
  auto dir = root / "syn";
  relc::bench::make_synthetic_release(dir.string(), 500, 42, RELC_BENCH_APP_LIB);
  if (run({RELC_BENCH_RELC, "build", (dir / "synthetic.rel").string(), "--lib-dir",
           (dir / "lib").string(), "--out", (dir / "out").string(), "--no-tar"})
      != 0)
    return 1;
  measure("synthetic, 500 apps", (dir / "out/synthetic/bin/synthetic").string(), runs);
  fs::remove_all(root);
}
