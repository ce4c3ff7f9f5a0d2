#include "relc/runtime/registry.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <caf/all.hpp>

#include "blocking_call.hpp"
#include "blocking_pool.hpp"
#include "name_table.hpp"
#include "registry_calls.hpp"
#include "relc/runtime/application.hpp"
#include "relc/runtime/blocking.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "relc/runtime/term.hpp"

namespace relc {

namespace {

// A name registered from another thread, for the registry to adopt (its
// own message, outside the typed protocol: adding it there would change
// registry_actor, and so the ABI of every function that takes one).
using adopt_atom = caf::atom_constant<caf::atom("reg_adopt")>;

struct waiter {
  uint64_t id;
  caf::actor_addr who; // the requester, to drop its waits when it dies
  caf::typed_response_promise<caf::actor> promise;
};

// A non-blocking wait: a message to `who` when the name is registered.
struct nb_waiter {
  caf::actor who;
};

// What the registry actor keeps besides the names (those are in the
// table): whom it monitors, and who waits.
struct registry_state {
  // The names of each registered actor, so its death costs its own names,
  // not a scan of every name (a node of 500 apps registers thousands).
  std::map<caf::actor_addr, std::set<std::string>> names_of;
  std::multimap<std::string, waiter> waiters;
  std::multimap<std::string, nb_waiter> nb_waiters;
  uint64_t next_waiter = 1;
};

class registry_server : public registry_actor::base {
public:
  registry_server(caf::actor_config& cfg,
                  std::shared_ptr<detail::name_table> names)
    : registry_actor::base(cfg), table(std::move(names)) {
  }

  const char* name() const override {
    return "relc_registry";
  }

  behavior_type make_behavior() override;

  void on_exit() override {
    table->close();
    // What the actor kept goes with it, as a stateful actor's state does:
    // pending waiters' promises hold a reference to this actor.
    state = registry_state{};
  }

