#pragma once

// `relc new`: the files of a new app or release project (docs/cmake.md), like
// `rebar3 new release`. A project builds with find_package(relc) from any
// install prefix and boots as written.

#include <string>
#include <vector>

#include <caf/error.hpp>

namespace relc::release {

struct project_file {
  std::string path; ///< relative to the project's directory
  std::string content;
  bool executable = false;
};

/// An app `name` (a supervisor with one worker, its manifest and its
/// CMakeLists.txt, which also builds on its own as a top-level project).
std::vector<project_file> app_project(const std::string& name);

/// A release project `rel` with its app `app` under apps/<app>/: the
/// top-level CMakeLists.txt, rel/<rel>.rel, rel/sys.config, rel/node.args
/// and a README.
std::vector<project_file> release_project(const std::string& rel,
                                          const std::string& app);

/// Writes `files` into the new directory `dir`, which must not exist: all
/// of them go to a temporary sibling that is renamed at the end, so a
/// failure leaves nothing behind.
[[nodiscard]] caf::error write_project(const std::string& dir,
                                       const std::vector<project_file>& files);

} // namespace relc::release
