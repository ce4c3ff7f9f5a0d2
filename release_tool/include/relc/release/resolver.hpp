#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "relc/release/app_index.hpp"
#include "relc/release/diagnostics.hpp"
#include "relc/release/manifest.hpp"
#include "relc/release/release_spec.hpp"

namespace relc::release {

/// An application of a resolved release, with everything the later stages
/// need about it.
struct resolved_app {
  app_manifest manifest;
  std::string dir; ///< source `<app>-<vsn>/`
  app_type type = app_type::permanent;
  /// The effective included apps (the spec's `included` or the manifest's).
  std::vector<std::string> included;
  /// The optional apps that are present in the release.
  std::vector<std::string> present_optional;
  /// Set when another app includes this one.
  std::optional<std::string> included_by;
  /// True when the spec lists the app; false when it was added.
  bool listed = false;
  /// For an added app: the app that needed it.
  std::string required_by;
  /// The spec entry, or the requiring manifest's key.
  source_location where;

  const std::string& name() const { return manifest.name; }
};

/// A release whose apps are all found, loaded and put in start order.
struct resolved_release {
  release_spec spec;
  /// Apps in the start order of docs/commands.md (kernel first).
  std::vector<resolved_app> apps;

  /// The app called `name`, or null.
  const resolved_app* find(const std::string& name) const;
};

/// Finds and loads every app of `spec` and its dependencies, adds the
/// unlisted ones (with a note each) and computes the start order. Missing
/// apps, wrong versions, name mismatches and cycles go to `diags`; the result
/// holds every app that could be loaded, so later checks can still report
/// their own problems in the same run. It is usable only without errors.
[[nodiscard]] resolved_release
resolve_release(const release_spec& spec, const app_index& index,
                diagnostics& diags);

} // namespace relc::release
