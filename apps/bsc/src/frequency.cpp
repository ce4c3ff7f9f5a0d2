#include "bsc_actors.hpp"

#include <algorithm>

#include <caf/all.hpp>
#include <relc/runtime/handoff.hpp>
#include <relc/runtime/log.hpp>
#include <relc/runtime/registry.hpp>
#include <relc/runtime/runtime_error.hpp>

#include "bsc_protocol.hpp"

namespace bsc {

namespace {

struct frequency_state {
  std::vector<int> free;
  std::vector<int> allocated;
#ifdef BSC_BLOCKED_FREQUENCIES
  std::vector<int> blocked; // 1.1.0: never handed out until unblocked
#endif
  relc::registry_actor registry;
  static inline const char* name = "frequency";
};

std::vector<int> ints(const relc::term* x) {
  std::vector<int> result;
  if (x && x->is_list())
    for (auto& v : x->as_list())
      if (v.type() == relc::term::kind::integer)
        result.push_back(static_cast<int>(v.as_integer()));
  return result;
}

relc::term to_list(const std::vector<int>& xs) {
  relc::term::list result;
  for (auto x : xs)
    result.emplace_back(static_cast<int64_t>(x));
  return result;
}

// The server's state as a term, for a release upgrade's handoff.
relc::term state_term(const frequency_state& st) {
  relc::term::map m;
  m.emplace_back("free", to_list(st.free));
  m.emplace_back("allocated", to_list(st.allocated));
#ifdef BSC_BLOCKED_FREQUENCIES
  m.emplace_back("blocked", to_list(st.blocked));
#endif
  return relc::term{std::move(m)};
}

caf::behavior frequency(caf::stateful_actor<frequency_state>* self,
                        std::vector<int> pool, relc::registry_actor registry) {
  self->state.free = std::move(pool);
  self->state.registry = registry;
  caf::behavior serving{
    [self](allocate_atom) -> caf::result<int> {
      auto& st = self->state;
      if (st.free.empty()) {
        self->request(st.registry, std::chrono::seconds(1),
                      relc::reg_atoms::get::value, std::string{"overload"})
          .then(
            [self](const caf::actor& overload) {
              if (overload)
                self->send(overload, alarm_atom::value,
                           std::string{"no_frequency"});
            },
            [](const caf::error&) {});
        return relc::make_error(relc::runtime_errc::not_found,
                                "no frequency available");
      }
      auto f = st.free.front();
      st.free.erase(st.free.begin());
      st.allocated.push_back(f);
      return f;
    },
    [self](deallocate_atom, int f) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      auto i = std::find(st.allocated.begin(), st.allocated.end(), f);
      if (i == st.allocated.end())
        return relc::make_error(relc::runtime_errc::not_found,
                                "frequency " + std::to_string(f)
                                  + " is not allocated");
      st.allocated.erase(i);
      st.free.push_back(f);
      return caf::ok_atom::value;
    },
    [self](allocated_atom) { return self->state.allocated; },
#ifdef BSC_BLOCKED_FREQUENCIES
    // (block, f) takes a free frequency out of use; -> ok, or an error when
    // it is not free (allocated ones are blocked once freed: not here).
    [self](block_atom, int f) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      auto i = std::find(st.free.begin(), st.free.end(), f);
      if (i == st.free.end())
        return relc::make_error(relc::runtime_errc::not_found,
                                "frequency " + std::to_string(f)
                                  + " is not free");
      st.free.erase(i);
      st.blocked.push_back(f);
      return caf::ok_atom::value;
    },
    [self](blocked_atom) { return self->state.blocked; },
#endif
    [self](crash_atom) {
      relc::log(relc::log_level::warning, "frequency", "crashing on request");
      self->quit(relc::make_error(relc::runtime_errc::start_failed,
                                  "frequency server crashed on request"));
    },
  };
  // Upgradable in place (appup `update`): it hands over {free, allocated}
  // (1.1.0: and blocked) and takes what frequency_code_change made of it.
  relc::handoff handoff;
  handoff.give = [self] { return state_term(self->state); };
  handoff.take = [self](const relc::term& state) -> caf::error {
    if (!state.is_map())
      return relc::make_error(relc::runtime_errc::start_failed,
                              "frequency: expected a state map");
    auto& st = self->state;
    st.free = ints(state.find("free"));
    st.allocated = ints(state.find("allocated"));
#ifdef BSC_BLOCKED_FREQUENCIES
    st.blocked = ints(state.find("blocked"));
#endif
    relc::log(relc::log_level::info, "frequency",
              "took over " + std::to_string(st.allocated.size())
                + " allocated frequencies");
    return {};
  };
  return relc::updatable(self, "frequency", std::move(serving),
                         std::move(handoff));
}

} // namespace

#ifdef BSC_BLOCKED_FREQUENCIES
// The book's code_change: up from 1.0 the state {free, allocated} gains an
// empty `blocked`; down to 1.0 blocked frequencies become free again, so
// none is lost.
caf::expected<relc::term> frequency_code_change(const relc::code_change_info& info,
                                                const relc::term& state) {
  if (!state.is_map())
    return relc::make_error(relc::runtime_errc::start_failed,
                            "frequency: expected a state {free, allocated}, found a "
                              + std::string{relc::to_string(state.type())});
  auto free = ints(state.find("free"));
  auto allocated = ints(state.find("allocated"));
  relc::term::map result;
  if (info.down) {
    auto blocked = ints(state.find("blocked"));
    free.insert(free.end(), blocked.begin(), blocked.end());
  }
  result.emplace_back("free", to_list(free));
  result.emplace_back("allocated", to_list(allocated));
  if (!info.down)
    result.emplace_back("blocked", relc::term::list{});
  return relc::term{std::move(result)};
}
#endif

caf::actor spawn_frequency(caf::actor_system& sys, std::vector<int> pool,
                           relc::registry_actor registry) {
  return sys.spawn(frequency, std::move(pool), std::move(registry));
}

} // namespace bsc
