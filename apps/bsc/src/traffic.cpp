// Steady call traffic for upgrade tests and demos (env `traffic: true`):
// plays phones that allocate and free frequencies back to back, finding
// the server through the registry on every call, and keeps two frequencies
// allocated for good. What it saw goes into bsc's env, readable with
// `rpc env_get bsc traffic_ok` and the like: calls that succeeded and
// failed, the last failure, the frequencies it holds, what the server says
// is allocated, and whether the server knows blocked frequencies (1.1.0).
#include "bsc_traffic.hpp"

#include <caf/all.hpp>
#include <relc/runtime/registry.hpp>
#include <relc/runtime/runtime_error.hpp>

#include "bsc_protocol.hpp"

namespace bsc {

namespace {

using tick_atom = caf::atom_constant<caf::atom("tick")>;

struct traffic_state {
  relc::app_context* ctx = nullptr;
  relc::registry_actor registry;
  std::vector<int> held;
  int64_t ok = 0;
  int64_t failed = 0;
  int64_t calls = 0;
  static inline const char* name = "bsc_traffic";
};

using traffic_ptr = caf::stateful_actor<traffic_state>*;

relc::term ints(const std::vector<int>& xs) {
  relc::term::list l;
  for (auto x : xs)
    l.emplace_back(static_cast<int64_t>(x));
  return l;
}

void fail(traffic_ptr self, const caf::error& err) {
  ++self->state.failed;
  self->state.ctx->set_env("traffic_last_error", caf::to_string(err));
}

// Publishes the counters and asks the server what it holds.
void publish(traffic_ptr self, const caf::actor& server) {
  auto& st = self->state;
  st.ctx->set_env("traffic_ok", st.ok);
  st.ctx->set_env("traffic_failed", st.failed);
  st.ctx->set_env("traffic_held", ints(st.held));
  self->request(server, std::chrono::seconds(2), allocated_atom::value)
    .then([self](const std::vector<int>& xs) {
      self->state.ctx->set_env("traffic_allocated", ints(xs));
    }, [self](const caf::error& err) { fail(self, err); });
  if (st.calls % 200 != 0)
    return;
  self->request(server, std::chrono::seconds(2), blocked_atom::value)
    .then([self](const std::vector<int>&) {
      self->state.ctx->set_env("traffic_server_blocks", true);
    }, [self](const caf::error&) {
      self->state.ctx->set_env("traffic_server_blocks", false);
    });
}

// One call: allocate, then free (or hold the first two); then the next.
void call(traffic_ptr self) {
  auto& st = self->state;
  self->request(st.registry, std::chrono::seconds(2), relc::reg_atoms::get::value,
                std::string{"frequency"})
    .then(
      [self](const caf::actor& server) {
        auto next = [self] {
          self->delayed_send(self, std::chrono::milliseconds(1), tick_atom::value);
        };
        if (!server) {
          fail(self, relc::make_error(relc::runtime_errc::not_found,
                                      "no frequency server"));
          return next();
        }
        if (++self->state.calls % 50 == 0)
          publish(self, server);
        self->request(server, std::chrono::seconds(2), allocate_atom::value)
          .then(
            [self, server, next](int f) {
              auto& st = self->state;
              if (st.held.size() < 2) {
                st.held.push_back(f);
                ++st.ok;
                return next();
              }
              self->request(server, std::chrono::seconds(2),
                            deallocate_atom::value, f)
                .then([self, next](caf::ok_atom) { ++self->state.ok; next(); },
                      [self, next](const caf::error& err) {
                        fail(self, err);
                        next();
                      });
            },
            [self, next](const caf::error& err) {
              fail(self, err);
              next();
            });
      },
      [self](const caf::error& err) {
        fail(self, err);
        self->delayed_send(self, std::chrono::milliseconds(1), tick_atom::value);
      });
}

caf::behavior traffic(traffic_ptr self, relc::app_context* ctx) {
  self->state.ctx = ctx;
  self->state.registry = ctx->registry();
  self->send(self, tick_atom::value);
  return {
    [self](tick_atom) { call(self); },
  };
}

} // namespace

void start_traffic(relc::app_context& ctx) {
  ctx.spawn(traffic, &ctx);
}

} // namespace bsc
