#pragma once

// Verifies the checksums of a release's libraries on all cores before any
// of them is loaded (private to the runtime). Hashing runs in parallel and
// reads files instead of mapping them; the threads are gone before the
// first dlopen, so loading runs in a single-threaded process, where mapping
// code costs no cross-CPU TLB shootdowns.

#include <string>
#include <vector>

#include <caf/error.hpp>

namespace relc {

struct library_file {
  std::string path;
  std::string sha256;
};

/// One outcome per file, in order (an empty error when it matches).
std::vector<caf::error> verify_libraries(const std::vector<library_file>& files);

} // namespace relc
