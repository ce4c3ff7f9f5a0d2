#include "bsc_actors.hpp"

#include <caf/all.hpp>
#include <relc/runtime/registry.hpp>
#include <relc/runtime/runtime_error.hpp>

#include "bsc_protocol.hpp"

namespace bsc {

namespace {

struct phone_state {
  int number = 0;
  int frequency = -1; // -1 while idle
  relc::registry_actor registry;
  caf::behavior idle;
  caf::behavior connected;
  static inline const char* name = "phone_fsm";
};

using phone_ptr = caf::stateful_actor<phone_state>*;

// Finds the frequency server through the registry on every use: it may have
// been restarted since the last call.
template <class F>
void with_frequency(phone_ptr self, F f) {
  self->request(self->state.registry, std::chrono::seconds(1),
                relc::reg_atoms::get::value, std::string{"frequency"})
    .await(f, [](const caf::error&) {});
}

caf::behavior phone(phone_ptr self, int number, relc::registry_actor registry) {
  auto& st = self->state;
  st.number = number;
  st.registry = registry;
  st.connected = {
    [self](hangup_atom) -> caf::result<caf::ok_atom> {
      auto rp = self->make_response_promise<caf::ok_atom>();
      auto f = self->state.frequency;
      with_frequency(self, [self, rp, f](const caf::actor& server) mutable {
        // A request, not a send: a plain send would make the server's reply
        // an ordinary message here, bounced back to it as an error.
        if (server)
          self->request(server, std::chrono::seconds(1), deallocate_atom::value, f)
            .then([](caf::ok_atom) {}, [](const caf::error&) {});
        self->state.frequency = -1;
        self->become(self->state.idle);
        rp.deliver(caf::ok_atom::value);
      });
      return rp;
    },
    [self](state_atom) {
      return "connected " + std::to_string(self->state.frequency);
    },
    [self](crash_atom) {
      self->quit(relc::make_error(relc::runtime_errc::start_failed,
                                  "phone crashed on request"));
    },
  };
  st.idle = {
    [self](connect_atom) -> caf::result<int> {
      auto rp = self->make_response_promise<int>();
      with_frequency(self, [self, rp](const caf::actor& server) mutable {
        if (!server) {
          rp.deliver(relc::make_error(relc::runtime_errc::not_found,
                                      "no frequency server"));
          return;
        }
        self->request(server, std::chrono::seconds(1), allocate_atom::value)
          .await(
            [self, rp](int f) mutable {
              self->state.frequency = f;
              self->become(self->state.connected);
              rp.deliver(f);
            },
            [rp](caf::error& err) mutable { rp.deliver(err); });
      });
      return rp;
    },
    [](state_atom) { return std::string{"idle"}; },
    [self](crash_atom) {
      self->quit(relc::make_error(relc::runtime_errc::start_failed,
                                  "phone crashed on request"));
    },
  };
  return st.idle;
}

} // namespace

caf::actor spawn_phone(caf::actor_system& sys, int number,
                       relc::registry_actor registry) {
  return sys.spawn(phone, number, std::move(registry));
}

} // namespace bsc
