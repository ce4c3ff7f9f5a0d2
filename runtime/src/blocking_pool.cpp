#include "blocking_pool.hpp"

#include <pthread.h>

#include <atomic>
#include <thread>

#include <caf/logger.hpp>

#include "spin_wait.hpp"

namespace relc::detail {

namespace {

// The next job usually follows within microseconds (a supervisor starts
// its children one after the other): a thread looks for it a while
// before it sleeps, as the app masters do.
constexpr std::chrono::microseconds spin_time{50};

// Spins (with a permit) until `ready()` or the spin time ran out.
template <class Ready>
void spin_briefly(Ready ready) {
  spin_permit permit;
  if (!permit)
    return;
  auto until = std::chrono::steady_clock::now() + spin_time;
  while (!ready() && std::chrono::steady_clock::now() < until)
    cpu_relax();
}

thread_local caller_executor* current_executor = nullptr;

} // namespace

// -- blocking_pool -------------------------------------------------------------

blocking_pool& blocking_pool::instance() {
  static auto* self = new blocking_pool;
  return *self;
}

void blocking_pool::post(blocking_job job) {
  std::unique_lock<std::mutex> guard{mtx_};
  queue_.push_back(std::move(job));
  // Every queued job gets a thread of its own while threads may be added:
  // a job that blocks must never hold up the one queued behind it.
  if (queue_.size() > idle_ && threads_ < max_threads) {
    ++threads_;
    guard.unlock();
    std::thread{[this] { run(); }}.detach();
    return;
  }
  guard.unlock();
  wake_.notify_one();
}

size_t blocking_pool::threads() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return threads_;
}

size_t blocking_pool::running() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return running_ + queue_.size();
}

void blocking_pool::run() {
  pthread_setname_np(pthread_self(), "relc.blocking");
  std::unique_lock<std::mutex> guard{mtx_};
  for (;;) {
    if (queue_.empty()) {
      ++idle_;
      guard.unlock();
      spin_briefly([this] {
        std::lock_guard<std::mutex> g{mtx_};
        return !queue_.empty();
      });
      guard.lock();
      bool got = wake_.wait_for(guard, idle_time,
                                [this] { return !queue_.empty(); });
      --idle_;
      if (!got) {
        --threads_;
        return;
      }
    }
    auto job = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    guard.unlock();
    job();
    job = nullptr; // what it captured goes before the thread waits again
    // A spawn on this thread made CAF keep the actor system's logger in a
    // thread-local reference, which the system's destructor waits for:
    // an idle pool thread must not hold the node's exit.
    caf::logger::set_current_actor_system(nullptr);
    guard.lock();
    --running_;
  }
}

// -- caller_executor ------------------------------------------------------------

void caller_executor::post(blocking_job job) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (!closed_) {
      queue_.push_back(std::move(job));
      wake_.notify_one();
      return;
    }
  }
  blocking_pool::instance().post(std::move(job));
}

void caller_executor::finish(const caf::error& err) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (finished_)
    return;
  finished_ = true;
  outcome_ = err;
  wake_.notify_one();
}

bool caller_executor::run_until(std::chrono::steady_clock::time_point deadline) {
  auto* outer = current_executor;
  std::unique_lock<std::mutex> guard{mtx_};
  auto ready = [this] { return finished_ || !queue_.empty(); };
  for (;;) {
    if (!queue_.empty()) {
      auto job = std::move(queue_.front());
      queue_.pop_front();
      guard.unlock();
      current_executor = this;
      job();
      job = nullptr;
      current_executor = outer;
      guard.lock();
      // Past the deadline no more jobs run here (the rest go to the pool
      // below): start_supervisor returns within its timeout of the last
      // start function that returned.
      if (!finished_ && std::chrono::steady_clock::now() >= deadline)
        break;
      continue;
    }
    if (finished_)
      break;
    guard.unlock();
    spin_briefly([&] {
      std::lock_guard<std::mutex> g{mtx_};
      return ready();
    });
    guard.lock();
    if (!wake_.wait_until(guard, deadline, ready))
      break;
  }
  // From now on jobs run on the pool: a supervisor of this start that
  // still awaits one (the caller gave up) gets its answer.
  closed_ = true;
  caller_.reset();
  auto left = std::move(queue_);
  queue_.clear();
  auto done = finished_;
  guard.unlock();
  for (auto& job : left)
    blocking_pool::instance().post(std::move(job));
  return done;
}

caf::error caller_executor::outcome() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return outcome_;
}

caller_executor* caller_executor::current() {
  return current_executor;
}

caf::blocking_actor* caller_executor::current_caller(caf::actor_system& sys) {
  auto* exec = current_executor;
  if (!exec)
    return nullptr;
  // Only this thread touches caller_ (it runs the executor's jobs).
  if (!exec->caller_)
    exec->caller_ = std::make_unique<caf::scoped_actor>(sys, true);
  if (&(*exec->caller_)->home_system() != &sys)
    return nullptr;
  return exec->caller_->ptr();
}

uint64_t& blocking_waits_here() {
  thread_local uint64_t n = 0;
  return n;
}

void post_blocking(const std::shared_ptr<caller_executor>& exec,
                   blocking_job job) {
  if (exec)
    exec->post(std::move(job));
  else
    blocking_pool::instance().post(std::move(job));
}

} // namespace relc::detail
