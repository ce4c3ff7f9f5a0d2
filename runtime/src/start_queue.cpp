#include "start_queue.hpp"

namespace relc {

start_queue::start_queue(std::vector<std::vector<size_t>> deps,
                         std::vector<bool> ends_boot)
  : pending_(deps.size(), 0),
    dependents_(deps.size()),
    ends_boot_(std::move(ends_boot)),
    states_(deps.size(), state::waiting) {
  for (size_t i = 0; i < deps.size(); ++i) {
    std::set<size_t> unique{deps[i].begin(), deps[i].end()};
    unique.erase(i);
    pending_[i] = unique.size();
    for (auto j : unique)
      dependents_[j].push_back(i);
    if (unique.empty())
      ready_.insert(i);
  }
}

std::optional<size_t> start_queue::take() {
  std::unique_lock<std::mutex> guard{mtx_};
  for (;;) {
    if (halted_)
      return std::nullopt;
    if (!ready_.empty()) {
      auto i = *ready_.begin();
      ready_.erase(ready_.begin());
      states_[i] = state::taken;
      ++in_flight_;
      last_take_ = std::chrono::steady_clock::now();
      return i;
    }
    if (in_flight_ == 0) {
      // Nothing ready and nothing under way: what is left waits on an app
      // of its own cycle (a hand-made boot file). The first goes anyway and
      // fails on its missing dependency, as in order: no hang, no app
      // silently left out.
      for (size_t i = 0; i < states_.size(); ++i)
        if (states_[i] == state::waiting) {
          states_[i] = state::taken;
          ++in_flight_;
          return i;
        }
      return std::nullopt;
    }
    cv_.wait(guard);
  }
}

void start_queue::finish(size_t i, bool ok) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (states_[i] != state::taken)
      return;
    states_[i] = ok ? state::started : state::failed;
    --in_flight_;
    if (!ok && ends_boot_[i])
      halted_ = true;
    // Done either way: a dependent of a failed app then fails on the
    // missing dependency, as in order.
    for (auto d : dependents_[i])
      if (--pending_[d] == 0 && states_[d] == state::waiting)
        ready_.insert(d);
  }
  cv_.notify_all();
}

bool start_queue::stalled_for(std::chrono::steady_clock::duration d) const {
  std::lock_guard<std::mutex> guard{mtx_};
  return !halted_ && !ready_.empty()
         && std::chrono::steady_clock::now() - last_take_ >= d;
}

bool start_queue::started(size_t i) const {
  std::lock_guard<std::mutex> guard{mtx_};
  return states_[i] == state::started;
}

bool start_queue::taken(size_t i) const {
  std::lock_guard<std::mutex> guard{mtx_};
  return states_[i] != state::waiting;
}

void start_queue::halt() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    halted_ = true;
  }
  cv_.notify_all();
}

} // namespace relc
