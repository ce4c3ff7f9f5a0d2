#include "dist_host.hpp"

#include <caf/all.hpp>

#include "dist_protocol.hpp"
#include "dist_service.hpp"
#include "relc/runtime/node.hpp"
#include "relc/runtime/runtime_error.hpp"

namespace relc {

dist_host::dist_host() = default;

dist_host::~dist_host() = default;

caf::error dist_host::prepare(const dist_flags& flags, const std::string& name,
                              const node& n) {
  dist_env env{n.loaded_env("kernel", "sync_nodes_mandatory"),
               n.loaded_env("kernel", "sync_nodes_optional"),
               n.loaded_env("kernel", "sync_nodes_timeout"),
               n.loaded_env("kernel", "distributed"),
               n.loaded_env("kernel", "connect_all")};
  auto checked = make_dist_settings(flags, name, env);
  if (!checked)
    return checked.error();
  if (!checked->distributed)
    return {};
  settings_ = std::move(checked->settings);
  auto service = load_dist_plugin(settings_);
  if (!service)
    return service.error();
  if (auto err = (*service)->check())
    return err;
  service_ = std::move(*service);
  return {};
}

void dist_host::configure(caf::actor_system_config& cfg) {
  if (service_)
    service_->configure(cfg);
}

caf::error dist_host::listen_blocking(caf::actor_system& sys) {
  if (!service_)
    return {};
  auto kernel = service_->start_blocking(sys);
  if (!kernel)
    return make_error(runtime_errc::boot_failed,
                      "kernel: " + describe_error(kernel.error()));
  kernel_ = *kernel;
  return {};
}

caf::error dist_host::sync_blocking(caf::actor_system& sys, const node& n) {
  if (!kernel_)
    return {};
  caf::scoped_actor self{sys, true};
  // A plain send: its answer is an ordinary message, which the receive
  // below can wait for in slices, so a stop asked during the sync is seen.
  self->send(kernel_, dist_atoms::sync::value);
  std::string failure;
  for (bool done = false; !done;) {
    self->receive(
      [&](std::string& why) {
        failure = std::move(why);
        done = true;
      },
      [&](caf::error& err) {
        failure = "sync_nodes: " + describe_error(err);
        done = true;
      },
      caf::after(std::chrono::milliseconds(50)) >> [&] {
        if (n.stop_requested())
          done = true;
      });
  }
  if (n.stop_requested())
    return make_error(runtime_errc::interrupted, "stopped during the sync");
  if (!failure.empty())
    return make_error(runtime_errc::boot_failed, "kernel: " + failure);
  return {};
}

void dist_host::booted(const caf::actor& controller) {
  if (kernel_ && controller)
    caf::anon_send(kernel_, dist_atoms::controller::value, controller);
}

void dist_host::stop() {
  if (kernel_)
    caf::anon_send_exit(kernel_, caf::exit_reason::user_shutdown);
  kernel_ = nullptr;
}

} // namespace relc
