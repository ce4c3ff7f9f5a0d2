#pragma once

// A component of the rvi_core-style example: a service actor under a
// one_for_one supervisor. The component lists the names it provides under
// the env key `rvi_core_await`, and registers them in its `announce` start
// phase; `core` finds them all with find_env_vars and awaits them.
// Header-only: each component's library compiles its own copy.

#include <caf/all.hpp>
#include <relc/runtime/application.hpp>
#include <relc/runtime/log.hpp>
#include <relc/runtime/registry.hpp>
#include <relc/runtime/runtime_error.hpp>
#include <relc/runtime/supervisor.hpp>

namespace rvi {

using ping_atom = caf::atom_constant<caf::atom("rvi_ping")>;

/// The component's service: answers (rvi_ping) with its app name.
inline caf::behavior component_service(caf::event_based_actor*,
                                       std::string app) {
  return {[app](ping_atom) { return app; }};
}

class component_app : public relc::application {
public:
  caf::expected<caf::actor> start(relc::app_context& ctx,
                                  const relc::term&) override {
    relc::child_spec service;
    service.id = ctx.app_name() + "_service";
    auto app = ctx.app_name();
    service.start = [app](caf::actor_system& sys, const relc::term&)
      -> caf::expected<caf::actor> {
      return sys.spawn(component_service, app);
    };
    relc::supervisor_flags flags;
    flags.name = ctx.app_name() + "_sup";
    auto sup = relc::start_supervisor(ctx.system(), flags, {service});
    if (sup)
      sup_ = *sup;
    return sup;
  }

  caf::error start_phase(relc::app_context& ctx, const std::string& phase,
                         const relc::term&) override {
    if (phase != "announce")
      return {};
    if (!ctx.get_env("announce", true)) {
      relc::log(relc::log_level::warning, "application " + ctx.app_name(),
                "announce disabled by env");
      return {};
    }
    auto names = ctx.get_env("rvi_core_await");
    if (!names.is_list())
      return {};
    caf::actor service;
    if (auto which = whereis_service(ctx))
      service = *which;
    for (auto& name : names.as_list()) {
      if (!name.is_string())
        continue;
      if (auto err = ctx.register_name(name.as_string(), service))
        return err;
      relc::log(relc::log_level::info, "application " + ctx.app_name(),
                "announced " + name.as_string());
    }
    return {};
  }

private:
  caf::expected<caf::actor> whereis_service(relc::app_context& ctx) {
    auto children = ctx.call(relc::as_supervisor(sup_), std::chrono::seconds(5),
                             relc::sup_atoms::which_children::value);
    if (!children)
      return children.error();
    return children->empty() ? caf::actor{} : children->front().handle;
  }

  caf::actor sup_;
};

} // namespace rvi
