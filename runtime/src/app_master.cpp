#include "app_master.hpp"

#include <chrono>
#include <exception>

#include <caf/all.hpp>

#include "exception_error.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "start_signal.hpp"

namespace relc {

job_result run_guarded(const master_job& job) {
  job_result result;
  try {
    result = job();
  } catch (...) {
    result.error = current_exception_error();
  }
  return result;
}

namespace {

// After a job the next one usually follows within microseconds (the
// controller's next start or stop): the master looks for it a while
// before it sleeps, since waking a sleeping thread costs tens of
// microseconds on a machine whose cores CAF's workers keep busy.
constexpr std::chrono::microseconds spin_time{100};

void master_loop(caf::blocking_actor* self, caf::actor owner) {
  // A master ends with its controller, whichever list it is (not) in then:
  // a master that answers after the controller is gone must not be left
  // waiting (the actor system would join its thread for ever).
  self->monitor(owner);
  bool running = true;
  while (running) {
    {
      spin_permit permit;
      auto until = std::chrono::steady_clock::now() + spin_time;
      while (permit && self->mailbox().empty()
             && std::chrono::steady_clock::now() < until)
        cpu_relax();
    }
    self->receive(
      [](master_atoms::run, const master_job& job) { return run_guarded(job); },
      [&](caf::exit_msg&) { running = false; },
      [&](caf::down_msg&) { running = false; });
  }
}

} // namespace

caf::actor spawn_app_master(caf::actor_system& sys, const caf::actor& owner) {
  return sys.spawn<caf::hidden>(master_loop, owner);
}

} // namespace relc
