#pragma once

#include <map>
#include <set>
#include <string>

#include "relc/release/diagnostics.hpp"
#include "relc/release/library_scan.hpp"
#include "relc/release/resolver.hpp"
#include "relc/release/version.hpp"

namespace relc::release {

/// What the checks compare a release against.
struct check_context {
  /// The version of the runtime this relc builds releases for.
  version runtime_version = *version::parse("0");
  /// Sonames the running node already has loaded (check 9 in docs/commands.md).
  std::set<std::string> runtime_sonames;
};

/// Runs the checks of docs/commands.md that need the resolved release and its
/// libraries (resolution itself covers 1–3 and 7's single includer):
/// registered names, modules and callbacks, kernel, included apps, runtime
/// version, shared library resolution, boot control, sys.config and
/// node_args. Every problem goes to `diags`.
void check_release(const resolved_release& rel,
                   const std::map<std::string, app_library>& libraries,
                   const check_context& ctx, diagnostics& diags);

} // namespace relc::release
