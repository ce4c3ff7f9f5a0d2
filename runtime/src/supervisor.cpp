#include "relc/runtime/supervisor.hpp"

#include <algorithm>
#include <deque>

#include <caf/all.hpp>

#include "blocking_pool.hpp"
#include "registry_calls.hpp"
#include "exception_error.hpp"
#include "relc/runtime/blocking.hpp"
#include "relc/runtime/log.hpp"
#include "relc/runtime/registry.hpp"
#include "relc/runtime/runtime_error.hpp"

namespace relc {

const char* to_string(restart_strategy x) {
  switch (x) {
    case restart_strategy::one_for_one: return "one_for_one";
    case restart_strategy::one_for_all: return "one_for_all";
    case restart_strategy::rest_for_one: return "rest_for_one";
    case restart_strategy::simple_one_for_one: return "simple_one_for_one";
  }
  return "?";
}

const char* to_string(child_restart x) {
  switch (x) {
    case child_restart::permanent: return "permanent";
    case child_restart::transient: return "transient";
    case child_restart::temporary: return "temporary";
  }
  return "?";
}

namespace {

using clock_type = std::chrono::steady_clock;

struct child_entry {
  uint64_t key = 0;
  child_spec spec;
  caf::actor handle; // null while not running
  // Whether its start function may block: until a start showed otherwise
  // (see run_start).
  bool may_block = true;
};

// Children to stop one after the other, then what to do next.
struct stop_job {
  std::deque<uint64_t> keys;
  std::function<void()> then;
};

using done_fn = std::function<void(caf::error)>;

struct sup_state {
  supervisor_flags flags;
  std::vector<child_entry> children;
  child_spec template_spec; // simple_one_for_one
  bool template_may_block = true;
  uint64_t next_key = 1;
  std::deque<clock_type::time_point> restarts;
  std::deque<stop_job> jobs;
  uint64_t awaiting = 0;    // key of the child being stopped, 0 for none
  uint64_t starting = 0;    // key of the child being started, 0 for none
  uint64_t stop_serial = 0; // matches stop timeouts to stops
  std::vector<caf::down_msg> deferred;
  // Addresses of the running children, shared with the hook that takes
  // them down if the supervisor itself dies (see supervisor_impl).
  std::shared_ptr<std::vector<caf::actor_addr>> live
    = std::make_shared<std::vector<caf::actor_addr>>();
  bool init_done = false;
  caf::error init_error;
  std::vector<caf::typed_response_promise<caf::ok_atom>> init_waiters;
  // Where child start functions run while the initial children start: the
  // thread waiting in start_supervisor (the whole tree's), or null for the
  // blocking pool. Restarts and later starts always go to the pool.
  std::shared_ptr<detail::caller_executor> init_exec;
  // start_supervisor's waiter, told the outcome of the initial start.
  std::shared_ptr<detail::caller_executor> started;
  bool shutting_down = false;

