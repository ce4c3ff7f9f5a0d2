// The app API callbacks use: typed env, calls and the registry through the
// app's one reusable caller.
#include <catch2/catch.hpp>

#include <thread>

#include <caf/all.hpp>

#include "loaded_release.hpp"
#include "relc/runtime/registry.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "relc/runtime/supervisor.hpp"

using namespace std::chrono_literals;

namespace {

struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  relc::loaded_release rel;
  std::unique_ptr<relc::app_record> rec = std::make_unique<relc::app_record>();
  std::unique_ptr<relc::app_ctx> ctx;

  fixture() {
    rel.sys = &sys;
    rel.registry = relc::spawn_registry(sys);
    rec->plan.name = "a";
    rec->env.reset(relc::term::map{{"n", relc::term{5}},
                                   {"s", relc::term{"text"}},
                                   {"b", relc::term{true}},
                                   {"r", relc::term{1.5}}});
    ctx = std::make_unique<relc::app_ctx>(rel, *rec);
  }
  ~fixture() {
    ctx.reset(); // its caller goes before the system
    caf::anon_send_exit(rel.registry, caf::exit_reason::kill);
  }
};

caf::behavior echo(caf::event_based_actor*) {
  return {
    [](int x) { return x + 1; },
    [](const std::string&) -> caf::result<int> {
      return relc::make_error(relc::runtime_errc::not_found, "no strings");
    },
    [](caf::get_atom) {
      // never answers in time
      std::this_thread::sleep_for(300ms);
      return 0;
    },
  };
}

} // namespace

TEST_CASE("get_env<T> gives the value as T, or the fallback when unset or "
          "of another type", "[runtime][app_context]") {
  fixture f;
  relc::app_context& ctx = *f.ctx;
  CHECK(ctx.get_env("n", 0) == 5);
  CHECK(ctx.get_env<int64_t>("missing", 7) == 7);
  CHECK(ctx.get_env("s", 7) == 7);
  CHECK(ctx.get_env("s", "fallback") == "text");
  CHECK(ctx.get_env("n", "fallback") == "fallback");
  CHECK(ctx.get_env("b", false));
  CHECK(ctx.get_env("r", 0.0) == 1.5);
  CHECK(ctx.get_env("n", 0.0) == 5.0);
}

TEST_CASE("ctx.call returns the reply, or the error, the timeout, a wrong "
          "reply type or a dead actor as an error", "[runtime][app_context]") {
  fixture f;
  relc::app_context& ctx = *f.ctx;
  auto a = f.sys.spawn(echo);
  for (int i = 0; i < 100; ++i) // one caller, reused
    REQUIRE(ctx.call<int>(a, 1s, i) == i + 1);
  auto refused = ctx.call<int>(a, 1s, std::string{"x"});
  REQUIRE_FALSE(refused);
  CHECK(relc::describe_error(refused.error()).find("no strings") != std::string::npos);
  auto wrong = ctx.call<std::string>(a, 1s, 1);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error() == caf::sec::unexpected_response);
  auto slow = ctx.call<int>(a, 50ms, caf::get_atom::value);
  REQUIRE_FALSE(slow);
  // The deadline's error names the request, the actor and the app.
  CHECK(slow.error() == relc::runtime_errc::call_timeout);
  auto text = relc::describe_error(slow.error());
  INFO(text);
  CHECK(text.find("app ") == 0);
  CHECK(text.find("('get')") != std::string::npos);
  CHECK(text.find("within 50 ms") != std::string::npos);
  // The late reply to the timed-out call is not taken for the next one.
  std::this_thread::sleep_for(300ms);
  CHECK(ctx.call<int>(a, 1s, 1) == 2);
  caf::anon_send_exit(a, caf::exit_reason::kill);
  std::this_thread::sleep_for(50ms);
  CHECK_FALSE(ctx.call<int>(a, 1s, 1));
  CHECK_FALSE(ctx.call<int>(caf::actor{}, 1s, 1));
}