  registry_state state;
  // Set before the actor runs and never changed: read from any thread.
  const std::shared_ptr<detail::name_table> table;
};

using reg_ptr = registry_server*;

void unindex(registry_state& st, const std::string& name,
             const caf::actor_addr& who) {
  if (auto i = st.names_of.find(who); i != st.names_of.end()) {
    i->second.erase(name);
    if (i->second.empty())
      st.names_of.erase(i);
  }
}

// `who` now holds `name` in the table: monitor it (one monitor per actor,
// not per name: its one down message clears all of its names) and answer
// whoever waits for the name.
void adopt(reg_ptr self, const std::string& name, const caf::actor& who) {
  auto& st = self->state;
  auto& held = st.names_of[who.address()];
  if (held.empty())
    self->monitor(who);
  held.insert(name);
  auto range = st.waiters.equal_range(name);
  for (auto w = range.first; w != range.second; ++w)
    w->second.promise.deliver(who);
  st.waiters.erase(range.first, range.second);
  auto nb = st.nb_waiters.equal_range(name);
  for (auto w = nb.first; w != nb.second; ++w)
    caf::anon_send(w->second.who, reg_atoms::registered::value, name, who);
  st.nb_waiters.erase(nb.first, nb.second);
}

caf::error taken_error(const std::string& name) {
  return make_error(runtime_errc::name_taken, "name '" + name + "' is taken");
}

caf::error put_in(detail::name_table& table, const std::string& name,
                  const caf::actor& who, term value) {
  if (!who)
    return make_error(runtime_errc::not_found,
                      "cannot register '" + name + "' for no actor");
  switch (table.put(name, who, std::move(value))) {
    case detail::name_table::put_result::taken:
      return taken_error(name);
    case detail::name_table::put_result::closed:
      return make_error(runtime_errc::not_found,
                        "cannot register '" + name
                          + "': the registry has stopped");
    default:
      return {};
  }
}

registry_actor::behavior_type registry_impl(reg_ptr self) {
  // Monitors serve two purposes: registered actors (erase their names) and
  // awaiting actors (drop their waits).
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    if (auto held = st.names_of.find(dm.source); held != st.names_of.end()) {
      for (auto& name : held->second)
        self->table->erase_if_held(name, dm.source);
      st.names_of.erase(held);
    }
    for (auto i = st.waiters.begin(); i != st.waiters.end();)
      i = i->second.who == dm.source ? st.waiters.erase(i) : std::next(i);
    for (auto i = st.nb_waiters.begin(); i != st.nb_waiters.end();)
      i = i->second.who.address() == dm.source ? st.nb_waiters.erase(i)
                                               : std::next(i);
  });
  auto put = [self](const std::string& name, const caf::actor& who,
                    term value) -> caf::result<caf::ok_atom> {
    if (auto err = put_in(*self->table, name, who, std::move(value)))
      return err;
    adopt(self, name, who);
    return caf::ok_atom::value;
  };
  self->set_default_handler(
    [](caf::scheduled_actor* ptr, caf::message_view& x) -> caf::result<caf::message> {
      auto self = static_cast<reg_ptr>(ptr);
      auto msg = x.move_content_to_message();
      if (!msg.match_elements<adopt_atom, std::string, caf::actor>())
        return caf::sec::unexpected_message;
      // A registration made from another thread: still the holder (not
      // erased or moved since)?
      auto& name = msg.get_as<std::string>(1);
      auto& who = msg.get_as<caf::actor>(2);
      if (self->table->holds(name, who))
        adopt(self, name, who);
      return caf::message{};
    });
  return {
    [self](reg_atoms::move, const caf::actor& from,
                const caf::actor& to) -> caf::result<int64_t> {
      auto& st = self->state;
      auto held = st.names_of.find(from.address());
      if (held == st.names_of.end())
        return int64_t{0};
      auto names = held->second;
      int64_t moved = 0;
      for (auto& name : names) {
        if (!to || !self->table->replace_holder(name, from, to))
          continue;
        unindex(st, name, from.address());
        adopt(self, name, to);
        ++moved;
      }
      return moved;
    },
    [put](reg_atoms::put, const std::string& name,
          const caf::actor& who) -> caf::result<caf::ok_atom> {
      return put(name, who, term{});
    },
    [put](reg_atoms::put, const std::string& name, const caf::actor& who,
          term value) -> caf::result<caf::ok_atom> {
      return put(name, who, std::move(value));
    },
    [self](reg_atoms::value, const std::string& name) -> term {
      auto e = self->table->find(name);
      return e ? e->value : term{};
    },
    [self](reg_atoms::nb_wait, const std::string& name) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      auto who = caf::actor_cast<caf::actor>(self->current_sender());
      if (!who)
        return make_error(runtime_errc::not_found,
                          "nb_wait on '" + name + "' needs an actor to tell");
      if (auto holder = self->table->get(name)) {
        caf::anon_send(who, reg_atoms::registered::value, name, holder);
        return caf::ok_atom::value;
      }
      self->monitor(who);
      st.nb_waiters.emplace(name, nb_waiter{who});
      return caf::ok_atom::value;
    },
    [self](reg_atoms::cancel, const std::string& name) -> caf::ok_atom {
      auto& st = self->state;
      auto who = self->current_sender();
      auto range = st.nb_waiters.equal_range(name);
      for (auto i = range.first; i != range.second;)
        i = i->second.who.address() == who ? st.nb_waiters.erase(i) : std::next(i);
      return caf::ok_atom::value;
    },
    [self](reg_atoms::waiters) -> int64_t {
      auto& st = self->state;
      return static_cast<int64_t>(st.waiters.size() + st.nb_waiters.size());
    },
    [self](reg_atoms::erase, const std::string& name) -> caf::ok_atom {
      if (auto who = self->table->erase(name))
        unindex(self->state, name, who.address());
      return caf::ok_atom::value;
    },
    [self](reg_atoms::get, const std::string& name) -> caf::actor {
      return self->table->get(name);
    },
    [self](reg_atoms::await, const std::string& name,
           int64_t timeout_ms) -> caf::result<caf::actor> {
      auto& st = self->state;
      if (auto holder = self->table->get(name))
        return holder;
      // The sender first: making the promise takes the request over, and
      // current_sender() is null after it (a dead waiter then stayed).
      auto sender = caf::actor_cast<caf::actor>(self->current_sender());
      auto promise = self->make_response_promise<caf::actor>();
      auto id = st.next_waiter++;
      if (sender)
        self->monitor(sender);
      st.waiters.emplace(name, waiter{id, sender.address(), promise});
      self->delayed_send(self, std::chrono::milliseconds(timeout_ms),
                         reg_atoms::expire::value, name, id, timeout_ms);
      return promise;
    },
    [self](reg_atoms::expire, const std::string& name, uint64_t id,
           int64_t timeout_ms) {
      auto& st = self->state;
      auto range = st.waiters.equal_range(name);
      for (auto w = range.first; w != range.second; ++w)
        if (w->second.id == id) {
          w->second.promise.deliver(
            make_error(runtime_errc::await_timeout,
                       "name '" + name + "' not registered within "
                         + std::to_string(timeout_ms) + " ms"));
          st.waiters.erase(w);
          return;
        }
    },
    [self](reg_atoms::names) -> std::vector<std::string> {
      return self->table->names();
    },
  };
}

registry_server::behavior_type registry_server::make_behavior() {
  return registry_impl(this);
}

// Registers in the table at once; the registry monitors the holder and
// answers its waiters when it gets to the message.
caf::error register_now(detail::name_table& table, const registry_actor& registry,
                        const std::string& name, const caf::actor& who) {
  if (auto err = put_in(table, name, who, term{}))
    return err;
  caf::anon_send(caf::actor_cast<caf::actor>(registry), adopt_atom::value, name,
                 who);
  return {};
}

