// At most (cores - 1, at least 1) threads spin at once; a wait that gets
// no permit sleeps at once, and a permit given back can be taken again.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <thread>
#include <vector>

#include "spin_wait.hpp"
#include "start_signal.hpp"

TEST_CASE("spin permits are limited to the cores less one", "[spin_wait]") {
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
