#include <catch2/catch.hpp>

#include <thread>

#include <caf/all.hpp>

#include "relc/runtime/registry.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "relc/runtime/term.hpp"

using namespace relc;
using namespace std::chrono_literals;

namespace {

struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  relc::registry_actor registry = spawn_registry(sys);
  caf::actor spawn_idle() {
    return sys.spawn([]() -> caf::behavior { return {[](int x) { return x; }}; });
  }
  ~fixture() { caf::anon_send_exit(registry, caf::exit_reason::kill); }
  // Unregisters `name` and waits for the registry's ok (a lookup reads the
  // registry's table at once, so an erase still in its mailbox is not
  // seen yet).
  void erase(const std::string& name) {
    caf::scoped_actor self{sys};
    self->request(registry, 5s, reg_atoms::erase::value, name)
      .receive([](caf::ok_atom) {}, [](caf::error& err) { FAIL(to_string(err)); });
  }
  // Polls the registry's count of pending waits until it is `n` (or 2 s).
  bool pending_waits_become(int64_t n) {
    caf::scoped_actor self{sys};
    for (int i = 0; i < 200; ++i) {
      int64_t now = -1;
      self->request(registry, 1s, reg_atoms::waiters::value)
        .receive([&](int64_t x) { now = x; }, [](caf::error&) {});
      if (now == n)
        return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
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
  f.erase(long_name);
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
  auto waiter = f.sys.spawn([registry](caf::event_based_actor* self) -> caf::behavior {
    self->request(registry, 10s, reg_atoms::await::value, std::string{"x"},
                  int64_t{10000})
      .then([](const caf::actor&) {}, [](const caf::error&) {});
    return {[](int x) { return x; }};
  });
  REQUIRE(f.pending_waits_become(1));
  caf::anon_send_exit(waiter, caf::exit_reason::kill);
  // Dropped: the count goes back to 0 (a send to a dead actor would be
  // harmless, so only the count shows it).
  CHECK(f.pending_waits_become(0));
  auto a = f.spawn_idle();
  CHECK_FALSE(register_name(f.sys, f.registry, "x", a));
  CHECK(*whereis(f.sys, f.registry, "x") == a);
  caf::anon_send_exit(a, caf::exit_reason::kill);
}

namespace {

// An actor that nb-waits on `name` and counts the (reg_regd) it gets;
// (get) -> how many and the last actor; (reg_cancel) cancels, then answers.
caf::behavior nb_waiter_impl(caf::event_based_actor* self, relc::registry_actor registry,
                             std::string name) {
  auto count = std::make_shared<int>(0);
  auto last = std::make_shared<caf::actor>();
  self->request(registry, 5s, reg_atoms::nb_wait::value, name)
    .then([](caf::ok_atom) {}, [](const caf::error&) {});
  return {
    [count, last](reg_atoms::registered, const std::string&, const caf::actor& who) {
      ++*count;
      *last = who;
    },
    [count, last](caf::get_atom) { return std::make_tuple(*count, *last); },
    [self, registry, name](reg_atoms::cancel) -> caf::result<caf::ok_atom> {
      auto rp = self->make_response_promise<caf::ok_atom>();
      self->request(registry, 5s, reg_atoms::cancel::value, name)
        .then([rp](caf::ok_atom) mutable { rp.deliver(caf::ok_atom::value); },
              [rp](const caf::error& e) mutable { rp.deliver(e); });
      return rp;
    },
  };
}

std::pair<int, caf::actor> seen(fixture& f, const caf::actor& w) {
  caf::scoped_actor self{f.sys};
  std::pair<int, caf::actor> result{-1, {}};
  self->request(w, 5s, caf::get_atom::value)
    .receive([&](int n, const caf::actor& who) { result = {n, who}; },
             [](caf::error&) {});
  return result;
}

} // namespace

TEST_CASE("nb_wait tells the waiter once when the name is registered, at once "
          "when it already is, and nothing after a cancel",
          "[runtime][registry]") {
  fixture f;
  auto a = f.spawn_idle();
  auto w1 = f.sys.spawn(nb_waiter_impl, f.registry, std::string{"svc"});
  REQUIRE(f.pending_waits_become(1)); // waiting, not blocked
  CHECK(seen(f, w1).first == 0);
  REQUIRE_FALSE(register_name(f.sys, f.registry, "svc", a));
  CHECK(f.pending_waits_become(0));
  std::this_thread::sleep_for(20ms);
  CHECK(seen(f, w1) == std::make_pair(1, a));
  // Registered already: told at once.
  auto w2 = f.sys.spawn(nb_waiter_impl, f.registry, std::string{"svc"});
  std::this_thread::sleep_for(50ms);
  CHECK(seen(f, w2) == std::make_pair(1, a));
  // A cancelled wait delivers nothing, even when the name comes later.
  auto w3 = f.sys.spawn(nb_waiter_impl, f.registry, std::string{"later"});
  REQUIRE(f.pending_waits_become(1));
  {
    caf::scoped_actor self{f.sys};
    self->request(w3, 5s, reg_atoms::cancel::value)
      .receive([](caf::ok_atom) {}, [](caf::error&) {});
  }
  CHECK(f.pending_waits_become(0));
  REQUIRE_FALSE(register_name(f.sys, f.registry, "later", a));
  std::this_thread::sleep_for(50ms);
  CHECK(seen(f, w3).first == 0);
  // A waiter that dies is dropped.
  auto w4 = f.sys.spawn(nb_waiter_impl, f.registry, std::string{"never"});
  REQUIRE(f.pending_waits_become(1));
  caf::anon_send_exit(w4, caf::exit_reason::kill);
  CHECK(f.pending_waits_become(0));
  for (auto& x : {a, w1, w2, w3})
    caf::anon_send_exit(x, caf::exit_reason::kill);
}

TEST_CASE("a registration carries a value", "[runtime][registry]") {
  fixture f;
  auto a = f.spawn_idle();
  caf::scoped_actor self{f.sys};
  self->request(f.registry, 5s, reg_atoms::put::value, std::string{"db"}, a,
                term{term::map{{"port", term{5432}}}})
    .receive([](caf::ok_atom) {}, [](caf::error&) { FAIL("put failed"); });
  term value;
  self->request(f.registry, 5s, reg_atoms::value::value, std::string{"db"})
    .receive([&](term& x) { value = x; }, [](caf::error&) {});
  REQUIRE(value.find("port"));
  CHECK(value.find("port")->as_integer() == 5432);
  CHECK(*whereis(f.sys, f.registry, "db") == a);
  caf::anon_send_exit(a, caf::exit_reason::kill);
}

TEST_CASE("an actor's death removes all of its names and only its names, "
          "also after a name moved or was erased", "[runtime][registry]") {
  fixture f;
  auto a = f.spawn_idle();
  auto b = f.spawn_idle();
  for (auto n : {"a1", "a2", "a3", "moved", "erased"})
    REQUIRE_FALSE(register_name(f.sys, f.registry, n, a));
  REQUIRE_FALSE(register_name(f.sys, f.registry, "b1", b));
  f.erase("erased");
  f.erase("moved");
  REQUIRE_FALSE(register_name(f.sys, f.registry, "moved", b)); // now b's
  REQUIRE_FALSE(register_name(f.sys, f.registry, "erased", b));
  caf::anon_send_exit(a, caf::exit_reason::kill);
  auto deadline = std::chrono::steady_clock::now() + 3s;
  while (*whereis(f.sys, f.registry, "a3")
         && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  for (auto n : {"a1", "a2", "a3"}) {
    INFO(n);
    CHECK(!*whereis(f.sys, f.registry, n));
  }
  // b's names, including the two a held before, stay.
  for (auto n : {"b1", "moved", "erased"}) {
    INFO(n);
    CHECK(*whereis(f.sys, f.registry, n) == b);
  }
  caf::anon_send_exit(b, caf::exit_reason::kill);
  deadline = std::chrono::steady_clock::now() + 3s;
  while (*whereis(f.sys, f.registry, "moved")
         && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  CHECK(!*whereis(f.sys, f.registry, "moved"));
  CHECK(!*whereis(f.sys, f.registry, "erased"));
}

TEST_CASE("register_name and whereis answer at once inside an actor, and a "
          "name has one holder whoever races for it",
          "[runtime][registry]") {
  fixture f;
  auto a = f.spawn_idle();
  // From a handler (a CAF scheduler thread): no round trip, no refusal.
  auto in_actor = f.sys.spawn([&f, a](caf::event_based_actor* self) -> caf::behavior {
    return {[self, &f, a](int) -> std::string {
      if (auto err = register_name(self->system(), f.registry, "from_actor", a))
        return "register: " + to_string(err);
      auto who = whereis(self->system(), f.registry, "from_actor");
      if (!who || *who != a)
        return "whereis did not find it";
      return "ok";
    }};
  });
  caf::scoped_actor self{f.sys};
  std::string said;
  self->request(in_actor, 5s, 1).receive([&](std::string& x) { said = x; },
                                         [&](caf::error& e) { said = to_string(e); });
  CHECK(said == "ok");
  // Eight threads register the same name for eight actors at once: one ok.
  for (int round = 0; round < 20; ++round) {
    auto name = "race" + std::to_string(round);
    std::vector<caf::actor> actors;
    for (int i = 0; i < 8; ++i)
      actors.push_back(f.spawn_idle());
    std::atomic<int> oks{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
      threads.emplace_back([&, i] {
        if (!register_name(f.sys, f.registry, name, actors[i]))
          ++oks;
      });
    for (auto& t : threads)
      t.join();
    CHECK(oks == 1);
    for (auto& x : actors)
      caf::anon_send_exit(x, caf::exit_reason::kill);
  }
  caf::anon_send_exit(in_actor, caf::exit_reason::kill);
  caf::anon_send_exit(a, caf::exit_reason::kill);
}
