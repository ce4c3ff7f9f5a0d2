#include "relc/runtime/blocking.hpp"

#include <pthread.h>

#include <atomic>
#include <cstring>

#include <caf/actor_system_config.hpp>
#include <caf/thread_hook.hpp>

#include "relc/runtime/runtime_error.hpp"

namespace relc {

namespace {

// What this thread is: not known yet, may block, or a scheduler thread.
enum class thread_kind : signed char { unknown, may_block, scheduler };

thread_local thread_kind this_thread = thread_kind::unknown;

// Set once a hook marks threads: unmarked threads are then not CAF's.
std::atomic<bool> hook_installed{false};

// CAF 0.17 names its scheduler workers and its I/O loop "caf.multiplexer"
// (detached actors "caf.actor", the clock "caf.clock").
bool named_like_scheduler() {
  char name[16] = {};
  if (pthread_getname_np(pthread_self(), name, sizeof name) != 0)
    return false;
  return std::strcmp(name, "caf.multiplexer") == 0;
}

class scheduler_marker : public caf::thread_hook {
public:
  void init(caf::actor_system&) override {
    // nop
  }
  void thread_started() override {
    this_thread = named_like_scheduler() ? thread_kind::scheduler
                                         : thread_kind::may_block;
  }
  void thread_terminates() override {
    // nop
  }
};

} // namespace

bool on_scheduler_thread() {
  if (this_thread == thread_kind::unknown)
    this_thread = !hook_installed.load(std::memory_order_relaxed)
                      && named_like_scheduler()
                    ? thread_kind::scheduler
                    : thread_kind::may_block;
  return this_thread == thread_kind::scheduler;
}

caf::error refuse_blocking(const std::string& helper,
                           const std::string& instead) {
  return make_error(runtime_errc::would_block,
                    helper + " called inside an actor (a CAF scheduler "
                             "thread), where it would wait for ever: "
                      + instead);
}

void mark_scheduler_threads(caf::actor_system_config& cfg) {
  hook_installed.store(true, std::memory_order_relaxed);
  cfg.add_thread_hook<scheduler_marker>();
}

} // namespace relc
