#pragma once

// A sliding window on restarts (private to the runtime): at most `max`
// restarts of one key (an app, or app.function) within `period`. The
// shoehorn policy limits its handler's restart verdicts with it.

#include <chrono>
#include <deque>
#include <map>
#include <string>

namespace relc {

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
