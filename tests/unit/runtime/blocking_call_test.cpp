// A blocking call keeps its own deadline (not CAF's clock): it ends at the
// deadline even while other mail keeps reaching the caller, and a reply
// that comes late is not taken for the next call's.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include <caf/all.hpp>

#include "blocking_call.hpp"
#include "relc/runtime/runtime_error.hpp"

using namespace std::chrono_literals;

namespace {

// Answers (get) after `delay`, and (put) at once.
caf::behavior late_echo(caf::event_based_actor* self,
                        std::chrono::milliseconds delay) {
  return {
    [=](caf::get_atom) {
      auto rp = self->make_response_promise();
      self->delayed_send(self, delay, caf::ok_atom::value, rp);
      return rp;
    },
    [](caf::ok_atom, caf::response_promise& rp) { rp.deliver(1); },
    [](caf::put_atom, int x) { return x + 1; },
  };
}

} // namespace

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(caf::response_promise)

TEST_CASE("a blocking call ends at its deadline while other mail keeps "
          "arriving", "[runtime][blocking_call]") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto slow = sys.spawn(late_echo, 10s);
  caf::scoped_actor self{sys, true};
  std::atomic<bool> done{false};
  // Unrelated mail every 5 ms: a receive whose timeout restarts with each
  // message would never time out.
  std::thread noise{[&, me = caf::actor{self.ptr()}] {
    while (!done) {
      caf::anon_send(me, caf::ok_atom::value);
      std::this_thread::sleep_for(5ms);
    }
  }};
  auto t0 = std::chrono::steady_clock::now();
  auto r = relc::blocking_call(*self, slow, caf::make_message(caf::get_atom::value),
                               100ms);
  auto took = std::chrono::steady_clock::now() - t0;
  done = true;
  noise.join();
  REQUIRE_FALSE(r);
  CHECK(r.error() == relc::runtime_errc::call_timeout);
  CHECK(relc::describe_error(r.error()).find("within 100 ms")
        != std::string::npos);
  CHECK(took >= 100ms);
  CHECK(took < 2s);
  caf::anon_send_exit(slow, caf::exit_reason::kill);
}

TEST_CASE("a reply that comes after the deadline is not the next call's",
          "[runtime][blocking_call]") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto a = sys.spawn(late_echo, 100ms);
  caf::scoped_actor self{sys, true};
  auto first = relc::blocking_call(*self, a, caf::make_message(caf::get_atom::value),
                                   20ms);
  REQUIRE_FALSE(first);
  std::this_thread::sleep_for(200ms); // the late reply is in the mailbox now
  auto second = relc::blocking_call(*self, a, caf::make_message(caf::put_atom::value, 41),
                                    1s);
  REQUIRE(second);
  REQUIRE(second->match_elements<int>());
  CHECK(second->get_as<int>(0) == 42);
  // No deadline at all: a year or more.
  auto forever = relc::blocking_call(*self, a, caf::make_message(caf::put_atom::value, 1),
                                     std::chrono::hours{24 * 400});
  REQUIRE(forever);
  CHECK(forever->get_as<int>(0) == 2);
  caf::anon_send_exit(a, caf::exit_reason::kill);
}
