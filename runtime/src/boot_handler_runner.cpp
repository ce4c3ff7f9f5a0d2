#include "boot_handler_runner.hpp"

#include <future>

namespace relc {

const char* to_string(app_event_type x) {
  switch (x) {
    case app_event_type::started: return "started";
    case app_event_type::start_failed: return "start_failed";
    case app_event_type::stopped: return "stopped";
    case app_event_type::exited: return "exited";
    case app_event_type::crashed: return "crashed";
    case app_event_type::call_failed: return "call_failed";
  }
  return "?";
}

const char* to_string(boot_verdict x) {
  switch (x) {
    case boot_verdict::continue_boot: return "continue";
    case boot_verdict::restart: return "restart";
    case boot_verdict::halt: return "halt";
  }
  return "?";
}

boot_handler::~boot_handler() = default;

void boot_handler::init(const term&) {
  // nop
}

boot_handler_runner::boot_handler_runner(std::unique_ptr<boot_handler> handler,
                                         std::chrono::milliseconds timer)
  : handler_(std::move(handler)), timer_(timer) {
  if (handler_)
    thread_ = std::thread{[this] { loop(); }};
}

boot_handler_runner::~boot_handler_runner() {
  if (!thread_.joinable())
    return;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    quit_ = true;
  }
  cv_.notify_all();
  std::lock_guard<std::mutex> no_call{call_mtx_};
  if (stuck_) {
    // The handler never returned: the thread may use it forever.
    thread_.detach();
    (void) handler_.release();
  } else {
    thread_.join();
  }
}

void boot_handler_runner::loop() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> guard{mtx_};
      cv_.wait(guard, [this] { return quit_ || !jobs_.empty(); });
      if (jobs_.empty())
        return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

bool boot_handler_runner::run(std::function<void()> fn) {
  std::lock_guard<std::mutex> one_call_at_a_time{call_mtx_};
  if (stuck_)
    return false;
  auto done = std::make_shared<std::promise<void>>();
  auto result = done->get_future();
  {
    std::lock_guard<std::mutex> guard{mtx_};
    jobs_.emplace_back([fn = std::move(fn), done] {
      fn();
      done->set_value();
    });
  }
  cv_.notify_all();
  if (result.wait_for(timer_) == std::future_status::ready)
    return true;
  stuck_ = true;
  return false;
}

bool boot_handler_runner::init(const term& args) {
  if (!handler_)
    return true;
  auto* h = handler_.get();
  return run([h, args] {
    try {
      h->init(args);
    } catch (...) { // NOLINT: a throwing init is reported by the first event
    }
  });
}

std::optional<boot_verdict> boot_handler_runner::ask(const app_event& event) {
  if (!handler_)
    return boot_verdict::continue_boot;
  auto verdict = std::make_shared<boot_verdict>(boot_verdict::halt);
  auto* h = handler_.get();
  if (!run([h, event, verdict] {
        try {
          *verdict = h->handle(event);
        } catch (...) {
          *verdict = boot_verdict::halt;
        }
      }))
    return std::nullopt;
  return *verdict;
}

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
