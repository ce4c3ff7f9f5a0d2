#pragma once

// A one-shot signal from an actor to a thread outside the scheduler: the
// outcome of a supervisor's start, or an actor's exit. Cheaper than a
// scoped_actor round trip (no actor to create, register and destroy), and
// the waiter spins briefly before it sleeps, because the answer usually
// comes within microseconds and a futex wake-up on a VM costs tens of them
// (private to the runtime).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include <caf/error.hpp>

#include "spin_wait.hpp"

namespace relc {

class start_signal {
public:
  /// The first call wins; later ones are ignored.
  void set(const caf::error& err) {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (done_.load(std::memory_order_relaxed))
        return;
      err_ = err;
      done_.store(true, std::memory_order_release);
    }
    cv_.notify_all();
  }

  /// Waits for set(); false if the deadline passed first.
  bool wait(std::chrono::steady_clock::time_point deadline) {
    { // the permit goes back before the thread sleeps
      spin_permit spin;
      auto spin_until = std::chrono::steady_clock::now() + spin_time;
      while (spin && !done_.load(std::memory_order_acquire)) {
        auto now = std::chrono::steady_clock::now();
        if (now >= spin_until)
          break;
        cpu_relax();
      }
      spin.ended(done_.load(std::memory_order_acquire));
    }
    std::unique_lock<std::mutex> guard{mtx_};
    return cv_.wait_until(guard, deadline, [this] {
      return done_.load(std::memory_order_acquire);
    });
  }

  /// What set() delivered (only valid after wait() returned true).
  caf::error error() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return err_;
  }

private:
  static constexpr std::chrono::microseconds spin_time{50};
  std::atomic<bool> done_{false};
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  caf::error err_;
};

} // namespace relc
