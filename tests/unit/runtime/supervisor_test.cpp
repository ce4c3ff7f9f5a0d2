#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include <caf/all.hpp>

#include "relc/runtime/log.hpp"
#include "relc/runtime/registry.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "relc/runtime/supervisor.hpp"

using namespace relc;
using namespace std::chrono_literals;

namespace {

using quit_atom = caf::atom_constant<caf::atom("t_quit")>;

// Records start and stop events of the test workers, in order.
struct recorder {
  std::mutex mtx;
  std::vector<std::string> events;
  void add(std::string e) {
    std::lock_guard<std::mutex> g{mtx};
    events.push_back(std::move(e));
  }
  std::vector<std::string> take() {
    std::lock_guard<std::mutex> g{mtx};
    auto r = events;
    events.clear();
    return r;
  }
  int count(const std::string& e) {
    std::lock_guard<std::mutex> g{mtx};
    return static_cast<int>(std::count(events.begin(), events.end(), e));
  }
};

caf::behavior worker(caf::event_based_actor* self, std::string id,
                     std::shared_ptr<recorder> rec, bool ignore_shutdown) {
  rec->add("start " + id);
  self->attach_functor([rec, id](const caf::error&) { rec->add("stop " + id); });
  if (ignore_shutdown)
    self->set_exit_handler([](caf::exit_msg&) {}); // only kill ends it
  return {
    [id](caf::get_atom) { return id; },
    [self](quit_atom) { self->quit(); },
  };
}

child_spec spec(const std::string& id, std::shared_ptr<recorder> rec,
                child_restart restart = child_restart::permanent,
                bool ignore_shutdown = false) {
  child_spec s;
  s.id = id;
  s.restart = restart;
  s.start = [id, rec, ignore_shutdown](caf::actor_system& sys,
                                       const term& args)
    -> caf::expected<caf::actor> {
    auto name = args.is_string() ? id + ":" + args.as_string() : id;
    return sys.spawn(worker, name, rec, ignore_shutdown);
  };
  return s;
}

struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  std::shared_ptr<recorder> rec = std::make_shared<recorder>();

  fixture() { set_log_level(log_level::error); }
  ~fixture() { set_log_level(log_level::info); }

  std::vector<child_info> which(const caf::actor& sup) {
    std::vector<child_info> result;
    // Typed: the compiler checks the request and the reply's type.
    self->request(as_supervisor(sup), 5s, sup_atoms::which_children::value)
      .receive([&](std::vector<child_info>& xs) { result = xs; },
               [&](caf::error& err) { FAIL(sys.render(err)); });
    return result;
  }

  std::vector<caf::actor> handles(const caf::actor& sup) {
    std::vector<caf::actor> result;
    for (auto& c : which(sup))
      result.push_back(c.handle);
    return result;
  }

  template <class Pred>
  bool eventually(Pred pred, std::chrono::milliseconds limit = 3s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred())
        return true;
      std::this_thread::sleep_for(5ms);
    }
    return pred();
  }

  caf::error exit_reason_of(const caf::actor& a) {
    caf::error reason;
    self->monitor(a);
    self->receive([&](caf::down_msg& dm) { reason = dm.reason; },
                  caf::after(5s) >> [&] { reason = caf::sec::request_timeout; });
    return reason;
  }

  void crash(const caf::actor& a) {
    caf::anon_send(a, caf::exit_msg{caf::actor_addr{},
                                    make_error(runtime_errc::start_failed, "crash")});
  }

  void stop(const caf::actor& sup) {
    caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
    exit_reason_of(sup);
  }
};

supervisor_flags flags(restart_strategy s, int intensity = 5) {
  supervisor_flags f;
  f.strategy = s;
  f.intensity = intensity;
  f.period = 5s;
  f.name = "test_sup";
  return f;
}

bool changed(const caf::actor& a, const caf::actor& b) {
  return a && b && a != b;
}

} // namespace

TEST_CASE("children start in order and stop in reverse order",
          "[runtime][supervisor]") {
  fixture f;
  auto sup = start_supervisor(f.sys, flags(restart_strategy::one_for_one),
                              {spec("a", f.rec), spec("b", f.rec),
                               spec("c", f.rec)});
  REQUIRE(sup);
  CHECK(f.rec->take() == std::vector<std::string>{"start a", "start b", "start c"});
  f.stop(*sup);
  CHECK(f.rec->take() == std::vector<std::string>{"stop c", "stop b", "stop a"});
}

