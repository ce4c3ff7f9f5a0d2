#include "relc/runtime/registry.hpp"

#include <map>

#include <caf/all.hpp>

#include "blocking_call.hpp"
#include "relc/runtime/runtime_error.hpp"

namespace relc {

namespace {

struct waiter {
  uint64_t id;
  caf::actor_addr who; // the requester, to drop its waits when it dies
  caf::typed_response_promise<caf::actor> promise;
};

struct registry_state {
  std::map<std::string, caf::actor> names;
  std::multimap<std::string, waiter> waiters;
  uint64_t next_waiter = 1;
  static inline const char* name = "relc_registry";
};

using reg_ptr = caf::stateful_actor<registry_state>*;

bool is_terminated(const caf::actor& who) {
  auto ptr = caf::actor_cast<caf::abstract_actor*>(who);
  return ptr == nullptr || ptr->getf(caf::abstract_actor::is_cleaned_up_flag);
}

caf::behavior registry_impl(reg_ptr self) {
  // Monitors serve two purposes: registered actors (erase their names) and
  // awaiting actors (drop their waits).
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    for (auto i = st.names.begin(); i != st.names.end();)
      i = i->second.address() == dm.source ? st.names.erase(i) : std::next(i);
    for (auto i = st.waiters.begin(); i != st.waiters.end();)
      i = i->second.who == dm.source ? st.waiters.erase(i) : std::next(i);
  });
  return {
    [self](reg_atoms::put, const std::string& name,
           const caf::actor& who) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      if (!who)
        return make_error(runtime_errc::not_found,
                          "cannot register '" + name + "' for no actor");
      auto i = st.names.find(name);
      // A holder that already terminated (its down message not processed
      // yet) does not block the name: a restarted child re-registers at once.
      if (i != st.names.end() && i->second != who && !is_terminated(i->second))
        return make_error(runtime_errc::name_taken,
                          "name '" + name + "' is taken");
      st.names[name] = who;
      self->monitor(who);
      auto range = st.waiters.equal_range(name);
      for (auto w = range.first; w != range.second; ++w)
        w->second.promise.deliver(who);
      st.waiters.erase(range.first, range.second);
      return caf::ok_atom::value;
    },
    [self](reg_atoms::erase, const std::string& name) {
      self->state.names.erase(name);
      return caf::ok_atom::value;
    },
    [self](reg_atoms::get, const std::string& name) {
      auto& st = self->state;
      auto i = st.names.find(name);
      return i != st.names.end() ? i->second : caf::actor{};
    },
    [self](reg_atoms::await, const std::string& name,
           int64_t timeout_ms) -> caf::result<caf::actor> {
      auto& st = self->state;
      if (auto i = st.names.find(name); i != st.names.end())
        return i->second;
      auto promise = self->make_response_promise<caf::actor>();
      auto id = st.next_waiter++;
      auto who = caf::actor_cast<caf::actor_addr>(self->current_sender());
      if (who) {
        self->monitor(who);
      }
      st.waiters.emplace(name, waiter{id, who, promise});
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
    [self](reg_atoms::names) {
      std::vector<std::string> result;
      for (auto& [name, who] : self->state.names)
        result.push_back(name);
      return result;
    },
  };
}

} // namespace

caf::actor spawn_registry(caf::actor_system& sys) {
  return sys.spawn<caf::hidden>(registry_impl);
}

caf::error register_name(caf::actor_system& sys, const caf::actor& registry,
                         const std::string& name, const caf::actor& who) {
  caf::scoped_actor self{sys, true};
  auto reply = blocking_call(*self, registry,
                             caf::make_message(reg_atoms::put::value, name, who),
                             std::chrono::seconds(10));
  return reply ? caf::error{} : reply.error();
}

caf::expected<caf::actor> whereis(caf::actor_system& sys,
                                  const caf::actor& registry,
                                  const std::string& name) {
  caf::scoped_actor self{sys, true};
  auto reply = blocking_call(*self, registry,
                             caf::make_message(reg_atoms::get::value, name),
                             std::chrono::seconds(10));
  if (!reply)
    return reply.error();
  if (!reply->match_elements<caf::actor>())
    return caf::make_error(caf::sec::unexpected_response);
  return reply->get_as<caf::actor>(0);
}

caf::expected<std::vector<caf::actor>>
await_names(caf::actor_system& sys, const caf::actor& registry,
            const std::vector<std::string>& names,
            std::chrono::milliseconds timeout) {
  caf::scoped_actor self{sys, true};
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<caf::actor> result;
  for (auto& name : names) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() < 0)
      left = std::chrono::milliseconds{0};
    caf::error failure;
    // The registry enforces the deadline; the request timeout is a backstop.
    self->request(registry, left + std::chrono::seconds(5),
                  reg_atoms::await::value, name,
                  static_cast<int64_t>(left.count()))
      .receive([&](caf::actor& who) { result.push_back(who); },
               [&](caf::error& err) { failure = err; });
    if (failure)
      return failure;
  }
  return result;
}

} // namespace relc
