#pragma once

#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "relc/release/diagnostics.hpp"
#include "relc/release/library_scan.hpp"
#include "relc/release/release_writer.hpp"
#include "relc/release/relup.hpp"
#include "relc/release/resolver.hpp"

namespace relc::release {

/// What a run of the release tool works with, found once by the caller.
struct toolchain {
  /// Lib dirs in search order (see effective_lib_dirs).
  std::vector<std::string> lib_dirs;
  /// This relc's runtime version.
  std::string runtime_version;
  /// The node executable bundled as `bin/relc`; empty when unavailable.
  std::string node_executable;
};

/// Whether warnings fail a check (`--strict`).
enum class warning_policy { allow, fail };

/// A release that passed every check, with its libraries read.
struct checked_release {
  resolved_release rel;
  std::map<std::string, app_library> libraries;
};

/// Loads the spec, resolves it and runs every check of docs/commands.md; writes
/// nothing. Every problem goes to `diags`.
[[nodiscard]] caf::expected<checked_release>
check_release_spec(const std::string& spec_path, const toolchain& tools,
                   warning_policy policy, diagnostics& diags);

/// The relup of a checked release from the earlier releases `from` names,
/// each a release directory, a release tarball, or a version whose tarball
/// (`<out_dir>/<rel>-<vsn>.tar.gz`) or release directory is under
/// `out_dir`; with the relup checks (docs/commands.md). Every problem goes
/// to `diags`.
[[nodiscard]] std::optional<relup>
make_release_relup(const checked_release& checked, const toolchain& tools,
                   const std::vector<std::string>& from,
                   const std::string& out_dir, diagnostics& diags);

/// Options of `relc build`.
struct build_options {
  std::string out_dir = "_rel";
  /// `--upfrom`: earlier releases the release carries a relup from.
  std::vector<std::string> upfrom;
  tarball_output tarball = tarball_output::write;
  warning_policy policy = warning_policy::allow;
  const std::atomic<bool>* cancelled = nullptr;
  /// `--replace-running`: replace a release a node runs from.
  bool replace_running = false;
};

/// What a successful build wrote.
struct build_result {
  std::string release_dir;
  std::optional<std::string> tarball;
  /// The release directory (and tarball) already held exactly this
  /// release: nothing was written.
  bool unchanged = false;
};

/// Checks, plans and writes the release (docs/formats.md) atomically.
[[nodiscard]] caf::expected<build_result>
build_release(const std::string& spec_path, const toolchain& tools,
              const build_options& options, diagnostics& diags);

/// Output formats of `relc deps`.
enum class deps_format { tree, dot, json };

/// Renders the start order and dependency graph of a resolved release.
std::string render_deps(const resolved_release& rel, deps_format format);

} // namespace relc::release