TEST_CASE("one_for_one restarts only the failed child", "[runtime][supervisor]") {
  fixture f;
  auto sup = *start_supervisor(f.sys, flags(restart_strategy::one_for_one),
                               {spec("a", f.rec), spec("b", f.rec), spec("c", f.rec)});
  auto before = f.handles(sup);
  f.crash(before[1]);
  REQUIRE(f.eventually([&] { return changed(f.handles(sup)[1], before[1]); }));
  auto after = f.handles(sup);
  CHECK(after[0] == before[0]);
  CHECK(after[2] == before[2]);
  f.stop(sup);
}

TEST_CASE("one_for_all restarts every child, in order", "[runtime][supervisor]") {
  fixture f;
  auto sup = *start_supervisor(f.sys, flags(restart_strategy::one_for_all),
                               {spec("a", f.rec), spec("b", f.rec), spec("c", f.rec)});
  auto before = f.handles(sup);
  f.rec->take();
  f.crash(before[1]);
  REQUIRE(f.eventually([&] {
    auto h = f.handles(sup);
    return changed(h[0], before[0]) && changed(h[1], before[1])
           && changed(h[2], before[2]);
  }));
  auto events = f.rec->take();
  // b died; the others stop in reverse order; all start again in order.
  CHECK(events == std::vector<std::string>{"stop b", "stop c", "stop a",
                                           "start a", "start b", "start c"});
  f.stop(sup);
}

TEST_CASE("rest_for_one restarts the failed child and those after it",
          "[runtime][supervisor]") {
  fixture f;
  auto sup = *start_supervisor(f.sys, flags(restart_strategy::rest_for_one),
                               {spec("a", f.rec), spec("b", f.rec), spec("c", f.rec)});
  auto before = f.handles(sup);
  f.crash(before[1]);
  REQUIRE(f.eventually([&] {
    auto h = f.handles(sup);
    return changed(h[1], before[1]) && changed(h[2], before[2]);
  }));
  CHECK(f.handles(sup)[0] == before[0]);
  f.stop(sup);
}

TEST_CASE("restart types: permanent always, transient on abnormal exit, "
          "temporary never", "[runtime][supervisor]") {
  fixture f;
  auto sup = *start_supervisor(
    f.sys, flags(restart_strategy::one_for_one, 10),
    {spec("p", f.rec, child_restart::permanent),
     spec("t", f.rec, child_restart::transient),
     spec("tmp", f.rec, child_restart::temporary)});
  auto h = f.handles(sup);
  // A permanent child exiting normally is restarted.
  caf::anon_send(h[0], quit_atom::value);
  REQUIRE(f.eventually([&] { return f.rec->count("start p") == 2; }));
  // A transient child exiting normally is not...
  caf::anon_send(h[1], quit_atom::value);
  REQUIRE(f.eventually([&] { return !f.which(sup)[1].handle; }));
  std::this_thread::sleep_for(50ms);
  CHECK(f.rec->count("start t") == 1);
  // ...but is after an abnormal exit (restart it first).
  f.self->request(sup, 5s, sup_atoms::restart_child::value, std::string{"t"})
    .receive([](caf::actor&) {}, [&](caf::error& e) { FAIL(f.sys.render(e)); });
  f.crash(f.which(sup)[1].handle);
  REQUIRE(f.eventually([&] { return f.rec->count("start t") == 3; }));
  // A temporary child is never restarted and its spec goes away.
  f.crash(f.which(sup)[2].handle);
  REQUIRE(f.eventually([&] { return f.which(sup).size() == 2; }));
  CHECK(f.rec->count("start tmp") == 1);
  f.stop(sup);
}

TEST_CASE("past its intensity a supervisor stops its children and exits",
          "[runtime][supervisor]") {
  fixture f;
  auto sup = *start_supervisor(f.sys, flags(restart_strategy::one_for_one, 2),
                               {spec("a", f.rec), spec("b", f.rec)});
  for (int i = 0; i < 3; ++i) {
    auto h = f.handles(sup);
    f.crash(h[0]);
    if (i < 2)
      REQUIRE(f.eventually([&] { return changed(f.handles(sup)[0], h[0]); }));
  }
  auto reason = f.exit_reason_of(sup);
  CHECK(reason == runtime_errc::reached_max_restart_intensity);
  CHECK(f.rec->count("stop b") == 1);
}

