#include "relc/runtime/module.hpp"

#include <caf/all.hpp>

#include "relc/runtime/blocking.hpp"
#include "relc/runtime/log.hpp"
#include "relc/runtime/runtime_error.hpp"

namespace relc {

module::module(caf::actor_system& sys) : sys_(sys) {
}

module::~module() = default;

caf::actor_system::module* module::make(caf::actor_system& sys,
                                        caf::detail::type_list<>) {
  return new module(sys);
}

void module::add_options(caf::config_option_set& options) {
  caf::config_option_adder{options, "relc"}
    .add<std::string>("release-dir", "release to boot with the actor system")
    .add<std::string>("config", "a sys.config instead of the release's")
    .add<std::vector<std::string>>("env", "APP.KEY=VALUE env overrides")
    .add<size_t>("shutdown-time", "bound for stopping the apps (ms)")
    .add<bool>("init-debug", "print every boot step with its time");
}

module& module::of(caf::actor_system& sys) {
  // CAF 0.17 has a closed set of module slots; relc takes network_manager
  // (libcaf_net is not in Debian's CAF), reached only through this cast.
  return *reinterpret_cast<module*>(&sys.network_manager());
}

void module::init(caf::actor_system_config& cfg) {
  // Before the scheduler starts its threads: the hook marks them.
  mark_scheduler_threads(cfg);
  options_.release_dir = caf::get_or(cfg, "relc.release-dir", std::string{});
  options_.config_file = caf::get_or(cfg, "relc.config", std::string{});
  options_.env_overrides
    = caf::get_or(cfg, "relc.env", std::vector<std::string>{});
  options_.shutdown_time = std::chrono::milliseconds{
    caf::get_or(cfg, "relc.shutdown-time", size_t{30000})};
  options_.init_debug = caf::get_or(cfg, "relc.init-debug", false);
}

void module::start() {
  if (options_.release_dir.empty())
    return;
  // CAF's destructor waits for all actors before it stops modules, and app
  // actors would keep it waiting for ever: relc takes that wait over and
  // does it after the release has stopped (stop()).
  host_awaits_actors_ = sys_.await_actors_before_shutdown();
  sys_.await_actors_before_shutdown(false);
  node_ = std::make_unique<relc::node>(options_);
  boot_error_ = node_->boot(sys_);
  if (boot_error_)
    log(log_level::error, "relc", "boot failed: " + describe_error(boot_error_));
}

void module::stop() {
  if (node_)
    node_->stop();
  node_.reset();
  if (host_awaits_actors_)
    sys_.await_all_actors_done();
}

caf::actor_system::module::id_t module::id() const {
  return network_manager;
}

void* module::subtype_ptr() {
  return this;
}

} // namespace relc
