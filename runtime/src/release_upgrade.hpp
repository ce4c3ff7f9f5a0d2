#pragma once

// Installing a release in a running node (private to the runtime): OTP's
// release_handler:install_release, run by the application controller as
// one lifecycle job. It loads the target release beside the running one
// (each app version from its own lib/<app>-<vsn>, so two versions of a
// library are loaded side by side), then runs the relup script step by
// step (relup_script.hpp): stop, restart_application, load_module,
// update (state handoff, relc/runtime/handoff.hpp), apply, start,
// config_change, unload, restart_node. A failure before the point of no
// return leaves the node as it was; after it the node restarts into its
// permanent release in this process and says why.

#include <functional>
#include <string>

#include <caf/error.hpp>

#include "boot_policy.hpp"

namespace relc {

/// What an install did, one line per step (`+<ms> ms <step>`), or why it
/// failed.
struct install_outcome {
  caf::error error;
  std::string report;
  /// Set when the target needs another runtime: its `restart_node` is an
  /// exec of that runtime's executable, which the node host does (nothing
  /// in the node changed).
  std::string exec_runtime;
};

/// Installs release `target` in the node `ops` controls. Non-blocking:
/// file I/O and app code run on masters; `done` runs in the controller.
void install_release(controller_ops& ops, const std::string& target,
                     std::function<void(install_outcome)> done);

} // namespace relc
