// The bsc application callback and its exported actor types.
#include <caf/all.hpp>
#include <relc/runtime/application.hpp>
#include <relc/runtime/log.hpp>
#include <relc/runtime/registry.hpp>
#include <relc/runtime/supervisor.hpp>

#include "bsc_actors.hpp"
#include "bsc_demo.hpp"
#include "bsc_traffic.hpp"

namespace bsc {

namespace {

std::vector<int> frequencies(const relc::term& env) {
  std::vector<int> result;
  if (env.is_list())
    for (auto& f : env.as_list())
      if (f.type() == relc::term::kind::integer)
        result.push_back(static_cast<int>(f.as_integer()));
  return result;
}

relc::supervisor_flags phone_sup_flags() {
  relc::supervisor_flags flags;
  flags.strategy = relc::restart_strategy::simple_one_for_one;
  flags.intensity = 10;
  flags.period = std::chrono::seconds(1);
  flags.name = "phone_sup";
  return flags;
}

relc::child_spec phone_template(relc::registry_actor registry) {
  relc::child_spec spec;
  spec.id = "phone";
  spec.restart = relc::child_restart::transient;
  spec.shutdown = relc::child_shutdown::after(std::chrono::milliseconds(500));
  spec.start = [registry](caf::actor_system& sys, const relc::term& args)
    -> caf::expected<caf::actor> {
    auto number = args.type() == relc::term::kind::integer
                    ? static_cast<int>(args.as_integer())
                    : 0;
    return spawn_phone(sys, number, registry);
  };
  return spec;
}

class bsc_app : public relc::application {
public:
  caf::expected<caf::actor> start(relc::app_context& ctx,
                                  const relc::term&) override {
    auto registry = ctx.registry();
    auto pool = frequencies(ctx.get_env("frequencies"));
    // Each child is registered under its spec's name on every start and
    // restart (OTP's {local, Name}), before the next child starts.
    relc::child_spec overload;
    overload.id = "overload";
    overload.name = "overload";
    overload.start = [](caf::actor_system& sys, const relc::term&)
      -> caf::expected<caf::actor> { return spawn_overload(sys); };
    // Its args are the pool, so a next version's factory (a release
    // upgrade's `update` restarts it through make_frequency) gets it too.
    relc::child_spec frequency;
    frequency.id = "frequency";
    frequency.name = "frequency";
    frequency.args = ctx.get_env("frequencies");
    frequency.start = [registry](caf::actor_system& sys,
                                 const relc::term& args)
      -> caf::expected<caf::actor> {
      return spawn_frequency(sys, frequencies(args), registry);
    };
    auto phones = relc::supervisor_child("phone_sup", phone_sup_flags(),
                                         {phone_template(registry)});
    phones.name = "phone_sup";
    relc::supervisor_flags flags;
    flags.strategy = relc::restart_strategy::rest_for_one;
    flags.intensity = 3;
    flags.period = std::chrono::seconds(5);
    flags.name = "bsc_sup";
    return relc::start_supervisor(ctx.system(), flags,
                                  {overload, frequency, phones});
  }

  caf::error start_phase(relc::app_context& ctx, const std::string& phase,
                         const relc::term&) override {
    relc::log(relc::log_level::info, "application " + ctx.app_name(),
              "start phase " + phase);
    if (phase == "oper" && ctx.get_env("traffic", false))
      start_traffic(ctx);
    if (phase == "oper" && ctx.get_env("demo", false))
      return run_demo(ctx);
    return {};
  }

  void prep_stop(relc::app_context& ctx) override {
    relc::log(relc::log_level::info, "application " + ctx.app_name(),
              "prep_stop");
  }

  void stop(relc::app_context& ctx) override {
    relc::log(relc::log_level::info, "application " + ctx.app_name(), "stop");
  }
};

caf::actor make_frequency(relc::app_context& ctx, const relc::term& args) {
  return spawn_frequency(ctx.system(), frequencies(args), ctx.registry());
}

caf::actor make_overload(relc::app_context& ctx, const relc::term&) {
  return spawn_overload(ctx.system());
}

caf::actor make_phone(relc::app_context& ctx, const relc::term& args) {
  auto number = args.type() == relc::term::kind::integer
                  ? static_cast<int>(args.as_integer())
                  : 0;
  return spawn_phone(ctx.system(), number, ctx.registry());
}

caf::actor make_phone_sup(relc::app_context& ctx, const relc::term&) {
  return relc::spawn_supervisor(ctx.system(), phone_sup_flags(),
                                {phone_template(ctx.registry())});
}

} // namespace

} // namespace bsc

RELC_APPLICATION(bsc_app, bsc::bsc_app)
RELC_MODULE(frequency, bsc::make_frequency)
#ifdef BSC_BLOCKED_FREQUENCIES
RELC_CODE_CHANGE(frequency, bsc::frequency_code_change)
#endif
RELC_MODULE(overload, bsc::make_overload)
RELC_MODULE(phone_fsm, bsc::make_phone)
RELC_MODULE(phone_sup, bsc::make_phone_sup)
