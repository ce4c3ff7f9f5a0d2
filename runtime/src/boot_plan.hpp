#pragma once

// The boot file decoded into what the node needs (private to the runtime).

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "relc/runtime/term.hpp"

namespace relc {

enum class app_start_type { permanent, transient, temporary, load, none };

const char* to_string(app_start_type x);

struct planned_phase {
  std::string name;
  term args;
};

struct planned_app {
  std::string name;
  std::string vsn;
  app_start_type type = app_start_type::permanent;
  std::optional<std::string> library; ///< path relative to the release root
  std::string sha256;
  std::optional<std::string> mod;     ///< callback module
  term mod_args;
  std::vector<planned_phase> phases;
  std::vector<std::string> applications;
  std::vector<std::string> optional_applications; ///< present ones
  std::vector<std::string> included;
  std::optional<std::string> included_by;
  term env;
};

/// One `boot.init` entry: an app (with its dependencies) or a call.
struct planned_init {
  std::string app;
  std::string function; ///< empty for an app
  term args;
};

/// Shoehorn-style boot control (the spec's `boot:`).
struct planned_boot_control {
  std::vector<planned_init> init;
  std::optional<std::string> main;
  std::optional<std::string> handler; ///< exported handler module name
  term handler_args;
  std::chrono::milliseconds shutdown_timer{30000};
  int max_restarts = 3;
  std::chrono::milliseconds restart_period{5000};
  bool give_up = false;
  int recovery_after = 3;
};

struct boot_plan {
  std::string release_root;
  std::string name;
  std::string vsn;
  std::string runtime;
  std::vector<planned_app> apps; ///< in start order (moved into the node)
  std::string sys_config;        ///< path relative to the root
  std::string node_args;         ///< path relative to the root
  std::optional<planned_boot_control> boot; ///< shoehorn mode when set
  bool parallel_start = false;              ///< `start: parallel`
  std::vector<std::string> health_await;    ///< `health: {await: [...]}`
};

/// Reads releases/start.data and releases/<vsn>/<rel>.boot under `root`;
/// a non-empty `vsn` names the version instead of start.data (whose
/// runtime version is still the one reported).
[[nodiscard]] caf::expected<boot_plan>
load_boot_plan(const std::string& root, const std::string& vsn = {});

} // namespace relc
