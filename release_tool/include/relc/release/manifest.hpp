#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "relc/release/diagnostics.hpp"
#include "relc/release/version.hpp"
#include "relc/runtime/term.hpp"

namespace relc::release {

/// A callback reference: `{module: NAME, args: ANY}`.
struct callback_ref {
  std::string module;
  term args;
};

/// One entry of `start_phases`: `- PHASE: ARGS`.
struct start_phase {
  std::string name;
  term args;
};

/// An application manifest `<app>.app` (docs/formats.md).
struct app_manifest {
  std::string name;
  version vsn = *version::parse("0");
  std::string description;
  std::string id;
  std::vector<std::string> modules;
  std::vector<std::string> registered;
  std::vector<std::string> applications;
  std::vector<std::string> optional_applications;
  std::vector<std::string> included_applications;
  term env = term::map{};
  std::optional<callback_ref> mod;
  std::optional<std::vector<start_phase>> start_phases;
  /// File name under `lib/`; nullopt for `library: none`.
  std::optional<std::string> library;

  /// Path of the manifest file.
  std::string file;
  /// Where each top-level key's value starts, for messages about it.
  std::map<std::string, source_location> locations;

  /// Location of `key`, or of the file when the key is absent.
  source_location where(const std::string& key) const;
};

/// Loads and validates a manifest. Every problem goes to `diags`; the result
/// is an error when any of them is an error.
[[nodiscard]] caf::expected<app_manifest>
load_app_manifest(const std::string& path, diagnostics& diags);

} // namespace relc::release
