#pragma once

// The application upgrade file `<app>.appup` (docs/formats.md, "Appup"):
// beside the manifest of an app's new version, for each earlier version
// (exact, or a prefix pattern like `1.0.*`) the instructions up from it
// and down to it.

#include <optional>
#include <string>
#include <vector>

#include "relc/release/diagnostics.hpp"
#include "relc/runtime/term.hpp"

namespace relc::release {

/// One appup instruction.
struct appup_instruction {
  enum class kind {
    restart_application, ///< stop the old version, start the new one
    load_module,         ///< new spawns of `module` use the new library
    add_module,          ///< `module` is new in this version
    delete_module,       ///< `module` is gone in this version
    update,              ///< running actors of `module` hand their state over
    apply,               ///< call an exported function (`call: APP.FUNCTION`)
    restart_node,        ///< the node restarts into the new release
  };
  kind what = kind::restart_application;
  std::string module;   ///< load/add/delete_module, update
  bool advanced = false; ///< update: `change: {advanced: EXTRA}` (else soft)
  term extra;           ///< update: EXTRA
  int64_t timeout_ms = 5000; ///< update: how long the handoff may take
  std::string call_app; ///< apply: APP of APP.FUNCTION
  std::string function; ///< apply: FUNCTION
  term args;            ///< apply
  source_location where;
};

const char* to_string(appup_instruction::kind x);

/// The instructions for one earlier version (or pattern).
struct appup_entry {
  std::string pattern; ///< `1.0.0`, or `1.0.*`
  std::vector<appup_instruction> instructions;
  source_location where;
};

struct appup {
  std::string file;
  std::vector<appup_entry> up;   ///< `from`
  std::vector<appup_entry> down; ///< `to`

  /// The first entry whose pattern matches `vsn`, or null.
  static const appup_entry* match(const std::vector<appup_entry>& entries,
                                  const std::string& vsn);
};

/// Whether version text `vsn` matches `pattern`: equal, or the pattern
/// ends in `*` and `vsn` starts with what comes before it (`1.0.*`
/// matches `1.0.3`, not `1.01`).
bool version_matches(const std::string& pattern, const std::string& vsn);

/// Reads `path`. Every problem goes to `diags` with its line; nullopt when
/// any of them is an error.
std::optional<appup> load_appup(const std::string& path, diagnostics& diags);

} // namespace relc::release
