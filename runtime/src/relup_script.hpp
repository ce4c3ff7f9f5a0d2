#pragma once

// A relup script as the node runs it (private to the runtime): the steps
// from the running release version to a target one, read from
// releases/<vsn>/relup (docs/formats.md, "Relup"; keys in
// relc/runtime/relup_schema.hpp). Up scripts live in the target's relup,
// down scripts in the running version's: the newer release carries both.

#include <chrono>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "relc/runtime/term.hpp"

namespace relc {

struct relup_step {
  std::string kind; ///< relup_keys::load, ::update, ...
  std::string app;
  std::string vsn;    ///< load, unload
  std::string module; ///< load_module, add_module, delete_module, update
  std::string from;   ///< restart_application, update: the app's versions
  std::string to;
  term extra;         ///< update: {advanced: EXTRA}'s EXTRA (null for soft)
  std::chrono::milliseconds timeout{5000}; ///< update
  std::string function; ///< apply
  term args;            ///< apply
  term changed, added, removed; ///< config_change
};

struct relup_script {
  bool down = false;
  std::string from_vsn; ///< the running version
  std::string to_vsn;
  std::vector<relup_step> steps;
};

/// The script from `running` to `target` under release root `root`: the up
/// script of releases/<target>/relup, else the down script of
/// releases/<running>/relup. The error names the file and what is missing.
[[nodiscard]] caf::expected<relup_script>
read_relup_script(const std::string& root, const std::string& running,
                  const std::string& target);

/// Parses one relup file's text (`file` for messages); picks the script
/// `up` from `vsn`, or `down` to it.
[[nodiscard]] caf::expected<relup_script>
parse_relup_script(const std::string& text, const std::string& file,
                   bool down, const std::string& vsn);

} // namespace relc
