// Benchmark of relc boot on synthetic releases of N apps (each a supervisor
// with 2 workers and 3 start phases), in three shapes: empty phases
// (bench_app.cpp), the work-matched shape (bench_work_app.cpp: 3 names
// registered from start, one call to a worker per phase) and the OTP shape
// users write (bench_otp_app.cpp: each child start function registers its
// worker with the blocking helper, one call per phase). For each:
// exec-to-ready timed from outside the node
// (the start-notification FIFO bin/<rel> start waits on), the orderly stop
// as the node logs it and as seen from outside (SIGTERM to exit), peak RSS,
// and the floor: a process that loads the same libraries and spawns the
// same actors, timed the same way. Medians with min-max of R runs (default
// 5); run configurations alternate, so noise hits them alike. The first
// boot of each release (it hashes every library) is reported apart. Not a
// test.
// Usage: boot_bench [N...] [--runs R] [--shape empty|work|otp|all]
//                   [--start sequential|parallel|both]
//                   [--one-thread]   each configuration also with one CAF
//                   scheduler thread (--scheduler.max-threads=1)
//                   [--against RELC NODE APP_LIB]   also boot the empty shape
//                   with another build's relc, node and bench app (an older
//                   relc: "nothing may get slower"), alternating with this one
//                   [--busy K]   K busy-loop processes run beside the timed
//                   runs: a machine where other work keeps cores busy
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>
#include <sstream>
#include <string>
#include <vector>

#include "bench_stats.hpp"
#include "synthetic_release.hpp"

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in{p};
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

struct sample {
  double ready_ms = -1;     // exec -> ready, from outside
  double stop_ms = -1;      // the node's own "stopped in" figure
  double exit_ms = -1;      // SIGTERM -> process gone, from outside
  long max_rss_kb = 0;
};

// Runs argv with stdout/stderr to files; `ready_fd_path` is a FIFO the
// process writes its first line to (the node's --notify-fifo), or empty to
// read the first line of stdout through a pipe (the floor).
sample run_once(const std::vector<std::string>& argv, const fs::path& scratch,
                bool via_fifo) {
  auto err_path = scratch / ".bench.err";
  auto fifo = scratch / ".bench.fifo";
  std::vector<std::string> args = argv;
  int pipe_fd[2] = {-1, -1};
  if (via_fifo) {
    fs::remove(fifo);
    mkfifo(fifo.c_str(), 0600);
    args.push_back("--notify-fifo");
    args.push_back(fifo.string());
  } else {
    (void) !pipe(pipe_fd);
  }
  std::vector<char*> cargs;
  for (auto& a : args)
    cargs.push_back(const_cast<char*>(a.c_str()));
  cargs.push_back(nullptr);
  fflush(stdout);
  auto t0 = clock_type::now();
  auto pid = fork();
  if (pid == 0) {
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(err, STDERR_FILENO);
    if (via_fifo) {
      dup2(err, STDOUT_FILENO);
    } else {
      dup2(pipe_fd[1], STDOUT_FILENO);
      close(pipe_fd[0]);
    }
    execv(cargs[0], cargs.data());
    _exit(127);
  }
  int fd = -1;
  if (via_fifo) {
    fd = open(fifo.c_str(), O_RDONLY);
  } else {
    close(pipe_fd[1]);
    fd = pipe_fd[0];
  }
  char buf[256];
  auto n = read(fd, buf, sizeof buf);
  sample s;
  if (n > 0 && (std::string{buf, static_cast<size_t>(n)}.rfind("started", 0) == 0
                || std::string{buf, static_cast<size_t>(n)}.rfind("ready", 0) == 0))
    s.ready_ms = ms_since(t0);
  close(fd);
  // Peak RSS of the process image since exec (VmHWM), read while it runs:
  // wait4's ru_maxrss would also count the forked copy of this benchmark.
  {
    std::ifstream status{"/proc/" + std::to_string(pid) + "/status"};
    std::string line;
    while (std::getline(status, line))
      if (line.rfind("VmHWM:", 0) == 0)
        s.max_rss_kb = atol(line.c_str() + 6);
  }
  auto t1 = clock_type::now();
  if (via_fifo)
    kill(pid, SIGTERM);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  s.exit_ms = ms_since(t1);
  auto log = slurp(err_path);
  if (auto at = log.find("init: stopped in "); at != std::string::npos)
    s.stop_ms = atof(log.c_str() + at + 17);
  if (s.ready_ms < 0)
    fprintf(stderr, "%s did not get ready:\n%s", argv[0].c_str(), log.c_str());
  return s;
}

using stats = relc::bench::series;

