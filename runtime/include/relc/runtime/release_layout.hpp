#pragma once

// The layout of a built release (docs/formats.md), defined once: the release tool
// writes it and the runtime reads it through these names. Paths are
// relative to the release root.

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace relc::layout {

/// `releases/start.data`: which runtime and release version boot.
std::string start_data();

/// `releases/RELEASES`: the releases and their states.
std::string releases_file();

/// `releases/<vsn>`: one release version's files.
std::string release_dir(const std::string& vsn);

/// `releases/<vsn>/<rel>.boot`, `.script`, `.rel`.
std::string boot_file(const std::string& vsn, const std::string& rel);
std::string script_file(const std::string& vsn, const std::string& rel);
std::string spec_file(const std::string& vsn, const std::string& rel);

/// `releases/<vsn>/sys.config` and `releases/<vsn>/node.args`.
std::string sys_config(const std::string& vsn);
std::string node_args(const std::string& vsn);

/// `releases/<vsn>/relup`: the upgrade and downgrade scripts of that version.
std::string relup_file(const std::string& vsn);

/// `lib/<app>-<vsn>`: an application's directory.
std::string app_dir(const std::string& app, const std::string& vsn);

/// `runtime-<rvsn>`: one runtime version's files; `runtime-<rvsn>/lib`
/// its shared libraries; `runtime-<rvsn>/bin/relc` its node executable,
/// which a node execs when an upgrade changes the runtime (bin/relc is
/// the copy the release was built with).
std::string runtime_dir(const std::string& runtime_vsn);
std::string runtime_lib_dir(const std::string& runtime_vsn);
std::string runtime_executable(const std::string& runtime_vsn);

/// The dist plugin (docs/distribution.md) sits beside the runtime library
/// and shares its version: `librelc_dist.so.<v>` for `librelc_runtime.so.<v>`.
/// Empty when `runtime_soname` is not the runtime library's.
std::string dist_plugin_soname(const std::string& runtime_soname);

/// The boot file's extension (`.boot`).
inline constexpr const char* boot_extension = ".boot";

/// start.data's one line, `<runtime vsn> <release vsn>\n`.
std::string start_data_text(const std::string& runtime_vsn,
                            const std::string& release_vsn);

struct start_data_entry {
  std::string runtime_vsn;
  std::string release_vsn;
};

/// Parses start.data's text; nothing when it is not of that form.
std::optional<start_data_entry> parse_start_data(const std::string& text);

/// Reads `<root>/releases/start.data`; nothing when missing or malformed.
std::optional<start_data_entry> read_start_data(const std::string& root);

/// A release's state in RELEASES: unpacked -> current (installed, not yet
/// permanent) -> permanent; the permanent one before is old.
namespace release_state {
inline constexpr const char* unpacked = "unpacked";
inline constexpr const char* current = "current";
inline constexpr const char* permanent = "permanent";
inline constexpr const char* old = "old";
} // namespace release_state

/// One release in RELEASES (docs/upgrades.md); `apps` holds `<app>-<vsn>`
/// names.
struct release_row {
  std::string name;
  std::string vsn;
  std::string runtime;
  std::string state;
  std::vector<std::string> apps;
};

/// RELEASES' text as relc writes it: YAML, a list of {name, vsn, runtime,
/// state, apps}, one key per line, apps in flow style.
std::string releases_text(const std::vector<release_row>& xs);

/// Each release's vsn and state when `text` has exactly the shape
/// releases_text writes; nothing for any other text (another YAML shape,
/// an operator's edit), which a YAML parser then reads. Reading only these
/// two fields keeps a node of many apps from parsing every apps list.
std::optional<std::vector<std::pair<std::string, std::string>>>
scan_release_states(const std::string& text);

} // namespace relc::layout
