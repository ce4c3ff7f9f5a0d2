#pragma once

#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "relc/release/diagnostics.hpp"
#include "relc/release/manifest.hpp"
#include "relc/release/version.hpp"
#include "relc/runtime/term.hpp"

namespace relc::release {

/// How the node treats an application (OTP's start types plus load/none).
enum class app_type { permanent, transient, temporary, load, none };

const char* to_string(app_type x);
std::optional<app_type> parse_app_type(const std::string& text);

/// An entry of the spec's `applications` list.
struct release_app {
  std::string name;
  std::optional<version> vsn;
  app_type type = app_type::permanent;
  /// Overrides the manifest's included_applications (must be a subset).
  std::optional<std::vector<std::string>> included;
  source_location where;
};

/// One `overlays` entry: copy a file or directory, or fill a template.
struct overlay {
  enum class kind { copy, template_file };
  kind action = kind::copy;
  std::string source;      ///< as written in the spec
  std::string source_path; ///< resolved against the spec's directory
  std::string destination; ///< relative to the release root
  source_location where;
};

/// One `boot.init` entry: an app (with its dependencies) or a call.
struct boot_init_entry {
  std::string app;
  /// For `{call: APP.FUNCTION, args: ...}` the function; empty for an app.
  std::string function;
  term args;
  source_location where;
};

/// Shoehorn-style boot control (docs/runtime.md).
struct boot_control {
  std::vector<boot_init_entry> init;
  std::optional<std::string> main;
  source_location main_where;
  std::optional<callback_ref> handler;
  source_location handler_where;
  int64_t shutdown_timer = 30000;
  /// Sliding window on the handler's restart verdicts, per app: more than
  /// `max_restarts` within `restart_period` ms and the node halts, or (with
  /// `give_up`) the app is left stopped.
  int64_t max_restarts = 3;
  int64_t restart_period = 5000;
  bool give_up = false;
  /// Reboot-loop guard: after this many boots in a row that did not reach
  /// `started`, boot only the init entries (0: never).
  int64_t recovery_after = 3;
};

/// A release spec `<rel>.rel` (docs/formats.md).
struct release_spec {
  std::string name;
  version vsn = *version::parse("0");
  std::optional<version> runtime;
  std::vector<release_app> apps;
  std::optional<std::string> sys_config; ///< resolved path
  std::optional<std::string> node_args;  ///< resolved path
  bool include_runtime = true;
  /// `start: parallel`: apps whose dependencies have started start together.
  bool parallel_start = false;
  /// `health: {await: [NAMES]}`: names that must be registered for an
  /// installed release to pass `install --health` (docs/upgrades.md).
  std::vector<std::string> health_await;
  std::optional<boot_control> boot;
  std::vector<overlay> overlays;

  std::string file; ///< path of the spec
  std::string dir;  ///< directory relative paths resolve against
  source_location runtime_where;
};

/// Loads and validates a release spec; problems go to `diags`.
[[nodiscard]] caf::expected<release_spec>
load_release_spec(const std::string& path, diagnostics& diags);

} // namespace relc::release
