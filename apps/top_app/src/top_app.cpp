// top_app: a primary application whose tree starts its included bsc.
#include <caf/all.hpp>
#include <relc/runtime/application.hpp>
#include <relc/runtime/log.hpp>
#include <relc/runtime/registry.hpp>
#include <relc/runtime/supervisor.hpp>

namespace top {

namespace {

relc::supervisor_flags top_flags() {
  relc::supervisor_flags flags;
  flags.strategy = relc::restart_strategy::one_for_one;
  flags.intensity = 1;
  flags.period = std::chrono::seconds(5);
  flags.name = "top_sup";
  return flags;
}

class top_app : public relc::application {
public:
  caf::expected<caf::actor> start(relc::app_context& ctx,
                                  const relc::term&) override {
    relc::log(relc::log_level::info, "application " + ctx.app_name(),
              "start");
    relc::child_spec bsc;
    bsc.id = "bsc_sup";
    bsc.is_supervisor = true;
    bsc.shutdown = relc::child_shutdown::infinity();
    bsc.start = [&ctx](caf::actor_system&, const relc::term&) {
      return ctx.start_included("bsc");
    };
    // The child's start function runs bsc's start, which blocks until
    // bsc's tree is up: it runs on this thread, as start_supervisor waits.
    auto sup = relc::start_supervisor(ctx.system(), top_flags(), {bsc});
    if (!sup)
      return sup;
    if (auto err = ctx.register_name("top_sup", *sup)) // callbacks may block
      return err;
    return sup;
  }

  caf::error start_phase(relc::app_context& ctx, const std::string& phase,
                         const relc::term&) override {
    relc::log(relc::log_level::info, "application " + ctx.app_name(),
              "start phase " + phase);
    return {};
  }
};

caf::actor make_top_sup(relc::app_context& ctx, const relc::term&) {
  return relc::spawn_supervisor(ctx.system(), top_flags(), {});
}

} // namespace

} // namespace top

RELC_APPLICATION(top_app, top::top_app)
RELC_MODULE(top_sup, top::make_top_sup)
