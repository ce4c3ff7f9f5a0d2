// Unit tests of shoehorn mode's parts: the restart window, the handler
// runner's time bound, the reboot-loop guard's counter, the start signal.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "boot_counter.hpp"
#include "boot_handler_runner.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "start_signal.hpp"

using namespace std::chrono_literals;

namespace {

class fixed_handler : public relc::boot_handler {
public:
  fixed_handler(relc::boot_verdict v, std::chrono::milliseconds delay = 0ms,
                bool throws = false)
    : verdict_(v), delay_(delay), throws_(throws) {}

  relc::boot_verdict handle(const relc::app_event& e) override {
    seen.push_back(e.app);
    std::this_thread::sleep_for(delay_);
    if (throws_)
      throw std::runtime_error("handler bug");
    return verdict_;
  }

  std::vector<std::string> seen;

private:
  relc::boot_verdict verdict_;
  std::chrono::milliseconds delay_;
  bool throws_;
};

relc::app_event crashed(const std::string& app) {
  relc::app_event e;
  e.type = relc::app_event_type::crashed;
  e.app = app;
  e.reason = "boom";
  return e;
}

} // namespace

TEST_CASE("the restart window allows max restarts per key within the period",
          "[runtime][boot_control]") {
  relc::restart_window w{2, 200ms};
  CHECK(w.allow("a"));
  CHECK(w.allow("a"));
  CHECK_FALSE(w.allow("a"));
  CHECK(w.recent("a") == 2);
  CHECK(w.allow("b")); // per key
  std::this_thread::sleep_for(250ms);
  CHECK(w.recent("a") == 0); // slid out of the window
  CHECK(w.allow("a"));
}

TEST_CASE("the handler runner returns verdicts, the default continues, and "
          "an overrun or a throw gives no continue", "[runtime][boot_control]") {
  SECTION("no handler: continue") {
    relc::boot_handler_runner r{nullptr, 100ms};
    CHECK(r.ask(crashed("a")) == relc::boot_verdict::continue_boot);
  }
  SECTION("a handler's verdict, in order") {
    auto h = std::make_unique<fixed_handler>(relc::boot_verdict::restart);
    auto* raw = h.get();
    relc::boot_handler_runner r{std::move(h), 1000ms};
    CHECK(r.ask(crashed("a")) == relc::boot_verdict::restart);
    CHECK(r.ask(crashed("b")) == relc::boot_verdict::restart);
    CHECK(raw->seen == std::vector<std::string>{"a", "b"});
  }
  SECTION("an overrun: no verdict, within the timer; later asks fail fast; "
          "the runner goes without waiting and the late answer harms nothing") {
    auto t0 = std::chrono::steady_clock::now();
    {
      relc::boot_handler_runner r{
        std::make_unique<fixed_handler>(relc::boot_verdict::restart, 400ms),
        100ms};
      CHECK_FALSE(r.ask(crashed("a")).has_value());
      CHECK(std::chrono::steady_clock::now() - t0 < 300ms);
      CHECK_FALSE(r.ask(crashed("b")).has_value());
    }
    CHECK(std::chrono::steady_clock::now() - t0 < 300ms);
    std::this_thread::sleep_for(500ms); // the stuck call returns to nobody
  }
  SECTION("a handler that throws halts") {
    relc::boot_handler_runner r{
      std::make_unique<fixed_handler>(relc::boot_verdict::restart, 0ms, true),
      1000ms};
    CHECK(r.ask(crashed("a")) == relc::boot_verdict::halt);
  }
}

TEST_CASE("the boot counter survives on disk and starts at 0",
          "[runtime][boot_control]") {
  auto dir = std::filesystem::temp_directory_path()
             / ("relc-boot-counter-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  relc::boot_counter c{(dir / "var/n/failed_boots").string()};
  CHECK(c.read() == 0);
  REQUIRE(c.write(3));
  CHECK(relc::boot_counter{c.path()}.read() == 3);
  { std::ofstream{c.path()} << "garbage"; }
  CHECK(c.read() == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a start signal delivers the first outcome across threads, or "
          "times out", "[runtime][boot_control]") {
  relc::start_signal s;
  CHECK_FALSE(s.wait(std::chrono::steady_clock::now() + 20ms));
  std::thread t{[&] {
    std::this_thread::sleep_for(5ms);
    s.set(relc::make_error(relc::runtime_errc::start_failed, "first"));
    s.set({});
  }};
  REQUIRE(s.wait(std::chrono::steady_clock::now() + 5s));
  t.join();
  CHECK(relc::describe_error(s.error()) == "first");
}