// The table behind `registry` when it is this runtime's registry (a
// handle to anything else, e.g. a test's stand-in, has none).
detail::name_table* table_of(const registry_actor& registry) {
  auto* server = dynamic_cast<registry_server*>(
    caf::actor_cast<caf::abstract_actor*>(registry));
  return server != nullptr ? server->table.get() : nullptr;
}

} // namespace

bool registers_at_once(const registry_actor& registry) {
  return table_of(registry) != nullptr;
}

registry_actor spawn_registry(caf::actor_system& sys) {
  auto registry = sys.spawn<registry_server, caf::hidden>(
    std::make_shared<detail::name_table>());
  // CAF's put keeps an existing entry: a restarted node's registry
  // replaces the stopped one's.
  sys.registry().erase(registry_key);
  sys.registry().put(registry_key,
                     caf::actor_cast<caf::strong_actor_ptr>(registry));
  return registry;
}

namespace {

constexpr std::chrono::seconds registry_timeout{10};

} // namespace

caf::error register_name_from(caf::blocking_actor& self,
                              const registry_actor& registry,
                              const std::string& name, const caf::actor& who) {
  if (auto* table = table_of(registry)) {
    return register_now(*table, registry, name, who);
  }
  auto reply = blocking_call(self, caf::actor_cast<caf::actor>(registry),
                             caf::make_message(reg_atoms::put::value, name, who),
                             registry_timeout,
                             "register_name('" + name + "') to the registry");
  return reply ? caf::error{} : reply.error();
}

caf::expected<caf::actor> whereis_from(caf::blocking_actor& self,
                                       const registry_actor& registry,
                                       const std::string& name) {
  if (auto* table = table_of(registry))
    return table->get(name);
  return reply_as<caf::actor>(
    blocking_call(self, caf::actor_cast<caf::actor>(registry),
                  caf::make_message(reg_atoms::get::value, name),
                  registry_timeout, "whereis('" + name + "') to the registry"));
}

caf::expected<std::vector<caf::actor>>
await_names_from(caf::blocking_actor& self, const registry_actor& registry,
                 const std::vector<std::string>& names,
                 std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<caf::actor> result;
  for (auto& name : names) {
    auto left = std::max(std::chrono::milliseconds{0},
                         std::chrono::duration_cast<std::chrono::milliseconds>(
                           deadline - std::chrono::steady_clock::now()));
    // The registry enforces the deadline; the call's timeout is a backstop.
    auto who = reply_as<caf::actor>(blocking_call(
      self, caf::actor_cast<caf::actor>(registry),
      caf::make_message(reg_atoms::await::value, name,
                        static_cast<int64_t>(left.count())),
      left + std::chrono::seconds(5), "await_names('" + name + "')"));
    if (!who)
      return who.error();
    result.push_back(std::move(*who));
  }
  return result;
}

namespace {

// Runs `f` with a blocking actor of `sys`: within a child start function
// during start_supervisor, that start's one caller; else a fresh one.
template <class F>
auto with_caller(caf::actor_system& sys, F f) {
  if (auto* c = detail::caller_executor::current_caller(sys))
    return f(*c);
  caf::scoped_actor self{sys, true};
  return f(*self);
}

} // namespace

caf::error register_name(caf::actor_system& sys, const registry_actor& registry,
                         const std::string& name, const caf::actor& who) {
  if (auto* table = table_of(registry)) { // no wait: fine on any thread
    return register_now(*table, registry, name, who);
  }
  if (on_scheduler_thread())
    return refuse_blocking("relc::register_name('" + name + "')",
                           "name the child in its child_spec (child_spec::name), "
                           "or send (reg_put, name, actor) to the registry");
  return with_caller(sys, [&](caf::blocking_actor& c) {
    return register_name_from(c, registry, name, who);
  });
}

caf::expected<caf::actor> whereis(caf::actor_system& sys,
                                  const registry_actor& registry,
                                  const std::string& name) {
  if (auto* table = table_of(registry)) // no wait: fine on any thread
    return table->get(name);
  if (on_scheduler_thread())
    return refuse_blocking("relc::whereis('" + name + "')",
                           "request (reg_get, name) from the registry");
  return with_caller(sys, [&](caf::blocking_actor& c) {
    return whereis_from(c, registry, name);
  });
}

caf::expected<std::vector<caf::actor>>
await_names(caf::actor_system& sys, const registry_actor& registry,
            const std::vector<std::string>& names,
            std::chrono::milliseconds timeout) {
  if (on_scheduler_thread())
    return refuse_blocking("relc::await_names",
                           "send (reg_nbwait, name) to the registry: it "
                           "sends (reg_regd, name, actor) once registered");
  return with_caller(sys, [&](caf::blocking_actor& c) {
    return await_names_from(c, registry, names, timeout);
  });
}

} // namespace relc