TEST_CASE("shutdown: a child ignoring shutdown is killed after its timeout, "
          "brutal_kill does not wait", "[runtime][supervisor]") {
  fixture f;
  auto slow = spec("slow", f.rec, child_restart::permanent, true);
  slow.shutdown = child_shutdown::after(200ms);
  auto brutal = spec("brutal", f.rec, child_restart::permanent, true);
  brutal.shutdown = child_shutdown::brutal_kill();
  auto sup = *start_supervisor(f.sys, flags(restart_strategy::one_for_one),
                               {slow, brutal});
  auto t0 = std::chrono::steady_clock::now();
  f.stop(sup);
  auto took = std::chrono::steady_clock::now() - t0;
  CHECK(took >= 200ms);
  CHECK(took < 3s);
  CHECK(f.rec->take() == std::vector<std::string>{"start slow", "start brutal",
                                                  "stop brutal", "stop slow"});
}

TEST_CASE("shutdown infinity waits for the child", "[runtime][supervisor]") {
  fixture f;
  auto child = spec("inner", f.rec);
  child.shutdown = child_shutdown::infinity();
  auto sup = *start_supervisor(f.sys, flags(restart_strategy::one_for_one),
                               {child});
  f.stop(sup);
  CHECK(f.rec->count("stop inner") == 1);
}

TEST_CASE("simple_one_for_one starts children from args and stops them",
          "[runtime][supervisor]") {
  fixture f;
  auto sup = *start_supervisor(f.sys, flags(restart_strategy::simple_one_for_one),
                               {spec("phone", f.rec, child_restart::transient)});
  std::vector<caf::actor> phones;
  for (auto n : {"1", "2", "3"})
    f.self->request(as_supervisor(sup), 5s, sup_atoms::start_child::value, term{n})
      .receive([&](caf::actor& a) { phones.push_back(a); },
               [&](caf::error& e) { FAIL(f.sys.render(e)); });
  CHECK(f.rec->count("start phone:2") == 1);
  relc::child_counts counts;
  f.self->request(as_supervisor(sup), 5s, sup_atoms::count_children::value)
    .receive([&](relc::child_counts& c) { counts = c; },
             [&](caf::error& e) { FAIL(f.sys.render(e)); });
  CHECK(counts.specs == 3);
  CHECK(counts.active == 3);
  CHECK(counts.supervisors == 0);
  CHECK(counts.workers == 3);
  f.crash(phones[0]); // transient, abnormal: restarted with the same args
  REQUIRE(f.eventually([&] { return f.rec->count("start phone:1") == 2; }));
  f.self->request(sup, 5s, sup_atoms::terminate_child::value, phones[1])
    .receive([](caf::ok_atom) {}, [&](caf::error& e) { FAIL(f.sys.render(e)); });
  CHECK(f.rec->count("stop phone:2") == 1);
  CHECK(f.which(sup).size() == 2);
  f.stop(sup);
}

TEST_CASE("dynamic children: start, terminate, restart, delete",
          "[runtime][supervisor]") {
  fixture f;
  auto sup = *start_supervisor(f.sys, flags(restart_strategy::one_for_one), {});
  auto request = [&](auto... xs) {
    caf::error failure;
    f.self->request(sup, 5s, xs...).receive([](caf::ok_atom) {},
                                            [&](caf::error& e) { failure = e; });
    return failure;
  };
  auto start = [&](const child_spec& s) {
    caf::error failure;
    f.self->request(sup, 5s, sup_atoms::start_child::value, s)
      .receive([](caf::actor&) {}, [&](caf::error& e) { failure = e; });
    return failure;
  };
  auto restart = [&](const std::string& id) {
    caf::error failure;
    f.self->request(sup, 5s, sup_atoms::restart_child::value, id)
      .receive([](caf::actor&) {}, [&](caf::error& e) { failure = e; });
    return failure;
  };
  CHECK_FALSE(start(spec("d", f.rec)));
  CHECK(start(spec("d", f.rec)) == runtime_errc::already_present);
  CHECK(request(sup_atoms::delete_child::value, std::string{"d"})
        == runtime_errc::running);
  CHECK_FALSE(request(sup_atoms::terminate_child::value, std::string{"d"}));
  CHECK(f.rec->count("stop d") == 1);
  CHECK_FALSE(restart("d"));
  CHECK(f.rec->count("start d") == 2);
  CHECK_FALSE(request(sup_atoms::terminate_child::value, std::string{"d"}));
  CHECK_FALSE(request(sup_atoms::delete_child::value, std::string{"d"}));
  CHECK(f.which(sup).empty());
  CHECK(request(sup_atoms::terminate_child::value, std::string{"d"})
        == runtime_errc::not_found);
  f.stop(sup);
}

