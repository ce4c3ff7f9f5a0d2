// Unit tests of shoehorn mode's parts: the restart window, the handler
// the reboot-loop guard's counter, the start signal. (The handler's time
// bound is the controller's: see the shoehorn e2e tests.)
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "boot_counter.hpp"
#include "restart_window.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "start_signal.hpp"

using namespace std::chrono_literals;


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
