#pragma once

#include <set>
#include <string>
#include <vector>

#include <caf/expected.hpp>

namespace relc::release {

/// A shared library the runtime needs and a release bundles.
struct bundled_library {
  std::string soname; ///< the file name in runtime-<rvsn>/lib/
  std::string path;   ///< where it is on this machine
};

/// The relc runtime: the node executable and its shared libraries.
struct runtime_bundle {
  std::string executable;
  /// The runtime version the executable carries (its `.relc_runtime`
  /// section); empty for an executable that carries none.
  std::string version;
  /// Libraries to ship: the closure of the executable's DT_NEEDED, less the
  /// base system every Debian 12 machine has (glibc, libstdc++, libgcc_s).
  std::vector<bundled_library> libraries;
  /// Every soname the runtime loads, base system included: an app library
  /// needing one of them is satisfied by the running node.
  std::set<std::string> provided;
};

/// Where the node executable bundled as bin/relc finds the bundled
/// libraries: `$ORIGIN/../runtime-<rvsn>/lib`.
std::string bundled_executable_runpath(const std::string& runtime_vsn);

/// Where the copy of the node executable inside its runtime directory
/// (runtime-<rvsn>/bin/relc, the one a runtime change execs) finds them:
/// `$ORIGIN/../lib`.
std::string runtime_executable_runpath();

/// The bytes of the ELF file at `path` with its RUNPATH set to `runpath`
/// (docs/formats.md: a shipped binary carries no build path); a file without a
/// RUNPATH is returned as it is when `runpath` is `$ORIGIN` (a library
/// that needs none: its neighbours are found by soname once loaded).
[[nodiscard]] caf::expected<std::string>
relocated_copy(const std::string& path, const std::string& runpath);

/// True for the libraries of the base system that are never bundled.
bool is_base_system_library(const std::string& soname);

/// The runtime version the relc node executable at `path` carries; an
/// error for a file that is no such executable.
[[nodiscard]] caf::expected<std::string>
read_runtime_version(const std::string& path);

/// Computes the bundle of the node executable at `executable`.
[[nodiscard]] caf::expected<runtime_bundle>
find_runtime_bundle(const std::string& executable);

} // namespace relc::release
