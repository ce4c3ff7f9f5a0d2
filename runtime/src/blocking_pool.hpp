#pragma once

// Where code that may block runs (private to the runtime): never on a CAF
// scheduler thread. Tokio's spawn_blocking and Akka's blocking dispatcher
// in one idea: app code that can block (a child's start function, which
// OTP lets block until the child is initialised) is handed to a thread of
// its own, and the actor that needs its outcome awaits it as a message,
// leaving its scheduler thread to the actors the app code waits for (the
// registry, a worker).
//
// Two places run such work:
// - blocking_pool: threads of its own, one more whenever none is idle (up
//   to max_threads; past that jobs queue), each leaving after idle_time.
// - caller_executor: the thread that waits for a supervisor's start
//   (start_supervisor, on an app master) runs that start's jobs itself,
//   the whole tree's, in OTP's order, instead of sleeping while a pool
//   thread does them: no thread handoff per child (caller-runs).

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include <caf/actor_system.hpp>
#include <caf/error.hpp>
#include <caf/scoped_actor.hpp>

namespace relc::detail {

using blocking_job = std::function<void()>;

class blocking_pool {
public:
  /// The process's pool; never destroyed (its threads may outlive main).
  static blocking_pool& instance();

  /// Runs `job` on a pool thread soon. Never blocks (a new thread is
  /// created from the calling thread when none is idle).
  void post(blocking_job job);

  /// Threads that exist now, idle or busy (tests, reports).
  size_t threads() const;

  /// Jobs running or queued now: app code a node that exits cannot wait
  /// for, and must not leave to run on a destroyed actor system.
  size_t running() const;

  static constexpr size_t max_threads = 512;
  static constexpr std::chrono::seconds idle_time{10};

private:
  blocking_pool() = default;
  void run();

  mutable std::mutex mtx_;
  std::condition_variable wake_;
  std::deque<blocking_job> queue_;
  size_t threads_ = 0;
  size_t idle_ = 0;
  size_t running_ = 0;
};

/// The jobs of one supervisor start, run by the thread that waits for it.
class caller_executor : public std::enable_shared_from_this<caller_executor> {
public:
  /// Queues `job` for the waiting thread; once it stopped waiting, the job
  /// goes to the pool (an awaited job must run, or its supervisor waits
  /// for ever).
  void post(blocking_job job);

  /// The outcome of the start: ends run_until().
  void finish(const caf::error& err);

  /// Runs posted jobs on this thread until finish() or `deadline`; true
  /// when finished (then outcome() holds the error, if any).
  bool run_until(std::chrono::steady_clock::time_point deadline);

  caf::error outcome() const;

  /// The executor whose job the calling thread runs now, or null: a
  /// supervisor spawned by that job starts its children here too.
  static caller_executor* current();

  /// A blocking actor of `sys` for the blocking helpers that the job this
  /// thread runs calls (relc::register_name ...), made once per start
  /// instead of once per call; null outside a job. It lives until
  /// run_until returns.
  static caf::blocking_actor* current_caller(caf::actor_system& sys);

private:
  mutable std::mutex mtx_;
  std::condition_variable wake_;
  std::deque<blocking_job> queue_;
  bool finished_ = false;
  bool closed_ = false;
  caf::error outcome_;
  std::unique_ptr<caf::scoped_actor> caller_; // this thread's only
};

/// The blocking waits relc's helpers began on this thread so far
/// (blocking_call, start_supervisor): a start function that began none and
/// returned quickly may run on a scheduler thread next time.
uint64_t& blocking_waits_here();

/// Runs `job` where it may block: on `exec` while that is set, else on the
/// pool.
void post_blocking(const std::shared_ptr<caller_executor>& exec,
                   blocking_job job);

} // namespace relc::detail
