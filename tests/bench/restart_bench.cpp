// Supervisor restart throughput: a one_for_one supervisor whose only child
// crashes as soon as it runs; restarts per second, as the median (min-max)
// of R rounds of RESTARTS restarts each. Not a test.
// Usage: restart_bench [RESTARTS] [--runs R] [--as-node]
//   --as-node: CAF configured as relc boot configures a node (one
//   scheduler thread per core, workers that poll longer before they nap)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>

#include "relc/runtime/log.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "relc/runtime/supervisor.hpp"

#include "bench_stats.hpp"

using namespace std::chrono_literals;

namespace {

using crash_atom = caf::atom_constant<caf::atom("crash")>;

caf::behavior crasher(caf::event_based_actor* self) {
  self->send(self, crash_atom::value);
  return {[self](crash_atom) {
    self->quit(relc::make_error(relc::runtime_errc::start_failed, "crash"));
  }};
}

} // namespace

int main(int argc, char** argv) {
  long target = 20000;
  int runs = 5;
  bool as_node = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc)
      runs = atoi(argv[++i]);
    else if (a == "--as-node")
      as_node = true;
    else
      target = atol(argv[i]);
  }
  std::atomic<long> starts{0};
  // Count starts from the supervisor's own reports; print nothing per event.
  relc::set_log_sink([&](relc::log_level, const std::string& line) {
    if (line.find("started child") != std::string::npos)
      ++starts;
  });
  caf::actor_system_config cfg;
  if (as_node) {
    cfg.set("scheduler.max-threads",
            std::max(1u, std::thread::hardware_concurrency()));
    cfg.set("work-stealing.aggressive-poll-attempts", 10000);
  }
  caf::actor_system sys{cfg};
  relc::child_spec child;
  child.id = "crasher";
  child.start = [](caf::actor_system& s, const relc::term&)
    -> caf::expected<caf::actor> { return s.spawn(crasher); };
  relc::supervisor_flags flags;
  flags.intensity = 1000000000;
  flags.period = 1s;
  flags.name = "bench_sup";
  relc::bench::series rates;
  for (int r = 0; r < runs; ++r) {
    starts = 0;
    auto t0 = std::chrono::steady_clock::now();
    auto sup = relc::start_supervisor(sys, flags, {child});
    if (!sup)
      return 1;
    while (starts < target)
      std::this_thread::sleep_for(1ms);
    auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    caf::anon_send_exit(*sup, caf::exit_reason::kill);
    rates.add(starts.load() / secs);
  }
  printf("supervisor restart throughput (one_for_one, child crashes at once%s), "
         "%d rounds of %ld: median %s\n", as_node ? ", CAF as in a node" : "",
         runs, target, rates.text(" restarts/s", 0).c_str());
}
