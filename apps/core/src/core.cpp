// core: awaits every component that announced itself under rvi_core_await.
#include <caf/all.hpp>
#include <relc/runtime/application.hpp>
#include <relc/runtime/log.hpp>
#include <relc/runtime/registry.hpp>
#include <relc/runtime/runtime_error.hpp>
#include <relc/runtime/supervisor.hpp>

namespace rvi {

namespace {

caf::behavior core_service(caf::event_based_actor*,
                           std::vector<std::string> components) {
  return {[components](caf::get_atom) { return components; }};
}

class core_app : public relc::application {
public:
  caf::expected<caf::actor> start(relc::app_context& ctx,
                                  const relc::term&) override {
    relc::supervisor_flags flags;
    flags.name = "core_sup";
    return relc::start_supervisor(ctx.system(), flags, {});
  }

  caf::error start_phase(relc::app_context& ctx, const std::string& phase,
                         const relc::term&) override {
    if (phase != "await")
      return {};
    std::vector<std::string> names;
    for (auto& [app, value] : ctx.find_env_vars("rvi_core_await"))
      if (value.is_list())
        for (auto& name : value.as_list())
          if (name.is_string())
            names.push_back(name.as_string());
    auto ms = ctx.get_env<int64_t>("await_timeout_ms", 5000);
    relc::log(relc::log_level::info, "application core",
              "awaiting " + std::to_string(names.size()) + " component(s)");
    auto found = ctx.await_names(names, std::chrono::milliseconds(ms));
    if (!found)
      return found.error();
    // Outside the tree, adopted: it dies with the app (OTP's group leader).
    auto service = ctx.spawn(core_service, names);
    if (auto err = ctx.register_name("rvi_core", service))
      return err;
    relc::log(relc::log_level::info, "application core",
              "rvi_core ready with " + std::to_string(names.size())
                + " component(s)");
    return {};
  }
};

} // namespace

} // namespace rvi

RELC_APPLICATION(core_app, rvi::core_app)
