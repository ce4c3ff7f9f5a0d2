#include "bsc_actors.hpp"

#include <algorithm>

#include <caf/all.hpp>
#include <relc/runtime/log.hpp>
#include <relc/runtime/registry.hpp>
#include <relc/runtime/runtime_error.hpp>

#include "bsc_protocol.hpp"

namespace bsc {

namespace {

struct frequency_state {
  std::vector<int> free;
  std::vector<int> allocated;
  relc::registry_actor registry;
  static inline const char* name = "frequency";
};

caf::behavior frequency(caf::stateful_actor<frequency_state>* self,
                        std::vector<int> pool, relc::registry_actor registry) {
  self->state.free = std::move(pool);
  self->state.registry = registry;
  // Registers itself, so a restarted server takes over the name at once.
  caf::anon_send(registry, relc::reg_atoms::put::value,
                 std::string{"frequency"}, caf::actor_cast<caf::actor>(self));
  return {
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
    [self](crash_atom) {
      relc::log(relc::log_level::warning, "frequency", "crashing on request");
      self->quit(relc::make_error(relc::runtime_errc::start_failed,
                                  "frequency server crashed on request"));
    },
  };
}

} // namespace

caf::actor spawn_frequency(caf::actor_system& sys, std::vector<int> pool,
                           relc::registry_actor registry) {
  return sys.spawn(frequency, std::move(pool), std::move(registry));
}

} // namespace bsc