TEST_CASE("ctx.register_name, whereis and await_names use the node's "
          "registry", "[runtime][app_context]") {
  fixture f;
  relc::app_context& ctx = *f.ctx;
  auto a = f.sys.spawn(echo);
  auto b = f.sys.spawn(echo);
  REQUIRE_FALSE(ctx.register_name("svc", a));
  auto taken = ctx.register_name("svc", b);
  REQUIRE(taken);
  CHECK(taken == relc::runtime_errc::name_taken);
  CHECK(ctx.whereis("svc") == a);
  CHECK(ctx.whereis("nobody") == caf::actor{});
  std::thread later{[&] {
    std::this_thread::sleep_for(50ms);
    (void) relc::register_name(f.sys, f.rel.registry, "late", b);
  }};
  auto found = ctx.await_names({"svc", "late"}, 2s);
  later.join();
  REQUIRE(found);
  CHECK(*found == std::vector<caf::actor>{a, b});
  auto missing = ctx.await_names({"never"}, 50ms);
  REQUIRE_FALSE(missing);
  CHECK(missing.error() == relc::runtime_errc::await_timeout);
  // Two threads at once: the second does not share the caller in use.
  std::thread other{[&] { CHECK(ctx.call<int>(a, 1s, caf::get_atom::value)); }};
  std::this_thread::sleep_for(20ms);
  CHECK(ctx.call<int>(a, 1s, 10) == 11);
  other.join();
  for (auto& x : {a, b})
    caf::anon_send_exit(x, caf::exit_reason::kill);
}

TEST_CASE("ctx.call to a typed actor gives the interface's reply type",
          "[runtime][app_context]") {
  fixture f;
  relc::app_context& ctx = *f.ctx;
  relc::child_spec w;
  w.id = "w";
  w.start = [](caf::actor_system& sys, const relc::term&)
    -> caf::expected<caf::actor> { return sys.spawn(echo); };
  auto sup = relc::start_supervisor(f.sys, {}, {w, w});
  // Two children with one id: the supervisor's start fails.
  REQUIRE_FALSE(sup);
  sup = relc::start_supervisor(f.sys, {}, {w});
  REQUIRE(sup);
  // which_children and count_children answer named fields.
  auto kids = ctx.call(relc::as_supervisor(*sup), 1s,
                       relc::sup_atoms::which_children::value);
  static_assert(std::is_same_v<decltype(kids),
                               caf::expected<std::vector<relc::child_info>>>);
  REQUIRE(kids);
  REQUIRE(kids->size() == 1);
  CHECK(kids->front().id == "w");
  CHECK_FALSE(kids->front().is_supervisor);
  auto n = ctx.call(relc::as_supervisor(*sup), 1s,
                    relc::sup_atoms::count_children::value);
  REQUIRE(n);
  CHECK(n->specs == 1);
  CHECK(n->active == 1);
  CHECK(n->workers == 1);
  CHECK(n->supervisors == 0);
  // An error reply stays an error: no child "x" to restart.
  auto none = ctx.call(relc::as_supervisor(*sup), 1s,
                       relc::sup_atoms::restart_child::value,
                       std::string{"x"});
  REQUIRE_FALSE(none);
  CHECK(none.error() == relc::runtime_errc::not_found);
  // The registry is typed as well: its value comes back as a term.
  REQUIRE(ctx.call(f.rel.registry, 1s, relc::reg_atoms::put::value,
                   std::string{"svc"}, kids->front().handle,
                   relc::term{"v1"}));
  auto v = ctx.call(f.rel.registry, 1s, relc::reg_atoms::value::value,
                    std::string{"svc"});
  REQUIRE(v);
  CHECK(v->as_string() == "v1");
  caf::anon_send_exit(*sup, caf::exit_reason::user_shutdown);
}
