// The start queue: which app a master starts next, sequential or parallel.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <thread>

#include "start_queue.hpp"

using relc::start_queue;

namespace {

// Takes and finishes everything on one thread; the order it started in.
std::vector<size_t> drain(start_queue& q, std::vector<bool> ok = {}) {
  std::vector<size_t> order;
  while (auto i = q.take()) {
    order.push_back(*i);
    q.finish(*i, ok.empty() || ok[*i]);
  }
  return order;
}

} // namespace

TEST_CASE("one master takes the apps in the plan's order",
          "[runtime][start_queue]") {
  // 0 <- 2, 1 <- 3, 0 <- 3: a plan in order, dependencies first.
  start_queue q{{{}, {}, {0}, {1, 0}}, {true, true, true, true}};
  CHECK(drain(q) == std::vector<size_t>{0, 1, 2, 3});
  CHECK(q.taken(3));
  CHECK(q.started(3));
}

TEST_CASE("an app is not ready before its dependencies are done",
          "[runtime][start_queue]") {
  start_queue q{{{}, {0}, {}}, {true, true, true}};
  auto a = q.take();
  auto b = q.take();
  REQUIRE(a == 0u);
  REQUIRE(b == 2u); // 1 waits for 0, which is under way
  // A third master waits until 0 is done, then gets 1.
  std::optional<size_t> c;
  std::thread other{[&] { c = q.take(); }};
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK_FALSE(c.has_value());
  q.finish(0, true);
  other.join();
  CHECK(c == 1u);
  q.finish(1, true);
  q.finish(2, true);
  CHECK_FALSE(q.take().has_value());
}

TEST_CASE("a failed start that ends the boot starts nothing more, one that "
          "does not lets its dependents go and fail on it",
          "[runtime][start_queue]") {
  {
    start_queue q{{{}, {}, {0}}, {true, true, true}};
    auto order = drain(q, {false, true, true});
    CHECK(order == std::vector<size_t>{0});
    CHECK_FALSE(q.taken(1));
    CHECK_FALSE(q.started(0));
  }
  {
    start_queue q{{{}, {}, {0}}, {false, true, true}}; // 0 is temporary
    auto order = drain(q, {false, true, true});
    CHECK(order == std::vector<size_t>{0, 1, 2});
    CHECK_FALSE(q.started(0));
    CHECK(q.started(2)); // the caller decides; the queue only orders
  }
}

TEST_CASE("halt wakes a waiting master, and a dependency cycle still gives "
          "every app out", "[runtime][start_queue]") {
  start_queue q{{{}, {0}}, {true, true}};
  REQUIRE(q.take() == 0u);
  std::optional<size_t> got{99};
  std::thread waiter{[&] { got = q.take(); }};
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  q.halt();
  waiter.join();
  CHECK_FALSE(got.has_value());
  // 0 <- 1 <- 0: a hand-made boot file; neither would ever be ready.
  start_queue cycle{{{1}, {0}}, {true, true}};
  CHECK(drain(cycle) == std::vector<size_t>{0, 1});
}

TEST_CASE("a second finish of an app changes nothing", "[runtime][start_queue]") {
  // 0 <- 1 and 0 <- 2: finishing 0 twice must not count for 1 and 2 twice
  // (the master and the controller may both mark it).
  start_queue q{{{}, {0}, {0, 3}, {}}, {true, true, true, true}};
  REQUIRE(q.take() == 0u);
  REQUIRE(q.take() == 3u);
  q.finish(0, true);
  q.finish(0, false); // ignored: 0 started
  CHECK(q.started(0));
  REQUIRE(q.take() == 1u);
  // 2 still waits for 3, which is under way.
  q.finish(0, true);
  q.finish(1, true);
  std::optional<size_t> next;
  std::thread t{[&] { next = q.take(); }};
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  q.finish(3, true);
  t.join();
  CHECK(next == 2u);
}

TEST_CASE("a queue is stalled when apps are ready but none was taken for a "
          "while", "[runtime][start_queue]") {
  using namespace std::chrono_literals;
  start_queue q{{{}, {}, {0}}, {true, true, true}};
  REQUIRE(q.take() == 0u);
  CHECK_FALSE(q.stalled_for(1h)); // just taken
  std::this_thread::sleep_for(20ms);
  CHECK(q.stalled_for(10ms)); // 1 is ready, 0 still under way
  REQUIRE(q.take() == 1u);
  CHECK_FALSE(q.stalled_for(10ms)); // just taken
  std::this_thread::sleep_for(20ms);
  CHECK_FALSE(q.stalled_for(10ms)); // nothing ready: 2 waits for 0
  q.finish(0, true);
  CHECK(q.stalled_for(10ms)); // 2 ready, and no take for 20 ms
  q.halt();
  CHECK_FALSE(q.stalled_for(10ms)); // halted: nothing more starts
}