  static inline const char* name = "relc_supervisor";
};

using sup_ptr = supervisor_actor::stateful_pointer<sup_state>;

bool is_shutdown(const caf::error& reason) {
  return reason == caf::exit_reason::user_shutdown;
}

void report(sup_ptr self, log_level level, const std::string& text) {
  log(level, "supervisor " + self->state.flags.name, text);
}

child_entry* find_key(sup_ptr self, uint64_t key) {
  for (auto& c : self->state.children)
    if (c.key == key)
      return &c;
  return nullptr;
}

child_entry* find_id(sup_ptr self, const std::string& id) {
  for (auto& c : self->state.children)
    if (c.spec.id == id)
      return &c;
  return nullptr;
}

child_entry* find_addr(sup_ptr self, const caf::actor_addr& addr) {
  for (auto& c : self->state.children)
    if (c.handle && c.handle.address() == addr)
      return &c;
  return nullptr;
}

void remove_key(sup_ptr self, uint64_t key) {
  auto& cs = self->state.children;
  cs.erase(std::remove_if(cs.begin(), cs.end(),
                          [&](const child_entry& c) { return c.key == key; }),
           cs.end());
}

bool busy(sup_ptr self) {
  auto& st = self->state;
  return st.awaiting != 0 || st.starting != 0 || !st.jobs.empty();
}

void pump(sup_ptr self);
void handle_down(sup_ptr self, caf::down_msg& dm);

// The set of running children the termination hook takes down.
void add_live(sup_ptr self, const caf::actor& child) {
  self->state.live->push_back(child.address());
}

void remove_live(sup_ptr self, const caf::actor& child) {
  auto& live = *self->state.live;
  live.erase(std::remove(live.begin(), live.end(), child.address()),
             live.end());
}

using start_done = std::function<void(caf::expected<caf::actor>)>;

// A start function that took longer than this, or began a blocking wait,
// may block: it runs off the scheduler from then on.
constexpr auto quick_start = std::chrono::microseconds{100};

// Calls `start` on this thread, catching what it throws; `blocked` tells
// whether it began a blocking wait or took long.
caf::expected<caf::actor> call_start(const child_start_fn& start,
                                     caf::actor_system& sys, const term& args,
                                     bool& blocked) {
  auto waits = detail::blocking_waits_here();
  auto t0 = clock_type::now();
  caf::expected<caf::actor> result{caf::actor{}};
  try {
    result = start(sys, args);
  } catch (...) {
    result = current_exception_error();
  }
  blocked = detail::blocking_waits_here() != waits
            || clock_type::now() - t0 > quick_start;
  return result;
}

// What the supervisor learnt of child `key`'s start function.
void learn(sup_ptr self, uint64_t key, bool blocked) {
  if (!blocked)
    return; // a start that once blocked is not trusted again
  if (auto* e = find_key(self, key))
    e->may_block = true;
  if (self->state.flags.strategy == restart_strategy::simple_one_for_one)
    self->state.template_may_block = true;
}

void trust(sup_ptr self, uint64_t key, bool blocked) {
  if (blocked) {
    learn(self, key, true);
    return;
  }
  if (auto* e = find_key(self, key))
    e->may_block = false;
  if (self->state.flags.strategy == restart_strategy::simple_one_for_one)
    self->state.template_may_block = false;
}

void run_start_off(sup_ptr self, uint64_t key, child_start_fn start, term args,
                   start_done then);

// Runs the start function of child `key` (which must exist; `start` null:
// the child's own) and hands its outcome to `then`. OTP lets a start
// function block until the child is initialised, so it runs where
// blocking is safe, never on this supervisor's scheduler thread, and the
// supervisor awaits it: like OTP's, it handles nothing else until the
// start returned (its scheduler thread is free meanwhile for the actors
// the start function waits for). One exception keeps restarts as cheap as
// a spawn: a start function that began no blocking wait and returned
// within 100 us the last time runs here, inline, copying nothing; should
// it call a blocking helper after all, the helper refuses at once
// (would_block) and the start runs again off the scheduler.
template <class Then>
void run_start(sup_ptr self, uint64_t key, const child_start_fn* start,
               Then then) {
  auto* entry = find_key(self, key);
  if (!start)
    start = &entry->spec.start;
  if (!entry->may_block) {
    bool blocked = false;
    auto result = call_start(*start, self->system(), entry->spec.args, blocked);
    if (result || result.error() != runtime_errc::would_block) {
      trust(self, key, blocked);
      then(std::move(result));
      return;
    }
    learn(self, key, true); // it tried to block: off the scheduler
  }
  run_start_off(self, key, *start, entry->spec.args, start_done{std::move(then)});
}

// run_start's other half: on start_supervisor's thread or the pool, with
// copies of the start function and its args.
void run_start_off(sup_ptr self, uint64_t key, child_start_fn start, term args,
                   start_done then) {
  auto reply_id
    = self->new_request_id(caf::message_priority::normal).response_id();
  self->add_awaited_response_handler(
    reply_id, caf::behavior{
                [self, key, then](caf::actor& child, bool blocked) {
                  trust(self, key, blocked);
                  then(std::move(child));
                },
                [self, key, then](caf::error& err, bool blocked) {
                  learn(self, key, blocked);
                  then(std::move(err));
                },
              });
  auto me = caf::actor_cast<caf::strong_actor_ptr>(self);
  auto* sys = &self->system();
  auto exec = self->state.init_done ? nullptr : self->state.init_exec;
  detail::post_blocking(exec, [me, sys, start = std::move(start),
                               args = std::move(args), reply_id] {
    bool blocked = false;
    auto result = call_start(start, *sys, args, blocked);
    auto reply = result ? caf::make_message(std::move(*result), blocked)
                        : caf::make_message(std::move(result.error()), blocked);
    me->enqueue(nullptr, reply_id, std::move(reply), nullptr);
  });
}

// The node's name registry (the one spawn_registry made last in this
// actor system), for names in child specs.
caf::actor name_registry(caf::actor_system& sys) {
  return caf::actor_cast<caf::actor>(sys.registry().get(registry_key));
}

void await_ready(sup_ptr self, uint64_t key, done_fn done);

// Starts one child and calls `done` once it is initialised: OTP starts
// children one after the other, each fully started before the next. The
// start function runs off the scheduler (run_start); a child spec's name
// is registered next (OTP's {local, Name}); then, since CAF runs a spawned
// actor's init later, the supervisor asks the child for its info
// (answered only after init) or, for a supervisor child, awaits its
// sup_init (answered once all its own children are up).
void start_entry(sup_ptr self, uint64_t key, done_fn done) {
  auto* entry = find_key(self, key);
  if (!entry) {
    done(make_error(runtime_errc::not_found, "child vanished"));
    return;
  }
  self->state.starting = key;
  run_start(self, key, nullptr,
            [self, key, done](caf::expected<caf::actor> result) {
              self->state.starting = 0;
              auto* entry = find_key(self, key);
              if (!entry) { // cannot happen: nothing ran meanwhile
                done(make_error(runtime_errc::not_found, "child vanished"));
                return;
              }
              auto id = entry->spec.id;
              if (!result) {
                report(self, log_level::error, "child " + id
                                                 + " failed to start: "
                                                 + describe_error(result.error()));
                done(make_error(runtime_errc::start_failed,
                                "child " + id + " of supervisor "
                                  + self->state.flags.name + ": "
                                  + describe_error(result.error())));
                return;
              }
              if (!*result) { // OTP's `ignore`: nothing to supervise
                done({});
                return;
              }
              entry->handle = std::move(*result);
              await_ready(self, key, std::move(done));
            });
}

// The second half of start_entry: the child runs; its name, then its
// readiness.
void await_ready(sup_ptr self, uint64_t key, done_fn done) {
  auto* entry = find_key(self, key);
  auto id = entry->spec.id;
  auto fail = [self, id, done](const caf::error& err) {
    report(self, log_level::error,
           "child " + id + " failed to start: " + describe_error(err));
    done(make_error(runtime_errc::start_failed,
                    "child " + id + " of supervisor " + self->state.flags.name
                      + ": " + describe_error(err)));
  };
  // Monitored, not linked: in CAF an untrappable `kill` travels along links,
  // so a killed child would take its supervisor down with it.
  self->monitor(entry->handle);
  add_live(self, entry->handle);
  self->state.starting = key;
  auto actor_id = entry->handle.id();
  auto on_ready = [self, id, actor_id, done] {
    self->state.starting = 0;
    report(self, log_level::info, "started child " + id + " (actor "
                                    + std::to_string(actor_id) + ")");
    done({});
  };
  // A child that failed its probe, or whose name is taken, did not start
  // (OTP: {error, {already_started, Pid}}): it is killed again.
  auto failed = [self, key, fail](const caf::error& err) {
    self->state.starting = 0;
    if (auto* e = find_key(self, key); e && e->handle) {
      self->send_exit(e->handle, caf::exit_reason::kill);
      remove_live(self, e->handle);
      e->handle = nullptr;
    }
    fail(err);
  };
  auto on_error = [on_ready, failed](caf::error& err) {
    if (err == caf::sec::request_receiver_down) {
      // Its start function returned it, so it started (OTP: start_link
      // returned ok); that it died before answering the probe is an exit,
      // handled by the restart strategy once its down message is handled
      // (deferred until then, see handle_down), not a start failure.
      on_ready();
      return;
    }
    failed(err);
  };
  auto probe = [self, key, on_ready, on_error] {
    auto* entry = find_key(self, key);
    if (!entry || !entry->handle) { // named, then killed meanwhile
      on_ready();
      return;
    }
    if (entry->spec.is_supervisor)
      self->request(entry->handle, caf::infinite, sup_atoms::init::value)
        .await([on_ready](caf::ok_atom) { on_ready(); }, on_error);
    else
      self
        ->request(entry->handle, caf::infinite, caf::sys_atom::value,
                  caf::get_atom::value, std::string{"info"})
        .await([on_ready](caf::ok_atom, std::string&, caf::strong_actor_ptr&,
                          std::string&) { on_ready(); },
               on_error);
  };
  if (entry->spec.name.empty()) {
    probe();
    return;
  }
  // OTP's {local, Name}: registered on every start, without blocking
  // anyone; the registry drops the name when the actor dies (and lets a
  // restarted child take it over from its dead predecessor at once).
  auto registry = name_registry(self->system());
  auto name = entry->spec.name;
  if (!registry) {
    failed(make_error(runtime_errc::not_found,
                      "name '" + name
                        + "': no name registry in this actor system "
                          "(spawn_registry)"));
    return;
  }
  // The runtime's registry takes the name at once, in its table; any other
  // is asked (without blocking this actor).
  auto typed = caf::actor_cast<registry_actor>(registry);
  if (registers_at_once(typed)) {
    if (auto err = register_name(self->system(), typed, name, entry->handle))
      failed(err);
    else
      probe();
    return;
  }
  self
    ->request(registry, caf::infinite, reg_atoms::put::value, name,
              entry->handle)
    .await([probe](caf::ok_atom) { probe(); },
           [failed](caf::error& err) { failed(err); });
}

void begin_stop(sup_ptr self, child_entry& entry) {
  auto& st = self->state;
  st.awaiting = entry.key;
  ++st.stop_serial;
  switch (entry.spec.shutdown.type) {
    case child_shutdown::kind::brutal_kill:
      self->send_exit(entry.handle, caf::exit_reason::kill);
      break;
    case child_shutdown::kind::timeout:
      self->send_exit(entry.handle, caf::exit_reason::user_shutdown);
      self->delayed_send(self, entry.spec.shutdown.time,
                         sup_atoms::stop_timeout::value, entry.key,
                         st.stop_serial);
      break;
    case child_shutdown::kind::infinity:
      self->send_exit(entry.handle, caf::exit_reason::user_shutdown);
      break;
  }
}

// A child whose down message is deferred is dead already: forget it
// (true) instead of waiting for a second down that never comes.
bool take_deferred(sup_ptr self, child_entry& entry) {
  auto& ds = self->state.deferred;
  auto addr = entry.handle.address();
  auto i = std::find_if(ds.begin(), ds.end(), [&](const caf::down_msg& dm) {
    return dm.source == addr;
  });
  if (i == ds.end())
    return false;
  report(self, log_level::info, "child " + entry.spec.id
                                  + " stopped: " + describe_error(i->reason));
  ds.erase(i);
  remove_live(self, entry.handle);
  entry.handle = nullptr;
  return true;
}

// Runs the stop jobs: stops one child at a time, waiting for its down
// message; then handles deaths that arrived meanwhile.
void pump(sup_ptr self) {
  auto& st = self->state;
  while (st.awaiting == 0 && st.starting == 0 && !st.jobs.empty()) {
    auto& job = st.jobs.front();
    if (!job.keys.empty()) {
      auto key = job.keys.front();
      job.keys.pop_front();
      auto* entry = find_key(self, key);
      if (!entry || !entry->handle)
        continue;
      if (take_deferred(self, *entry)) // already dead: nothing to wait for
        continue;
      begin_stop(self, *entry);
      continue;
    }
    auto then = std::move(job.then);
    st.jobs.pop_front();
    if (then)
      then();
  }
  if (!busy(self) && !st.deferred.empty()) {
    auto deferred = std::move(st.deferred);
    st.deferred.clear();
    for (auto& dm : deferred)
      handle_down(self, dm);
  }
}

void stop_children(sup_ptr self, std::vector<uint64_t> keys,
                   std::function<void()> then) {
  stop_job job;
  job.keys.assign(keys.begin(), keys.end());
  job.then = std::move(then);
  self->state.jobs.push_back(std::move(job));
  pump(self);
}

std::vector<uint64_t> running_keys_reversed(sup_ptr self, size_t from = 0) {
  std::vector<uint64_t> keys;
  auto& cs = self->state.children;
  for (size_t i = cs.size(); i > from; --i)
    if (cs[i - 1].handle)
      keys.push_back(cs[i - 1].key);
  return keys;
}

void finish_init(sup_ptr self, caf::error err) {
  auto& st = self->state;
  st.init_done = true;
  st.init_error = err;
  st.init_exec = nullptr; // later starts run on the pool
  if (st.started)
    st.started->finish(err);
  for (auto& rp : st.init_waiters) {
    if (err)
      rp.deliver(err);
    else
      rp.deliver(caf::ok_atom::value);
  }
  st.init_waiters.clear();
}

void shut_down(sup_ptr self, caf::error reason) {
  if (self->state.shutting_down)
    return;
  self->state.shutting_down = true;
  if (!self->state.init_done)
    finish_init(self, reason);
  stop_children(self, running_keys_reversed(self), [self, reason] {
    self->quit(reason);
  });
}

// Counts a restart; false when the intensity is exceeded.
bool add_restart(sup_ptr self) {
  auto& st = self->state;
  auto now = clock_type::now();
  st.restarts.push_back(now);
  while (!st.restarts.empty() && now - st.restarts.front() > st.flags.period)
    st.restarts.pop_front();
  return static_cast<int>(st.restarts.size()) <= st.flags.intensity;
}

void give_up(sup_ptr self) {
  report(self, log_level::error,
         "reached max restart intensity ("
           + std::to_string(self->state.flags.intensity) + " in "
           + std::to_string(self->state.flags.period.count())
           + " ms), shutting down");
  shut_down(self, make_error(runtime_errc::reached_max_restart_intensity,
                             "supervisor " + self->state.flags.name
                               + " reached max restart intensity"));
}

// Starts the stopped, non-temporary children from position `from` on, in
// order; a child that fails to start counts as a restart and is retried.
void restart_from(sup_ptr self, size_t from) {
  auto& cs = self->state.children;
  size_t i = from;
  while (i < cs.size() && cs[i].handle)
    ++i;
  if (i >= cs.size() || self->state.shutting_down) {
    pump(self);
    return;
  }
  auto key = cs[i].key;
  start_entry(self, key, [self, key](caf::error err) {
    if (err && !add_restart(self)) {
      give_up(self);
      return;
    }
    size_t pos = 0;
    auto& cs = self->state.children;
    while (pos < cs.size() && cs[pos].key != key)
      ++pos;
    restart_from(self, err ? pos : pos + 1);
  });
}

void child_exited(sup_ptr self, child_entry& entry, const caf::error& reason) {
  auto& st = self->state;
  auto id = entry.spec.id;
  auto key = entry.key;
  bool abnormal = reason && !is_shutdown(reason);
  report(self, abnormal ? log_level::error : log_level::info,
         "child " + id + " exited: " + describe_error(reason));
  entry.handle = nullptr;
  auto restart = entry.spec.restart;
  bool dynamic = st.flags.strategy == restart_strategy::simple_one_for_one;
  if (restart == child_restart::temporary
      || (restart == child_restart::transient && !abnormal)) {
    if (restart == child_restart::temporary || dynamic)
      remove_key(self, key);
    return;
  }
  if (!add_restart(self)) {
    give_up(self);
    return;
  }
  report(self, log_level::info, "restarting child " + id + " ("
                                  + to_string(st.flags.strategy) + ")");
  auto& cs = st.children;
  size_t pos = 0;
  while (pos < cs.size() && cs[pos].key != key)
    ++pos;
  switch (st.flags.strategy) {
    case restart_strategy::one_for_one:
    case restart_strategy::simple_one_for_one:
      restart_from(self, pos);
      break;
    case restart_strategy::one_for_all:
      stop_children(self, running_keys_reversed(self),
                    [self] { restart_from(self, 0); });
      break;
    case restart_strategy::rest_for_one:
      stop_children(self, running_keys_reversed(self, pos + 1),
                    [self, pos] { restart_from(self, pos); });
      break;
  }
}

// A child terminated (every child is monitored).
void handle_down(sup_ptr self, caf::down_msg& dm) {
  auto& st = self->state;
  auto* entry = find_addr(self, dm.source);
  if (!entry)
    return;
  remove_live(self, entry->handle);
  if (entry->key == st.awaiting) {
    report(self, log_level::info, "child " + entry->spec.id
                                    + " stopped: " + describe_error(dm.reason));
    entry->handle = nullptr;
    st.awaiting = 0;
    pump(self);
    return;
  }
  if (entry->key == st.starting) {
    // Died before answering the readiness probe: the probe's error ends
    // the start, then this down is handled as the child's exit.
    st.deferred.push_back(dm);
    return;
  }
  if (st.shutting_down) {
    entry->handle = nullptr;
    return;
  }
  if (busy(self)) {
    // Busy stopping or starting others: a crash of a child queued for
    // stopping needs no more work; any other is handled afterwards.
    for (auto& job : st.jobs)
      if (std::find(job.keys.begin(), job.keys.end(), entry->key)
          != job.keys.end()) {
        report(self, log_level::info,
               "child " + entry->spec.id
                 + " exited while stopping: " + describe_error(dm.reason));
        entry->handle = nullptr;
        return;
      }
    st.deferred.push_back(dm);
    return;
  }
  child_exited(self, *entry, dm.reason);
}

// Children are not linked, so every exit signal is a shutdown request (from
// the parent supervisor or the application controller).
void handle_exit(sup_ptr self, caf::exit_msg& em) {
  shut_down(self, em.reason);
}

// Starts the initial children in order, then reports init done.
void start_initial(sup_ptr self, size_t i) {
  auto& st = self->state;
  if (st.shutting_down)
    return;
  if (i >= st.children.size()) {
    finish_init(self, {});
    pump(self);
    return;
  }
  start_entry(self, st.children[i].key, [self, i](caf::error err) {
    if (err) {
      // OTP: the children already started stop in reverse order, each
      // with its shutdown spec, and only then does the start fail, so a
      // failed start leaves nothing of the tree running.
      self->state.shutting_down = true;
      stop_children(self, running_keys_reversed(self), [self, err] {
        finish_init(self, err);
        self->quit(err);
      });
      return;
    }
    start_initial(self, i + 1);
  });
}

// Adds a dynamic child and starts it; the reply is its handle, or the start
// error (and the child is forgotten again).
// What happens to a child's spec when a requested start fails.
enum class on_start_error { forget_spec, keep_spec };

// Starts the child `key` for a request; the reply is its handle or the error.
caf::typed_response_promise<caf::actor>
start_and_reply(sup_ptr self, uint64_t key, on_start_error policy) {
  auto rp = self->make_response_promise<caf::actor>();
  start_entry(self, key, [self, key, rp, policy](caf::error err) mutable {
    if (err) {
      if (policy == on_start_error::forget_spec)
        remove_key(self, key);
      rp.deliver(err);
    } else {
      auto* e = find_key(self, key);
      rp.deliver(e ? e->handle : caf::actor{});
    }
    pump(self);
  });
  return rp;
}

caf::typed_response_promise<caf::actor> start_added_child(sup_ptr self,
                                                          child_entry entry) {
  auto key = entry.key;
  self->state.children.push_back(std::move(entry));
  return start_and_reply(self, key, on_start_error::forget_spec);
}

supervisor_actor::behavior_type
supervisor_impl(sup_ptr self, supervisor_flags flags,
                std::vector<child_spec> specs,
                std::shared_ptr<detail::caller_executor> init_exec,
                std::shared_ptr<detail::caller_executor> started) {
  auto& st = self->state;
  st.flags = std::move(flags);
  st.init_exec = std::move(init_exec);
  st.started = started;
  if (started) // a supervisor killed before its init is done still answers
    self->attach_functor([started](const caf::error& reason) {
      started->finish(reason ? reason
                             : make_error(runtime_errc::start_failed,
                                          "supervisor exited during its "
                                          "start"));
    });
  self->set_exit_handler([self](caf::exit_msg& em) { handle_exit(self, em); });
  self->set_down_handler([self](caf::down_msg& dm) { handle_down(self, dm); });
  // What links did in OTP: a supervisor that dies (killed, or crashed) takes
  // the children it still has with it, with its own exit reason.
  auto live = st.live;
  auto me = self->address();
  self->attach_functor([live, me](const caf::error& reason) {
    if (!reason)
      return;
    for (auto& addr : *live)
      if (auto child = caf::actor_cast<caf::actor>(addr))
        caf::anon_send(child, caf::exit_msg{me, reason});
  });
  caf::error config_error;
  if (st.flags.strategy == restart_strategy::simple_one_for_one) {
    if (specs.size() != 1)
      config_error = make_error(
        runtime_errc::wrong_strategy,
        "simple_one_for_one supervisor " + st.flags.name
          + " needs exactly one child spec (the template), got "
          + std::to_string(specs.size()));
    else
      st.template_spec = specs.front();
  } else {
    for (auto& spec : specs) {
      if (find_id(self, spec.id)) {
        config_error = make_error(runtime_errc::already_present,
                                  "duplicate child id " + spec.id);
        break;
      }
      st.children.push_back(child_entry{st.next_key++, spec, nullptr});
    }
  }
  if (config_error) {
    finish_init(self, config_error);
    st.shutting_down = true;
    self->quit(config_error);
  } else {
    start_initial(self, 0);
  }
  return {
    [self](sup_atoms::init) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      if (st.init_done) {
        if (st.init_error)
          return st.init_error;
        return caf::ok_atom::value;
      }
      auto rp = self->make_response_promise<caf::ok_atom>();
      st.init_waiters.push_back(rp);
      return rp;
    },
    [self](sup_atoms::start_child,
           const child_spec& spec) -> caf::result<caf::actor> {
      auto& st = self->state;
      if (st.flags.strategy == restart_strategy::simple_one_for_one)
        return make_error(runtime_errc::wrong_strategy,
                          "start a simple_one_for_one child with args");
      if (find_id(self, spec.id))
        return make_error(runtime_errc::already_present,
                          "child " + spec.id + " already present");
      return start_added_child(self, child_entry{st.next_key++, spec, nullptr});
    },
    [self](sup_atoms::start_child, const term& args) -> caf::result<caf::actor> {
      auto& st = self->state;
      if (st.flags.strategy != restart_strategy::simple_one_for_one)
        return make_error(runtime_errc::wrong_strategy,
                          "only simple_one_for_one starts children from args");
      child_entry entry{st.next_key++, st.template_spec, nullptr,
                        st.template_may_block};
      entry.spec.args = args;
      return start_added_child(self, std::move(entry));
    },
    [self](sup_atoms::terminate_child, const std::string& id)
      -> caf::result<caf::ok_atom> {
      auto* entry = find_id(self, id);
      if (!entry || self->state.flags.strategy
                      == restart_strategy::simple_one_for_one)
        return make_error(runtime_errc::not_found, "no child " + id);
      if (!entry->handle)
        return caf::ok_atom::value;
      auto rp = self->make_response_promise<caf::ok_atom>();
      auto key = entry->key;
      stop_children(self, {key}, [self, rp, key]() mutable {
        if (auto* e = find_key(self, key);
            e && e->spec.restart == child_restart::temporary)
          remove_key(self, key);
        rp.deliver(caf::ok_atom::value);
      });
      return rp;
    },
    [self](sup_atoms::terminate_child,
           const caf::actor& child) -> caf::result<caf::ok_atom> {
      auto* entry = find_addr(self, child.address());
      if (!entry)
        return make_error(runtime_errc::not_found, "not a running child");
      auto rp = self->make_response_promise<caf::ok_atom>();
      auto key = entry->key;
      bool dynamic = self->state.flags.strategy
                     == restart_strategy::simple_one_for_one;
      stop_children(self, {key}, [self, rp, key, dynamic]() mutable {
        if (dynamic)
          remove_key(self, key);
        rp.deliver(caf::ok_atom::value);
      });
      return rp;
    },
    [self](sup_atoms::restart_child,
           const std::string& id) -> caf::result<caf::actor> {
      auto* entry = find_id(self, id);
      if (!entry)
        return make_error(runtime_errc::not_found, "no child " + id);
      if (entry->handle)
        return make_error(runtime_errc::running, "child " + id + " is running");
      return start_and_reply(self, entry->key, on_start_error::keep_spec);
    },
    [self](sup_atoms::delete_child,
           const std::string& id) -> caf::result<caf::ok_atom> {
      auto* entry = find_id(self, id);
      if (!entry)
        return make_error(runtime_errc::not_found, "no child " + id);
      if (entry->handle)
        return make_error(runtime_errc::running, "child " + id + " is running");
      remove_key(self, entry->key);
      return caf::ok_atom::value;
    },
    [self](sup_atoms::which_children) {
      std::vector<child_info> result;
      for (auto& c : self->state.children) {
        child_info x;
        x.id = c.spec.id;
        x.handle = c.handle;
        x.is_supervisor = c.spec.is_supervisor;
        x.module = c.spec.module.empty() ? c.spec.id : c.spec.module;
        result.push_back(std::move(x));
      }
      return result;
    },
    [self](sup_atoms::replace_child, const caf::actor& old,
           const child_start_fn& start) -> caf::result<caf::actor> {
      auto* entry = old ? find_addr(self, old.address()) : nullptr;
      if (!entry)
        return make_error(runtime_errc::not_found,
                          "not a running child of supervisor "
                            + self->state.flags.name);
      auto rp = self->make_response_promise<caf::actor>();
      auto key = entry->key;
      // A new version's start function: not trusted to be quick.
      entry->may_block = true;
      run_start(self, key, &start,
                [self, rp, key, old, start](
                  caf::expected<caf::actor> fresh) mutable {
                  auto* entry = find_key(self, key);
                  if (!fresh) {
                    if (entry) // the old start function stays: not learnt
                      entry->may_block = true;
                    rp.deliver(fresh.error());
                    return;
                  }
                  if (!*fresh || !entry || entry->handle != old) {
                    if (entry) // the old start function stays: not learnt
                      entry->may_block = true;
                    if (*fresh)
                      self->send_exit(*fresh, caf::exit_reason::kill);
                    rp.deliver(make_error(
                      runtime_errc::start_failed,
                      !*fresh ? "the new version started no actor"
                              : "the old version is no longer running"));
                    return;
                  }
                  self->demonitor(old);
                  remove_live(self, old);
                  entry->handle = std::move(*fresh);
                  entry->spec.start = start;
                  self->monitor(entry->handle);
                  add_live(self, entry->handle);
                  auto& st = self->state;
                  if (st.flags.strategy
                      == restart_strategy::simple_one_for_one)
                    st.template_spec.start = start;
                  report(self, log_level::info,
                         "child " + entry->spec.id
                           + " replaced by its next version (actor "
                           + std::to_string(old.id()) + " -> "
                           + std::to_string(entry->handle.id()) + ")");
                  rp.deliver(entry->handle);
                });
      return rp;
    },
    [self](sup_atoms::count_children) {
      child_counts n;
      for (auto& c : self->state.children) {
        ++n.specs;
        n.active += c.handle ? 1 : 0;
        (c.spec.is_supervisor ? n.supervisors : n.workers) += 1;
      }
      return n;
    },
    [self](sup_atoms::stop_timeout, uint64_t key, uint64_t serial) {
      auto& st = self->state;
      if (st.awaiting != key || st.stop_serial != serial)
        return;
      if (auto* entry = find_key(self, key); entry && entry->handle) {
        report(self, log_level::warning,
               "child " + entry->spec.id + " did not stop within "
                 + std::to_string(entry->spec.shutdown.time.count())
                 + " ms, killing it");
        self->send_exit(entry->handle, caf::exit_reason::kill);
      }
    },
  };
}

} // namespace