// Processes that only burn a core each, for as long as this lives.
class busy_loops {
public:
  explicit busy_loops(int k) {
    for (int i = 0; i < k; ++i) {
      auto pid = fork();
      if (pid == 0) {
        volatile unsigned long spin = 0;
        for (;;)
          spin = spin + 1;
      }
      if (pid > 0)
        pids_.push_back(pid);
    }
  }
  ~busy_loops() {
    for (auto pid : pids_) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
  busy_loops(const busy_loops&) = delete;
  busy_loops& operator=(const busy_loops&) = delete;

private:
  std::vector<pid_t> pids_;
};

struct config_stats {
  stats ready, stop, exit, rss;
};

} // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes;
  int runs = 5;
  const std::vector<std::string> all_shapes{"empty", "work", "otp"};
  std::vector<std::string> shapes = all_shapes;
  bool one_thread = false;
  std::vector<std::string> starts{"sequential", "parallel"};
  std::string other_relc, other_node, other_lib;
  int busy = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc)
      runs = atoi(argv[++i]);
    else if (a == "--busy" && i + 1 < argc)
      busy = std::max(0, atoi(argv[++i]));
    else if (a == "--one-thread")
      one_thread = true;
    else if (a == "--shape" && i + 1 < argc) {
      std::string s = argv[++i];
      shapes = s == "all" || s == "both" ? all_shapes : std::vector<std::string>{s};
    } else if (a == "--against" && i + 3 < argc) {
      other_relc = argv[++i];
      other_node = argv[++i];
      other_lib = argv[++i];
    } else if (a == "--start" && i + 1 < argc) {
      std::string s = argv[++i];
      starts = s == "both" ? std::vector<std::string>{"sequential", "parallel"}
                           : std::vector<std::string>{s};
    } else if (!a.empty() && a.find_first_not_of("0123456789") == std::string::npos
               && atoi(a.c_str()) > 0) {
      sizes.push_back(atoi(a.c_str()));
    } else {
      fprintf(stderr,
              "usage: boot_bench [N...] [--runs R] [--shape empty|work|otp|all] "
              "[--start sequential|parallel|both] [--one-thread] "
              "[--against RELC NODE BENCH_APP_SO] [--busy K]\n");
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  if (runs < 1) {
    fprintf(stderr, "boot_bench: --runs: expected a positive count\n");
    return 2;
  }
  std::vector<std::string> configs;
  for (auto& shape : shapes)
    for (auto& start : starts) {
      configs.push_back(shape + "/" + start);
      if (one_thread)
        configs.push_back(shape + "/" + start + "/1t");
    }
  if (sizes.empty())
    sizes = {100, 500};
  auto root = fs::temp_directory_path() / ("relc-boot-bench-" + std::to_string(getpid()));
  fs::create_directories(root);
  printf("relc boot benchmark: median (min-max) of %d runs, exec-to-ready timed from "
         "outside;\neach app: a supervisor, 2 workers, 3 start phases (empty: phases do "
         "nothing; work: 3 names registered from start, 1 call per phase; otp: each "
         "child start function registers its worker (blocking helper), 1 call per "
         "phase; /1t: one scheduler thread)\n", runs);
  if (busy > 0)
    printf("with %d busy-loop process(es) beside every run (of %u cores)\n", busy,
           std::thread::hardware_concurrency());
  for (auto n : sizes) {
    // Build one release per shape; the floor is the same for both.
    // One release per shape and start mode ("work/parallel").
    std::map<std::string, fs::path> releases;
    for (auto& config : configs) {
      auto shape = config.substr(0, config.find('/'));
      auto parallel = config.find("parallel") != std::string::npos;
      auto dir = root / (std::to_string(n) + "-" + shape + (parallel ? "-par" : ""));
      if (fs::exists(dir / "out")) { // the same release, one thread
        releases[config] = dir / "out" / "synthetic";
        continue;
      }
      auto library = shape == "work"  ? RELC_BENCH_WORK_APP_LIB
                     : shape == "otp" ? RELC_BENCH_OTP_APP_LIB
                                      : RELC_BENCH_APP_LIB;
      relc::bench::make_synthetic_release(dir.string(), n, 42, library, shape);
      std::ofstream{dir / "synthetic.rel", std::ios::app}
        << "include_runtime: false\n" << (parallel ? "start: parallel\n" : "");
      auto cmd = std::string{RELC_BENCH_RELC} + " build " + (dir / "synthetic.rel").string()
                 + " --lib-dir " + (dir / "lib").string() + " --out "
                 + (dir / "out").string() + " --no-tar > /dev/null 2>&1";
      if (system(cmd.c_str()) != 0) {
        fprintf(stderr, "relc build failed for %s\n", dir.c_str());
        return 1;
      }
      releases[config] = dir / "out" / "synthetic";
    }
    // The same empty-shape release built and booted by the other relc.
    fs::path other_release;
    if (!other_node.empty()) {
      auto dir = root / (std::to_string(n) + "-other");
      relc::bench::make_synthetic_release(dir.string(), n, 42, other_lib, "empty");
      std::ofstream{dir / "synthetic.rel", std::ios::app} << "include_runtime: false\n";
      auto cmd = other_relc + " build " + (dir / "synthetic.rel").string() + " --lib-dir "
                 + (dir / "lib").string() + " --out " + (dir / "out").string()
                 + " --no-tar > /dev/null 2>&1";
      if (system(cmd.c_str()) != 0) {
        fprintf(stderr, "the other relc's build failed for %s\n", dir.c_str());
        return 1;
      }
      other_release = dir / "out" / "synthetic";
    }
    // The floor of each shape loads that shape's libraries.
    std::map<std::string, std::vector<std::string>> floor_argv;
    for (auto& [config, rel] : releases) {
      auto shape = config.substr(0, config.find('/'));
      auto& argv_ = floor_argv[shape];
      if (!argv_.empty())
        continue;
      argv_.push_back(RELC_BENCH_LOAD_FLOOR);
      for (int i = 0; i < n; ++i)
        argv_.push_back((rel / "lib" / ("app_" + std::to_string(i) + "-1.0.0") / "lib"
                         / ("libapp_" + std::to_string(i) + ".so"))
                          .string());
    }
    // The first boot of a release verifies every library (later boots hash
    // only what changed since, runtime.md): timed once, apart from the
    // runs. Its libraries must be a second old to be recorded.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    std::map<std::string, double> first_boot;
    auto boot_argv = [](const std::string& config, const fs::path& rel) {
      std::vector<std::string> argv{RELC_BENCH_NODE, "boot", rel.string()};
      if (config.size() > 3 && config.compare(config.size() - 3, 3, "/1t") == 0)
        argv.push_back("--scheduler.max-threads=1");
      return argv;
    };
    for (auto& [config, rel] : releases) {
      if (first_boot.count(config.substr(0, config.rfind("/1t"))))
        continue; // its release booted once already
      auto b = run_once(boot_argv(config, rel), root, true);
      if (b.ready_ms < 0 || b.stop_ms < 0)
        return 1;
      first_boot[config] = b.ready_ms;
    }
    std::map<std::string, config_stats> floor, boot;
    busy_loops beside{busy};
    for (int r = 0; r < runs; ++r) {
      for (auto& [shape, argv_] : floor_argv) {
        auto f = run_once(argv_, root, false);
        floor[shape].ready.add(f.ready_ms);
        floor[shape].rss.add(f.max_rss_kb / 1024.0);
      }
      for (auto& [config, rel] : releases) {
        auto b = run_once(boot_argv(config, rel), root, true);
        if (b.ready_ms < 0 || b.stop_ms < 0)
          return 1;
        auto& c = boot[config];
        c.ready.add(b.ready_ms);
        c.stop.add(b.stop_ms);
        c.exit.add(b.exit_ms);
        c.rss.add(b.max_rss_kb / 1024.0);
      }
      if (!other_release.empty()) {
        auto b = run_once({other_node, "boot", other_release.string()}, root, true);
        if (b.ready_ms < 0 || b.stop_ms < 0)
          return 1;
        auto& c = boot["empty/other-build"];
        c.ready.add(b.ready_ms);
        c.stop.add(b.stop_ms);
        c.exit.add(b.exit_ms);
        c.rss.add(b.max_rss_kb / 1024.0);
      }
    }
    printf("\nN=%d\n", n);
    for (auto& [shape, f] : floor)
      printf("  %-17s floor (load + spawn) ready %-24s RSS %s\n", shape.c_str(),
             f.ready.text("ms").c_str(), f.rss.text("MB").c_str());
    for (auto& [config, c] : boot) {
      // The other build boots the empty shape: no ratio without its floor.
      auto f = floor.find(config.substr(0, config.find('/')));
      auto ratio = f == floor.end()
                     ? std::string{"  n/a"}
                     : std::to_string(c.ready.median() / f->second.ready.median())
                         .substr(0, 4) + "x";
      printf("  %-17s ready %-24s = %s floor   stop %s (exit %s)   RSS %s\n",
             config.c_str(), c.ready.text("ms").c_str(), ratio.c_str(),
             c.stop.text("ms").c_str(), c.exit.text("ms").c_str(),
             c.rss.text("MB").c_str());
    }
    for (auto& [config, ms] : first_boot)
      printf("  %-17s first boot (verifies every library) ready %.1f ms\n",
             config.c_str(), ms);
    fflush(stdout);
  }
  if (getenv("RELC_BENCH_KEEP"))
    printf("releases kept under %s\n", root.c_str());
  else
    fs::remove_all(root);
}
