#pragma once

// Application env at boot: manifest env < sys.config < --env app.key=value,
// with ${VAR} / ${VAR:-default} in sys.config taken from the OS environment.

#include <map>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "relc/runtime/term.hpp"

namespace relc {

/// sys.config as {app: {key: value}}, ${VAR} expanded and re-typed (a
/// number stays a number). An unset variable without a default is an error
/// naming it and the file.
[[nodiscard]] caf::expected<std::map<std::string, term>>
load_sys_config(const std::string& path);

/// Parses `app.key=value` (value typed like YAML: 42 is an integer).
[[nodiscard]] caf::expected<std::pair<std::string, std::pair<std::string, term>>>
parse_env_override(const std::string& text);

/// Applies `overrides` (a map) onto `env` key by key.
void merge_env(term& env, const term& overrides);

} // namespace relc