TEST_CASE("a child that fails to start fails the supervisor's start and "
          "stops the children already started", "[runtime][supervisor]") {
  fixture f;
  child_spec bad;
  bad.id = "bad";
  bad.start = [](caf::actor_system&, const term&) -> caf::expected<caf::actor> {
    return make_error(runtime_errc::not_found, "no such device");
  };
  auto sup = start_supervisor(f.sys, flags(restart_strategy::one_for_one),
                              {spec("a", f.rec), bad});
  REQUIRE_FALSE(sup);
  CHECK(sup.error() == runtime_errc::start_failed);
  CHECK(describe_error(sup.error()).find("no such device") != std::string::npos);
  CHECK(f.eventually([&] { return f.rec->count("stop a") == 1; }));
}

TEST_CASE("a child killed with exit_reason::kill is restarted and the supervisor "
          "survives", "[runtime][supervisor]") {
  fixture f;
  auto sup = *start_supervisor(f.sys, flags(restart_strategy::one_for_one),
                               {spec("a", f.rec)});
  auto before = f.handles(sup);
  caf::anon_send_exit(before[0], caf::exit_reason::kill);
  REQUIRE(f.eventually([&] { return changed(f.handles(sup)[0], before[0]); }));
  f.stop(sup);
}

TEST_CASE("a supervisor that is killed takes its children down with it",
          "[runtime][supervisor]") {
  fixture f;
  auto sup = *start_supervisor(f.sys, flags(restart_strategy::one_for_one),
                               {spec("a", f.rec), spec("b", f.rec)});
  auto children = f.handles(sup);
  caf::anon_send_exit(sup, caf::exit_reason::kill);
  CHECK(f.exit_reason_of(children[0]) == caf::exit_reason::kill);
  CHECK(f.exit_reason_of(children[1]) == caf::exit_reason::kill);
}

TEST_CASE("a failed start stops the started children in reverse order, each "
          "with its shutdown spec, before it returns", "[runtime][supervisor]") {
  fixture f;
  child_spec bad;
  bad.id = "bad";
  bad.start = [](caf::actor_system&, const term&) -> caf::expected<caf::actor> {
    return make_error(runtime_errc::not_found, "no such device");
  };
  // b ignores the shutdown request: its 300 ms timeout must run out before
  // it is killed, not be cut short by a kill of the whole tree.
  auto b = spec("b", f.rec, child_restart::permanent, true);
  b.shutdown = child_shutdown::after(300ms);
  auto t0 = std::chrono::steady_clock::now();
  auto sup = start_supervisor(f.sys, flags(restart_strategy::one_for_one),
                              {spec("a", f.rec), b, bad});
  auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE_FALSE(sup);
  // Checked at once: nothing of the tree is left when the start returns.
  CHECK(f.rec->take() == std::vector<std::string>{"start a", "start b",
                                                  "stop b", "stop a"});
  CHECK(took >= 300ms);
}

namespace {

caf::behavior dies_at_once(caf::event_based_actor* self) {
  self->send(self, quit_atom::value);
  return {[self](quit_atom) {
    self->quit(make_error(runtime_errc::start_failed, "crash"));
  }};
}

} // namespace

TEST_CASE("a child whose start returned has started, even if it dies before "
          "answering the supervisor", "[runtime][supervisor]") {
  fixture f;
  child_spec c;
  c.id = "c";
  // Work after the spawn (as real start functions do) lets the child run
  // and die before the supervisor can even ask it.
  c.start = [](caf::actor_system& sys, const term&) -> caf::expected<caf::actor> {
    auto child = sys.spawn(dies_at_once);
    std::this_thread::sleep_for(2ms);
    return child;
  };
  auto fl = flags(restart_strategy::one_for_one, 1000000);
  fl.period = 1s;
  int failed = 0;
  for (int i = 0; i < 100; ++i) {
    auto sup = start_supervisor(f.sys, fl, {c});
    if (!sup) {
      ++failed;
      continue;
    }
    caf::anon_send_exit(*sup, caf::exit_reason::kill);
  }
  CHECK(failed == 0);
}

