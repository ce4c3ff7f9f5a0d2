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
  : st_(std::make_shared<shared>()), timer_(timer) {
  st_->handler = std::move(handler);
  if (st_->handler)
    thread_ = std::thread{[st = st_] { loop(st); }};
}

boot_handler_runner::~boot_handler_runner() {
  if (!thread_.joinable())
    return;
  {
    std::lock_guard<std::mutex> guard{st_->mtx};
    st_->quit = true;
  }
  st_->cv.notify_all();
  std::lock_guard<std::mutex> no_call{call_mtx_};
  if (stuck_)
    thread_.detach(); // it ends after the stuck call returns, if ever
  else
    thread_.join();
}

void boot_handler_runner::loop(std::shared_ptr<shared> st) {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> guard{st->mtx};
      st->cv.wait(guard, [&] { return st->quit || !st->jobs.empty(); });
      if (st->quit || st->jobs.empty())
        return;
      job = std::move(st->jobs.front());
      st->jobs.pop_front();
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
    std::lock_guard<std::mutex> guard{st_->mtx};
    st_->jobs.emplace_back([fn = std::move(fn), done] {
      fn();
      done->set_value();
    });
  }
  st_->cv.notify_all();
  if (result.wait_for(timer_) == std::future_status::ready)
    return true;
  stuck_ = true;
  return false;
}

bool boot_handler_runner::init(const term& args) {
  if (!st_->handler)
    return true;
  auto* h = st_->handler.get();
  return run([h, args] {
    try {
      h->init(args);
    } catch (...) { // NOLINT: a throwing init is reported by the first event
    }
  });
}

std::optional<boot_verdict> boot_handler_runner::ask(const app_event& event) {
  if (!st_->handler)
    return boot_verdict::continue_boot;
  auto verdict = std::make_shared<boot_verdict>(boot_verdict::halt);
  auto* h = st_->handler.get();
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
