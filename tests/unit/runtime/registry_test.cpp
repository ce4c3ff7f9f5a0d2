#include <catch2/catch.hpp>

#include <thread>

#include <caf/all.hpp>

#include "relc/runtime/registry.hpp"
#include "relc/runtime/runtime_error.hpp"

using namespace relc;
using namespace std::chrono_literals;

namespace {

struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::actor registry = spawn_registry(sys);
  caf::actor spawn_idle() {
    return sys.spawn([]() -> caf::behavior { return {[](int x) { return x; }}; });
  }
  ~fixture() { caf::anon_send_exit(registry, caf::exit_reason::kill); }
};

} // namespace

TEST_CASE("register, look up and unregister string names",
          "[runtime][registry]") {
  fixture f;
  auto a = f.spawn_idle();
  auto b = f.spawn_idle();
  auto long_name = std::string(64, 'n'); // far past CAF's 10-char atoms
  CHECK_FALSE(register_name(f.sys, f.registry, long_name, a));
  CHECK(*whereis(f.sys, f.registry, long_name) == a);
  CHECK(register_name(f.sys, f.registry, long_name, b) == runtime_errc::name_taken);
  caf::anon_send(f.registry, reg_atoms::erase::value, long_name);
  CHECK(!*whereis(f.sys, f.registry, long_name));
  caf::anon_send_exit(a, caf::exit_reason::kill);
  caf::anon_send_exit(b, caf::exit_reason::kill);
}

TEST_CASE("a name disappears when its owner dies", "[runtime][registry]") {
  fixture f;
  auto a = f.spawn_idle();
  REQUIRE_FALSE(register_name(f.sys, f.registry, "svc", a));
  caf::anon_send_exit(a, caf::exit_reason::kill);
  auto deadline = std::chrono::steady_clock::now() + 3s;
  while (*whereis(f.sys, f.registry, "svc")
         && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  CHECK(!*whereis(f.sys, f.registry, "svc"));
  // ... and a successor can take it over immediately.
  auto b = f.spawn_idle();
  CHECK_FALSE(register_name(f.sys, f.registry, "svc", b));
  caf::anon_send_exit(b, caf::exit_reason::kill);
}

TEST_CASE("await returns as soon as the name is registered",
          "[runtime][registry]") {
  fixture f;
  auto a = f.spawn_idle();
  auto t0 = std::chrono::steady_clock::now();
  std::thread later([&] {
    std::this_thread::sleep_for(100ms);
    (void) register_name(f.sys, f.registry, "late", a);
  });
  auto found = await_names(f.sys, f.registry, {"late"}, 5s);
  later.join();
  REQUIRE(found);
  CHECK(found->at(0) == a);
  CHECK(std::chrono::steady_clock::now() - t0 < 2s);
  caf::anon_send_exit(a, caf::exit_reason::kill);
}

TEST_CASE("await fails at its deadline naming the name", "[runtime][registry]") {
  fixture f;
  auto t0 = std::chrono::steady_clock::now();
  auto found = await_names(f.sys, f.registry, {"never"}, 150ms);
  auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE_FALSE(found);
  CHECK(found.error() == runtime_errc::await_timeout);
  CHECK(describe_error(found.error()).find("'never'") != std::string::npos);
  CHECK(took >= 140ms);
  CHECK(took < 2s);
}

TEST_CASE("an awaiting actor that dies is dropped without touching the name",
          "[runtime][registry]") {
  fixture f;
  auto registry = f.registry;
  auto waiter = f.sys.spawn([registry](caf::event_based_actor* self) {
    self->request(registry, 10s, reg_atoms::await::value, std::string{"x"},
                  int64_t{10000})
      .then([](const caf::actor&) {}, [](const caf::error&) {});
  });
  std::this_thread::sleep_for(50ms);
  caf::anon_send_exit(waiter, caf::exit_reason::kill);
  std::this_thread::sleep_for(50ms);
  auto a = f.spawn_idle();
  CHECK_FALSE(register_name(f.sys, f.registry, "x", a));
  CHECK(*whereis(f.sys, f.registry, "x") == a);
  caf::anon_send_exit(a, caf::exit_reason::kill);
}
