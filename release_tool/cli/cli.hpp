#pragma once

#include <atomic>
#include <ostream>
#include <string>
#include <vector>

namespace relc::cli {

/// What the command line needs from the process it runs in.
struct cli_environment {
  /// The dir holding the built-in `kernel` app.
  std::string builtin_lib_dir;
  /// The node executable a release bundles as `bin/relc`.
  std::string node_executable;
  /// This relc's version.
  std::string runtime_version;
  /// Set by SIGINT/SIGTERM to abandon a build.
  const std::atomic<bool>* cancelled = nullptr;
};

/// Exit statuses (docs/commands.md).
enum exit_status : int { exit_ok = 0, exit_failed = 1, exit_usage = 2 };

/// Runs `relc ARGS...` (args without the program name), writing results to
/// `out` and diagnostics to `err`; returns the exit status.
int run_cli(const std::vector<std::string>& args, std::ostream& out,
            std::ostream& err, const cli_environment& env);

/// Finds the built-in lib dir and node executable next to `self_exe`.
cli_environment locate_environment(const std::string& self_exe);

} // namespace relc::cli
