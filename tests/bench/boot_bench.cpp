// Benchmark of relc boot on synthetic releases of N apps (each a supervisor
// with 2 workers and 3 start phases): boot-to-ready and orderly stop as the
// node itself times and logs them, peak RSS of the node process, and
// the floor: a process that only loads the same N libraries. Not a test.
// Usage: boot_bench [N...] [--runs R]
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "synthetic_release.hpp"

namespace fs = std::filesystem;

namespace {

struct process_result {
  std::string out;
  std::string err;
  long max_rss_kb = 0;
  int status = 0;
};

std::string slurp(const fs::path& p) {
  std::ifstream in{p};
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs argv; when `stop_when` appears in stderr, sends SIGTERM.
process_result run(const std::vector<std::string>& argv, const fs::path& scratch,
                   const std::string& stop_when = "") {
  auto out_path = scratch / ".bench.out";
  auto err_path = scratch / ".bench.err";
  std::vector<char*> args;
  for (auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  fflush(stdout);
  auto pid = fork();
  if (pid == 0) {
    (void) !freopen(out_path.c_str(), "w", stdout);
    (void) !freopen(err_path.c_str(), "w", stderr);
    execv(args[0], args.data());
    _exit(127);
  }
  if (!stop_when.empty()) {
    for (int i = 0; i < 60000; ++i) {
      if (slurp(err_path).find(stop_when) != std::string::npos)
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    kill(pid, SIGTERM);
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  process_result r;
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  r.max_rss_kb = usage.ru_maxrss;
  r.status = status;
  return r;
}

// The milliseconds right after `prefix` in the node's log, or -1.
double logged_ms(const std::string& log, const std::string& prefix) {
  auto pos = log.find(prefix);
  if (pos == std::string::npos)
    return -1;
  return atof(log.c_str() + pos + prefix.size());
}

} // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes;
  int runs = 3;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc)
      runs = atoi(argv[++i]);
    else
      sizes.push_back(atoi(argv[i]));
  }
  if (sizes.empty())
    sizes = {10, 100, 500, 1000};
  auto root = fs::temp_directory_path() / ("relc-boot-bench-" + std::to_string(getpid()));
  fs::create_directories(root);
  printf("relc boot benchmark (best of %d runs; each app: a supervisor, 2 workers, "
         "3 start phases)\n", runs);
  printf("%6s %12s %10s %12s %8s %10s %10s\n", "N", "load floor", "floor RSS",
         "boot->ready", "ratio", "stop", "peak RSS");
  for (auto n : sizes) {
    auto dir = root / std::to_string(n);
    relc::bench::make_synthetic_release(dir.string(), n, 42, RELC_BENCH_APP_LIB);
    {
      std::ofstream spec{dir / "synthetic.rel", std::ios::app};
      spec << "include_runtime: false\n";
    }
    auto built = run({RELC_BENCH_RELC, "build", (dir / "synthetic.rel").string(),
                      "--lib-dir", (dir / "lib").string(), "--out",
                      (dir / "out").string(), "--no-tar"},
                     dir);
    if (built.status != 0) {
      fprintf(stderr, "relc build failed:\n%s", built.err.c_str());
      return 1;
    }
    auto rel = dir / "out" / "synthetic";
    std::vector<std::string> floor_argv{RELC_BENCH_LOAD_FLOOR};
    for (int i = 0; i < n; ++i)
      floor_argv.push_back(
        (rel / "lib" / ("app_" + std::to_string(i) + "-1.0.0") / "lib"
         / ("libapp_" + std::to_string(i) + ".so"))
          .string());
    double floor = 1e9, ready = 1e9, stop = 1e9;
    long floor_rss = 0, rss = 0;
    for (int r = 0; r < runs; ++r) {
      auto f = run(floor_argv, dir);
      floor = std::min(floor, atof(f.out.c_str()));
      floor_rss = std::max(floor_rss, f.max_rss_kb);
      // No --init-debug: printing every step would slow what it measures.
      // The node logs "started REL VSN in X ms" (from the start of loading)
      // and "stopped in Y ms".
      auto b = run({RELC_BENCH_NODE, "boot", rel.string()}, dir,
                   "init: started synthetic");
      auto t_ready = logged_ms(b.err, "init: started synthetic 1.0.0 in ");
      auto t_stop = logged_ms(b.err, "init: stopped in ");
      if (t_ready < 0 || t_stop < 0) {
        fprintf(stderr, "boot did not reach started:\n%s", b.err.c_str());
        return 1;
      }
      ready = std::min(ready, t_ready);
      stop = std::min(stop, t_stop);
      rss = std::max(rss, b.max_rss_kb);
    }
    printf("%6d %10.1fms %8.1fMB %10.1fms %7.2fx %8.1fms %8.1fMB\n", n, floor,
           floor_rss / 1024.0, ready, ready / floor, stop, rss / 1024.0);
    fflush(stdout);
  }
  if (getenv("RELC_BENCH_KEEP"))
    printf("releases kept under %s\n", root.c_str());
  else
    fs::remove_all(root);
}
