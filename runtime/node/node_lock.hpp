#pragma once

// One node per name and run directory: a node holds an exclusive lock on
// run/<name>.lock for as long as it runs (flock: the kernel drops it when
// the process ends, however it ends). A second boot of the same node
// (`foreground` twice, `relc boot` beside `start`) refuses in one line
// before it touches anything the running node owns: its socket, its log,
// its boot counter.

#include <string>

#include <caf/error.hpp>

namespace relc {

class node_lock {
public:
  node_lock() = default;
  ~node_lock();
  node_lock(const node_lock&) = delete;
  node_lock& operator=(const node_lock&) = delete;

  /// Takes the lock at `path` (created 0600) and writes this process's
  /// pid into it; an error naming the running node's pid when another
  /// process holds it.
  caf::error acquire(const std::string& path);

private:
  int fd_ = -1;
};

} // namespace relc
