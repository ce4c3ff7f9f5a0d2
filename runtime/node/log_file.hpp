#pragma once

// The node's own log file (`bin/<rel> start` passes --log-file): the node
// writes it through its stdout and stderr, so app code that prints lands
// there too. It stays bounded while the node runs: past `max_bytes` it is
// renamed node.log.1 (older ones shift up to node.log.<keep>) and a fresh
// one takes its place; SIGHUP reopens it, for logrotate's
// `postrotate kill -HUP`.

#include <cstdint>
#include <mutex>
#include <string>

namespace relc {

class log_file {
public:
  /// Takes over `path`: rotates it when already too big, then points fds 1
  /// and 2 at it. Returns an error text, empty when done.
  std::string open(std::string path, uint64_t max_bytes, int keep);

  /// Rotates when the file has grown past the limit; cheap (one fstat).
  void check();

  /// Opens the path again (after an outside rotation).
  void reopen();

  bool active() const { return !path_.empty(); }

private:
  std::string redirect(); // opens path_ onto fds 1 and 2
  void rotate();

  std::mutex mutex_;
  std::string path_;
  uint64_t max_bytes_ = 0;
  int keep_ = 1;
};

/// Reads RELC_LOG_MAX_BYTES (default 10 MiB) and RELC_LOG_KEEP (default 5).
uint64_t log_max_bytes_from_env();
int log_keep_from_env();

} // namespace relc
