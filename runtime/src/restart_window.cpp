#include "restart_window.hpp"

namespace relc {

void restart_window::expire(
  std::deque<std::chrono::steady_clock::time_point>& xs) {
  auto now = std::chrono::steady_clock::now();
  while (!xs.empty() && now - xs.front() > period_)
    xs.pop_front();
}

bool restart_window::allow(const std::string& key) {
  auto& xs = log_[key];
  expire(xs);
  if (static_cast<int>(xs.size()) >= max_)
    return false;
  xs.push_back(std::chrono::steady_clock::now());
  return true;
}

int restart_window::recent(const std::string& key) {
  auto& xs = log_[key];
  expire(xs);
  return static_cast<int>(xs.size());
}

} // namespace relc
