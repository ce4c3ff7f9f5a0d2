// kv: an application written the OTP way (docs/cpp-api.md, "An app
// written the OTP way"). Its supervisor starts a named worker (OTP's
// {local, Name} is child_spec::name); its start phase makes blocking calls
// to the store, which callbacks may; the store can crash and is restarted
// under the same name. It boots with `start: parallel` and with one CAF
// scheduler thread alike: nothing here blocks an actor.
#include <chrono>
#include <map>
#include <string>

#include <caf/all.hpp>
#include <relc/runtime/application.hpp>
#include <relc/runtime/log.hpp>
#include <relc/runtime/supervisor.hpp>

namespace {

using namespace std::chrono_literals;
using crash_atom = caf::atom_constant<caf::atom("kv_crash")>;

struct store_state {
  std::map<std::string, std::string> data;
  static inline const char* name = "kv_store";
};

// The store: put and get. It never blocks: it is an actor.
caf::behavior store(caf::stateful_actor<store_state>* self, int64_t crash_ms) {
  if (crash_ms > 0)
    self->delayed_send(self, std::chrono::milliseconds(crash_ms),
                       crash_atom::value);
  return {
    [self](caf::put_atom, const std::string& key, const std::string& value) {
      self->state.data[key] = value;
      return caf::ok_atom::value;
    },
    [self](caf::get_atom, const std::string& key) -> std::string {
      auto i = self->state.data.find(key);
      return i == self->state.data.end() ? std::string{} : i->second;
    },
    [self](crash_atom) {
      self->quit(caf::make_error(caf::sec::runtime_error, "demo crash"));
    },
  };
}

class kv_app : public relc::application {
public:
  // Runs on the app's own thread: it may block.
  caf::expected<caf::actor> start(relc::app_context& ctx,
                                  const relc::term&) override {
    relc::child_spec s;
    s.id = "store";
    s.name = "kv_store"; // registered on every start and restart
    s.args = ctx.get_env("crash_every_ms");
    s.start = [](caf::actor_system& sys, const relc::term& args)
      -> caf::expected<caf::actor> {
      auto crash_ms = args.type() == relc::term::kind::integer ? args.as_integer() : 0;
      return sys.spawn(store, crash_ms);
    };
    relc::supervisor_flags flags;
    flags.strategy = relc::restart_strategy::one_for_one;
    flags.intensity = 20; // at most 20 restarts in 10 s, then the app fails
    flags.period = 10s;
    flags.name = "kv_sup";
    // Blocks until the store started and is registered.
    return relc::start_supervisor(ctx.system(), flags, {s});
  }

  // Also on the app's own thread: blocking calls are fine here.
  caf::error start_phase(relc::app_context& ctx, const std::string& phase,
                         const relc::term&) override {
    if (phase != "warm")
      return {};
    auto kv = ctx.whereis("kv_store"); // registered before start returned
    if (!kv)
      return kv.error();
    auto seed = ctx.get_env("seed");
    if (seed.is_map())
      for (auto& [key, value] : seed.as_map()) {
        auto ok = ctx.call<caf::ok_atom>(*kv, 5s, caf::put_atom::value, key,
                                         value.to_string());
        if (!ok)
          return ok.error();
      }
    auto greeting = ctx.call<std::string>(*kv, 5s, caf::get_atom::value,
                                          std::string{"greeting"});
    if (!greeting)
      return greeting.error();
    relc::log(relc::log_level::info, "kv", "warm: greeting is " + *greeting);
    return {};
  }
};

} // namespace

RELC_APPLICATION(kv_app, kv_app)
