#pragma once

// Runs a boot handler on a thread of its own, so that the node can bound
// every answer by the release's shutdown_timer (private to the runtime).

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "relc/runtime/boot_handler.hpp"

namespace relc {

class boot_handler_runner {
public:
  /// `handler` may be null: the default handler continues on every event.
  boot_handler_runner(std::unique_ptr<boot_handler> handler,
                      std::chrono::milliseconds shutdown_timer);

  /// Joins the handler thread; if a call overran, leaves it (and the
  /// handler) behind rather than wait forever.
  ~boot_handler_runner();

  /// Calls the handler's init; false if it did not return in time.
  bool init(const term& args);

  /// The handler's verdict on `event`, or nothing if it gave none within
  /// shutdown_timer (a handler that throws halts).
  std::optional<boot_verdict> ask(const app_event& event);

  std::chrono::milliseconds shutdown_timer() const { return timer_; }

private:
  // Shared with the thread: a stuck handler call may outlive the runner.
  struct shared {
    std::unique_ptr<boot_handler> handler;
    std::mutex mtx;
    std::condition_variable cv;
    std::deque<std::function<void()>> jobs;
    bool quit = false;
  };

  bool run(std::function<void()> fn);
  static void loop(std::shared_ptr<shared> st);

  std::shared_ptr<shared> st_;
  std::chrono::milliseconds timer_;
  std::mutex call_mtx_; // one call (and its wait) at a time
  bool stuck_ = false;
  std::thread thread_;
};

/// The sliding window on restart verdicts: at most `max` restarts of one
/// key (an app, or app.function) within `period`.
class restart_window {
public:
  restart_window(int max, std::chrono::milliseconds period)
    : max_(max), period_(period) {}

  /// Records a restart of `key` now if the window allows another.
  bool allow(const std::string& key);

  /// Restarts of `key` within the window.
  int recent(const std::string& key);

  int max() const { return max_; }
  std::chrono::milliseconds period() const { return period_; }

private:
  void expire(std::deque<std::chrono::steady_clock::time_point>& xs);

  int max_;
  std::chrono::milliseconds period_;
  std::map<std::string, std::deque<std::chrono::steady_clock::time_point>> log_;
};

} // namespace relc
