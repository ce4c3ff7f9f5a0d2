#pragma once

#include <string>
#include <vector>

namespace relc::bench {

/// Runs `argv` (argv[0] a path), its stdout into `out` when given, stderr
/// dropped; its exit status (-1 when it did not exit normally).
int run_command(const std::vector<std::string>& argv, std::string* out = nullptr);

} // namespace relc::bench
