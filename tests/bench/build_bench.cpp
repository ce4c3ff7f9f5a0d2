// Benchmark of `relc build` (check + assemble + tar) on synthetic releases
// of N apps, against the floor `tar czf` of the release directory it wrote.
// Prints a table; not a test.
// Usage: build_bench [N...] [--runs R] [--work-dir DIR]  (default: $TMPDIR)
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "synthetic_release.hpp"

namespace fs = std::filesystem;

namespace {

double run_seconds(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  fflush(stdout); // or the child's freopen writes our buffer a second time
  auto t0 = std::chrono::steady_clock::now();
  auto pid = fork();
  if (pid == 0) {
    (void) !freopen("/dev/null", "w", stdout);
    (void) !freopen("/dev/null", "w", stderr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  auto t1 = std::chrono::steady_clock::now();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "command failed: %s\n", argv[0].c_str());
    exit(1);
  }
  return std::chrono::duration<double>(t1 - t0).count();
}

double best_of(int runs, const std::vector<std::string>& argv) {
  double best = 1e9;
  for (int i = 0; i < runs; ++i)
    best = std::min(best, run_seconds(argv));
  return best;
}

} // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes;
  int runs = 3;
  fs::path work = fs::temp_directory_path();
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc)
      runs = atoi(argv[++i]);
    else if (a == "--work-dir" && i + 1 < argc)
      work = argv[++i];
    else
      sizes.push_back(atoi(argv[i]));
  }
  if (sizes.empty())
    sizes = {10, 100, 500, 1000};
  auto root = work / ("relc-build-bench-" + std::to_string(getpid()));
  printf("relc build benchmark in %s (best of %d runs; library %s, %ju bytes)\n",
         work.c_str(), runs,
         fs::path{RELC_BENCH_APP_LIB}.filename().c_str(),
         static_cast<uintmax_t>(fs::file_size(RELC_BENCH_APP_LIB)));
  printf("%6s %12s %12s %8s %12s %12s\n", "N", "relc build", "tar czf", "ratio",
         "tarball", "release dir");
  for (auto n : sizes) {
    auto dir = root / std::to_string(n);
    relc::bench::make_synthetic_release(dir.string(), n, 42, RELC_BENCH_APP_LIB);
    auto out = (dir / "out").string();
    auto build = best_of(runs, {RELC_BENCH_RELC, "build", (dir / "synthetic.rel").string(),
                                "--lib-dir", (dir / "lib").string(), "--out", out});
    auto tar = best_of(runs, {"/bin/tar", "czf", (dir / "floor.tar.gz").string(),
                              "-C", out, "synthetic"});
    uintmax_t dir_bytes = 0;
    for (auto& e : fs::recursive_directory_iterator{dir / "out" / "synthetic"})
      if (e.is_regular_file())
        dir_bytes += e.file_size();
    printf("%6d %11.3fs %11.3fs %7.2fx %11.1fM %11.1fM\n", n, build, tar, build / tar,
           fs::file_size(dir / "out" / "synthetic-1.0.0.tar.gz") / 1e6, dir_bytes / 1e6);
    fflush(stdout);
  }
  fs::remove_all(root);
}
