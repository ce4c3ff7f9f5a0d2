#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli.hpp"
#include "relc/release/diagnostics.hpp"
#include "relc/release/pipeline.hpp"

namespace relc::cli {

/// Options every release command shares: the spec, lib dirs, --strict.
struct release_options {
  std::string spec;
  std::vector<std::string> lib_dirs;
  std::string runtime; ///< --runtime: another node executable to build for
  bool strict = false;

  /// Declares the shared options on `cmd`.
  void add_to(CLI::App& cmd, bool with_strict);

  /// The toolchain for a run with these options; a `--runtime` that is not
  /// a relc node executable goes to `diags`.
  release::toolchain make_toolchain(const cli_environment& env,
                                    release::diagnostics& diags) const;

  release::warning_policy policy() const {
    return strict ? release::warning_policy::fail
                  : release::warning_policy::allow;
  }
};

/// Prints every diagnostic, one line each, then a summary when there were
/// errors.
void print_diagnostics(const release::diagnostics& diags, std::ostream& err);

} // namespace relc::cli
