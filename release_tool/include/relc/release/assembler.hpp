#pragma once

#include <map>
#include <optional>
#include <string>

#include <caf/expected.hpp>

#include "relc/release/diagnostics.hpp"
#include "relc/release/library_scan.hpp"
#include "relc/release/release_tree.hpp"
#include "relc/release/resolver.hpp"
#include "relc/release/runtime_bundle.hpp"

namespace relc::release {

/// What assembling a release needs besides the release itself.
struct assembly_inputs {
  std::string runtime_version;
  /// The runtime to bundle; required when the spec has include_runtime.
  std::optional<runtime_bundle> runtime;
};

/// Plans the release directory (docs/formats.md) in memory: start script, runtime,
/// apps with their libraries and priv/, releases/<vsn>/ with the spec, the
/// script and boot file, sys.config, node.args, start.data, RELEASES, and
/// the overlays. Problems (an unreadable source, a path that would escape
/// the root, an unknown template variable) go to `diags` with their place.
[[nodiscard]] caf::expected<release_tree>
assemble_release(const resolved_release& rel,
                 const std::map<std::string, app_library>& libraries,
                 const assembly_inputs& inputs, diagnostics& diags);

/// Fills `${VAR}` in `text` from `vars`, then from the OS environment;
/// `$${` writes a literal `${`. An unknown variable is reported with its
/// line in `file`.
[[nodiscard]] caf::expected<std::string>
fill_template(const std::string& text, const std::string& file,
              const std::map<std::string, std::string>& vars,
              diagnostics& diags);

} // namespace relc::release