child_spec::child_spec() = default;
child_spec::child_spec(const child_spec&) = default;
child_spec::child_spec(child_spec&&) noexcept = default;
child_spec& child_spec::operator=(const child_spec&) = default;
child_spec& child_spec::operator=(child_spec&&) noexcept = default;
child_spec::~child_spec() = default;

child_info::child_info() = default;
child_info::child_info(const child_info&) = default;
child_info::child_info(child_info&&) noexcept = default;
child_info& child_info::operator=(const child_info&) = default;
child_info& child_info::operator=(child_info&&) noexcept = default;
child_info::~child_info() = default;

caf::actor spawn_supervisor(caf::actor_system& sys, supervisor_flags flags,
                            std::vector<child_spec> children) {
  // Its children start on the pool: a caller may go on to wait for them.
  return caf::actor_cast<caf::actor>(
    sys.spawn(supervisor_impl, std::move(flags), std::move(children),
              std::shared_ptr<detail::caller_executor>{},
              std::shared_ptr<detail::caller_executor>{}));
}

caf::expected<caf::actor>
start_supervisor(caf::actor_system& sys, supervisor_flags flags,
                 std::vector<child_spec> children,
                 std::chrono::milliseconds timeout) {
  if (on_scheduler_thread())
    return refuse_blocking("relc::start_supervisor",
                           "spawn_supervisor() returns at once, and its "
                           "sup_init request answers once the children "
                           "started");
  ++detail::blocking_waits_here();
  auto name = flags.name;
  // This thread waits anyway: it runs the tree's start functions itself.
  auto exec = std::make_shared<detail::caller_executor>();
  auto sup = caf::actor_cast<caf::actor>(sys.spawn(
    supervisor_impl, std::move(flags), std::move(children), exec, exec));
  if (!exec->run_until(std::chrono::steady_clock::now() + timeout)) {
    caf::anon_send_exit(sup, caf::exit_reason::kill);
    return make_error(runtime_errc::start_failed,
                      "supervisor " + name + " did not start within "
                        + std::to_string(timeout.count()) + " ms");
  }
  if (auto err = exec->outcome()) {
    caf::anon_send_exit(sup, caf::exit_reason::kill); // if not gone already
    return err;
  }
  return sup;
}

supervisor_actor as_supervisor(const caf::actor& sup) {
  return caf::actor_cast<supervisor_actor>(sup);
}

child_spec supervisor_child(std::string id, supervisor_flags flags,
                            std::vector<child_spec> children) {
  child_spec spec;
  spec.id = std::move(id);
  spec.is_supervisor = true;
  spec.shutdown = child_shutdown::infinity();
  spec.start = [flags, children](caf::actor_system& sys,
                                 const term&) -> caf::expected<caf::actor> {
    // Started by start_supervisor's thread: this subtree's children start
    // on that thread too, in OTP's order. Safe here, unlike for any
    // spawn_supervisor call: this start function returns at once, and its
    // parent waits for the subtree by sup_init, not on this thread.
    std::shared_ptr<detail::caller_executor> exec;
    if (auto* current = detail::caller_executor::current())
      exec = current->shared_from_this();
    return caf::actor_cast<caf::actor>(
      sys.spawn(supervisor_impl, flags, children, std::move(exec),
                std::shared_ptr<detail::caller_executor>{}));
  };
  return spec;
}

} // namespace relc