TEST_CASE("a start function that was quick runs inline on restarts, and should it "
          "block after all, it runs again off the scheduler",
          "[runtime][supervisor][blocking]") {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 1); // a wait on this thread never ends
  caf::actor_system sys{cfg};
  auto registry = spawn_registry(sys);
  auto sentinel = sys.spawn(worker, std::string{"sentinel"},
                            std::make_shared<recorder>(), false);
  REQUIRE_FALSE(register_name(sys, registry, "sentinel", sentinel));
  auto rec = std::make_shared<recorder>();
  auto calls = std::make_shared<std::atomic<int>>(0);
  child_spec s;
  s.id = "w";
  // The first start spawns only; every later one also waits for a name
  // with the blocking helper (there at once), then registers the worker.
  s.start = [rec, calls, registry](caf::actor_system& sys, const term&)
    -> caf::expected<caf::actor> {
    auto n = ++*calls;
    auto w = sys.spawn(worker, std::string{"w"}, rec, false);
    if (n > 1) {
      auto up = await_names(sys, registry, {"sentinel"}, 5s);
      if (!up) {
        rec->add("refused: " + describe_error(up.error()));
        caf::anon_send_exit(w, caf::exit_reason::kill);
        return up.error();
      }
      if (auto err = register_name(sys, registry, "w_name", w))
        return err;
      rec->add("registered");
    }
    return w;
  };
  supervisor_flags flags;
  flags.intensity = 5;
  auto sup = start_supervisor(sys, flags, {s});
  REQUIRE(sup);
  caf::scoped_actor self{sys};
  std::vector<child_info> first;
  self->request(as_supervisor(*sup), 5s, sup_atoms::which_children::value)
    .receive([&](std::vector<child_info>& kids) { first = std::move(kids); },
             [](caf::error&) {});
  REQUIRE(first.size() == 1);
  self->send(first[0].handle, quit_atom::value); // a normal exit: restarted
  for (int i = 0; i < 200 && rec->count("registered") == 0; ++i)
    std::this_thread::sleep_for(10ms);
  // Inline on the one scheduler thread, the helper refused at once; the
  // start ran again on the blocking pool and registered the worker.
  CHECK(rec->count("registered") == 1);
  auto events = rec->take();
  CHECK(std::count_if(events.begin(), events.end(), [](const std::string& e) {
          return e.find("refused: relc::await_names called inside an actor")
                 == 0;
        })
        == 1);
  CHECK(*calls == 3);
  caf::anon_send_exit(*sup, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(sentinel, caf::exit_reason::kill);
  caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
}

TEST_CASE("a start function may spawn a supervisor and wait for its children",
          "[runtime][supervisor][blocking]") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto rec = std::make_shared<recorder>();
  auto seen = std::make_shared<std::atomic<int>>(-1);
  child_spec s;
  s.id = "sub";
  s.is_supervisor = true;
  // Runs on start_supervisor's thread, which must not be the only one
  // that can start the new supervisor's children it then waits for.
  s.start = [rec, seen](caf::actor_system& sys, const term&)
    -> caf::expected<caf::actor> {
    supervisor_flags flags;
    flags.name = "inner";
    auto inner = spawn_supervisor(sys, flags, {spec("w", rec)});
    caf::scoped_actor self{sys};
    self->request(as_supervisor(inner), 2s, sup_atoms::count_children::value)
      .receive([&](const child_counts& n) { *seen = n.active; },
               [](caf::error&) {});
    return inner;
  };
  supervisor_flags flags;
  auto t0 = std::chrono::steady_clock::now();
  auto sup = start_supervisor(sys, flags, {s});
  REQUIRE(sup);
  CHECK(*seen == 1);
  CHECK(std::chrono::steady_clock::now() - t0 < 1s);
  caf::anon_send_exit(*sup, caf::exit_reason::user_shutdown);
}

TEST_CASE("start_supervisor returns at its timeout after the start function "
          "that ran past it", "[runtime][supervisor][blocking]") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto rec = std::make_shared<recorder>();
  child_spec slow = spec("slow", rec);
  auto start = slow.start;
  slow.start = [start](caf::actor_system& sys, const term& args) {
    std::this_thread::sleep_for(300ms);
    return start(sys, args);
  };
  supervisor_flags flags;
  auto t0 = std::chrono::steady_clock::now();
  auto sup = start_supervisor(sys, flags, {slow, spec("next", rec)}, 100ms);
  auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE_FALSE(sup);
  CHECK(describe_error(sup.error()).find("did not start within 100 ms")
        != std::string::npos);
  CHECK(took < 1s);
  // The supervisor is gone; what it started is stopped.
  for (int i = 0; i < 100 && rec->count("stop slow") == 0; ++i)
    std::this_thread::sleep_for(10ms);
  CHECK(rec->count("stop slow") == 1);
}
