#pragma once

// The reboot-loop guard's counter: boots in a row that did not reach
// `started`, kept in a small file under the release root so that it
// survives the process (private to the runtime).

#include <string>

namespace relc {

class boot_counter {
public:
  explicit boot_counter(std::string path) : path_(std::move(path)) {}

  /// The stored count (0 when the file is missing or unreadable).
  int read() const;

  /// Stores `n` (write to a temp file, then rename); false on failure.
  bool write(int n) const;

  const std::string& path() const { return path_; }

private:
  std::string path_;
};

} // namespace relc
