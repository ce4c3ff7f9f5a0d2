#pragma once

// The apps of one start batch, handed to the batch's masters as soon as
// their dependencies within the batch are done (private to the runtime).
// One master taking from it starts the apps in the plan's order, OTP's
// sequential boot; several start independent apps at the same time
// (`start: parallel`, docs/runtime.md). Masters block in take(); the
// controller never does (it only calls halt()).

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

namespace relc {

class start_queue {
public:
  /// `deps[i]`: positions in the batch app `i` waits for (earlier ones:
  /// the batch is in the plan's order); `ends_boot[i]`: a failed start of
  /// app `i` starts nothing more.
  start_queue(std::vector<std::vector<size_t>> deps, std::vector<bool> ends_boot);

  /// The next app to start, by plan position, as soon as one is ready;
  /// nothing once the batch is halted or every app was taken. Blocks the
  /// calling thread (a master) meanwhile.
  std::optional<size_t> take();

  /// App `i` (from take()) is done; `ok` whether it started. Only the
  /// first call for an app counts.
  void finish(size_t i, bool ok);

  /// Whether apps are ready but no master has taken one for `d`: every
  /// master is held up in app code (a start that waits on something
  /// outside), so another master would start the ready ones at once.
  bool stalled_for(std::chrono::steady_clock::duration d) const;

  /// Whether app `i` of the batch started (finish with ok).
  bool started(size_t i) const;

  /// Whether take() ever gave out app `i`.
  bool taken(size_t i) const;

  /// Nothing more starts; masters waiting in take() return.
  void halt();

private:
  enum class state : char { waiting, taken, started, failed };

  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::vector<size_t> pending_; // unfinished dependencies per app
  std::vector<std::vector<size_t>> dependents_;
  std::vector<bool> ends_boot_;
  std::vector<state> states_;
  std::set<size_t> ready_;
  size_t in_flight_ = 0;
  bool halted_ = false;
  std::chrono::steady_clock::time_point last_take_
    = std::chrono::steady_clock::now();
};

} // namespace relc
