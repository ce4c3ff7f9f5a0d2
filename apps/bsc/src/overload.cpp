#include "bsc_actors.hpp"

#include <caf/all.hpp>
#include <relc/runtime/log.hpp>

#include "bsc_protocol.hpp"

namespace bsc {

namespace {

struct overload_state {
  int alarms = 0;
  static inline const char* name = "overload";
};

caf::behavior overload(caf::stateful_actor<overload_state>* self) {
  return {
    [self](alarm_atom, const std::string& what) {
      ++self->state.alarms;
      relc::log(relc::log_level::warning, "overload", "alarm: " + what);
    },
    [self](clear_atom) { self->state.alarms = 0; },
    [self](count_atom) { return self->state.alarms; },
  };
}

} // namespace

caf::actor spawn_overload(caf::actor_system& sys) {
  return sys.spawn(overload);
}

} // namespace bsc
