#pragma once

// A node that changes runtime version (docs/upgrades.md): the running
// process cannot run another runtime's code, so it stops its apps and
// execs the other runtime's executable (runtime-<rvsn>/bin/relc) in the
// same process: same PID, same heart and systemd supervision, the admin
// connection that asked handed over. What the new program continues with
// travels on its command line as --resume-* flags.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/error.hpp>

namespace relc {

/// What a node continues with after an exec into another runtime.
struct resume_plan {
  std::string install;         ///< the release this boot installs (state current)
  int64_t health_ms = 0;       ///< then its health gate, for that long
  bool make_permanent = false; ///< then make it permanent (upgrade, downgrade)
  std::string rolled_back;     ///< this boot is a rollback: why, in one line
  std::string report;          ///< what the command reported before the exec
  int fd = -1;                 ///< the admin connection waiting for the answer

  /// The --resume-* flags that carry this plan.
  std::vector<std::string> to_args() const;

  /// Takes `flag` (and its value at `args[i + 1]`, advancing `i`) if it is
  /// one of the --resume-* flags; false for any other flag. An unusable
  /// value sets `error`.
  bool take_flag(const std::vector<std::string>& args, size_t& i,
                 std::string& error);
};

/// An exec into another runtime, asked by the release handler.
struct runtime_exec {
  std::string executable;  ///< runtime-<rvsn>/bin/relc, absolute
  std::string runtime_vsn;
  std::string release_vsn; ///< the release to boot; empty: the permanent one
  resume_plan resume;
  uint64_t connection = 0; ///< the admin connection to hand over
};

/// The runtime version this program is: the node executable's own
/// (runtime/node/main.cpp), else this relc's.
std::string running_runtime_version();

/// The executable of runtime `rvsn` in the release at `root`:
/// runtime-<rvsn>/bin/relc; an error that says what is missing.
[[nodiscard]] caf::error find_runtime_executable(const std::string& root,
                                                 const std::string& rvsn,
                                                 std::string& path);

/// Replaces this program by `exe boot ROOT args...` (blocking; returns only
/// when the exec failed, with why). The heart pipe, and the file
/// descriptor `keep` (>= 0), stay open across it.
std::string exec_node(const std::string& exe, const std::string& root,
                      const std::vector<std::string>& args, int keep);

} // namespace relc
