#pragma once

// The runtime's commands, shared by both executables: the node a release
// bundles (bin/relc) and the full relc tool. This is the node host's only
// public header; everything else under runtime/node/ is private to it.

#include <optional>
#include <string>
#include <vector>

namespace relc {

/// Runs `boot ...`, `ctl ...` or `heart ...` (args[0] names the command)
/// and returns its exit status; nothing when args[0] is none of them.
std::optional<int> run_runtime_command(const std::vector<std::string>& args);

/// One line per runtime command, for a usage text.
const char* runtime_command_usage();

} // namespace relc
