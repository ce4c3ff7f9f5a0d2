#include "liveness.hpp"

#include <caf/all.hpp>

#include "controller_protocol.hpp"

namespace relc {

namespace {

using tick_atom = caf::atom_constant<caf::atom("live_tick")>;

} // namespace

caf::actor spawn_liveness(caf::actor_system& sys,
                          std::function<caf::actor()> controller,
                          std::chrono::milliseconds interval,
                          std::function<void()> alive) {
  return sys.spawn<caf::hidden>(
    [controller, interval, alive](caf::event_based_actor* self)
      -> caf::behavior {
      self->send(self, tick_atom::value);
      return {
        [=](tick_atom) {
          self->delayed_send(self, interval, tick_atom::value);
          auto ctl = controller();
          if (!ctl)
            return;
          // No answer within the interval: no beat (the next tick asks
          // again).
          self->request(ctl, interval, ctl_atoms::ping::value)
            .then([alive](caf::ok_atom) { alive(); }, [](caf::error&) {});
        },
      };
    });
}

} // namespace relc
