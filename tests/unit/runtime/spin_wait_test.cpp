// At most (cores - 1, at least 1) threads spin at once; a wait that gets
// no permit sleeps at once, and a permit given back can be taken again.
// While spins mostly run out, only a probe in 32 waits spins.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <thread>
#include <vector>

#include "spin_wait.hpp"
#include "start_signal.hpp"

TEST_CASE("spin permits are limited to the cores less one", "[spin_wait]") {
  relc::spin_permit::forget_outcomes();
  auto cores = static_cast<int>(std::thread::hardware_concurrency());
  auto limit = std::max(1, cores - 1);
  std::vector<std::unique_ptr<relc::spin_permit>> held;
  for (int i = 0; i < limit; ++i) {
    held.push_back(std::make_unique<relc::spin_permit>());
    CHECK(static_cast<bool>(*held.back()));
  }
  {
    relc::spin_permit one_too_many;
    CHECK_FALSE(one_too_many);
  }
  // A refused permit took nothing: still none left.
  CHECK_FALSE(relc::spin_permit{});
  held.pop_back();
  CHECK(static_cast<bool>(relc::spin_permit{}));
  held.clear();
  CHECK(static_cast<bool>(relc::spin_permit{}));
}

TEST_CASE("a start_signal waiter gives its spin permit back before it sleeps",
          "[spin_wait]") {
  using namespace std::chrono_literals;
  auto cores = static_cast<int>(std::thread::hardware_concurrency());
  auto limit = std::max(1, cores - 1);
  relc::spin_permit::forget_outcomes();
  // All permits but one are taken: the waiter gets the last one to spin.
  std::vector<std::unique_ptr<relc::spin_permit>> held;
  for (int i = 0; i < limit - 1; ++i)
    held.push_back(std::make_unique<relc::spin_permit>());
  relc::start_signal signal;
  std::thread waiter{[&] { signal.wait(std::chrono::steady_clock::now() + 10s); }};
  std::this_thread::sleep_for(100ms); // far beyond its spin: asleep now
  CHECK(static_cast<bool>(relc::spin_permit{}));
  signal.set({});
  waiter.join();
}

TEST_CASE("while spins run out, only a probe in 32 waits spins, and probes "
          "that see their answer bring spinning back", "[spin_wait]") {
  relc::spin_permit::forget_outcomes();
  int ran_out = 0;
  for (;; ++ran_out) { // each spin ran out: spinning does not pay
    relc::spin_permit p;
    if (!p)
      break;
    p.ended(false);
    REQUIRE(ran_out < 100);
  }
  CHECK(ran_out >= 2); // one spin that ran out does not stop spinning
  int granted = 0;
  for (int i = 0; i < 64; ++i)
    granted += static_cast<bool>(relc::spin_permit{}) ? 1 : 0;
  CHECK(granted >= 1);
  CHECK(granted <= 3);
  // Probes that saw their answer: spins pay again, after a few of them.
  int answered = 0;
  for (int i = 0; answered < 4; ++i) {
    REQUIRE(i < 4 * 32);
    relc::spin_permit p;
    if (p) {
      p.ended(true);
      ++answered;
    }
  }
  for (int i = 0; i < 32; ++i)
    CHECK(static_cast<bool>(relc::spin_permit{}));
}
