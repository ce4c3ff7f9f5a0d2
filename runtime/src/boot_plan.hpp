#pragma once

// The boot file decoded into what the node needs (private to the runtime).

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

struct boot_plan {
  std::string release_root;
  std::string name;
  std::string vsn;
  std::string runtime;
  std::vector<planned_app> apps; ///< in start order
  std::string sys_config;        ///< path relative to the root
  std::string node_args;         ///< path relative to the root
};

/// Reads releases/start.data and releases/<vsn>/<rel>.boot under `root`.
[[nodiscard]] caf::expected<boot_plan> load_boot_plan(const std::string& root);

} // namespace relc
