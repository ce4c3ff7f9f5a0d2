#pragma once

// relc as a CAF module (docs/cpp-api.md): an existing CAF program gains a release
// by loading the module in its config:
//
//   struct config : caf::actor_system_config {
//     config() { load<relc::module>(); }
//   };
//
// and naming the release in CAF's own config: `--relc.release-dir=DIR` on
// the command line or `[relc] release-dir="DIR"` in caf-application.ini
// (also relc.config, relc.env, relc.shutdown-time, relc.init-debug). The
// release boots when the actor system starts and stops, apps in reverse
// start order, before the system waits for the program's own actors.

#include <memory>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/error.hpp>

#include "relc/runtime/node.hpp"

namespace relc {

class module : public caf::actor_system::module {
public:
  explicit module(caf::actor_system& sys);
  ~module() override;

  static caf::actor_system::module* make(caf::actor_system& sys,
                                         caf::detail::type_list<>);

  /// Declares the relc.* options (called by cfg.load<relc::module>()).
  static void add_options(caf::config_option_set& options);

  /// The module of `sys` (which must have loaded it).
  static module& of(caf::actor_system& sys);

  /// Reads relc.* from the config.
  void init(caf::actor_system_config& cfg) override;

  /// Loads and boots the release (blocks the thread that constructs the
  /// actor system, never a scheduler thread). A boot failure is logged
  /// (`boot failed: ...`) and kept in boot_error(); the program runs on.
  void start() override;

  /// Stops the release, then waits for the program's own actors if the
  /// program asked CAF to.
  void stop() override;

  id_t id() const override;
  void* subtype_ptr() override;

  /// The node (null without relc.release-dir or before start()).
  relc::node* node() { return node_.get(); }

  /// Why the boot failed; empty if it did not (or did not run).
  const caf::error& boot_error() const { return boot_error_; }

private:
  caf::actor_system& sys_;
  node_options options_;
  std::unique_ptr<relc::node> node_;
  caf::error boot_error_;
  bool host_awaits_actors_ = true;
};

} // namespace relc

namespace caf {

/// cfg.load<relc::module>(): declares relc's options, then loads the module
/// like any other (a plain load() cannot declare options in CAF 0.17).
template <>
inline actor_system_config& actor_system_config::load<relc::module>() {
  relc::module::add_options(custom_options_);
  module_factories.push_back([](actor_system& sys) -> actor_system::module* {
    return relc::module::make(sys, detail::type_list<>{});
  });
  return *this;
}

} // namespace caf
