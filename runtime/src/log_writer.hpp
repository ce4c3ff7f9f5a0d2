#pragma once

// The background writer behind the default log sink (stderr). A report is
// appended to a bounded queue and written by one thread of its own, in
// batches, so that no caller (often a CAF scheduler thread) waits for a
// write(2), and a stderr nobody reads (a full pipe) blocks nobody: past the
// bound lines are dropped and counted, and the count is written once the
// writer gets through again. Like OTP's logger handlers: asynchronous, with
// overload protection.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>

#include "relc/runtime/log.hpp"

namespace relc::detail {

/// One report line as log() writes it (no newline); defined in log.cpp.
std::string format_report(log_level level, const std::string& source,
                          const std::string& text);

class log_writer {
public:
  /// The process's one writer; never destroyed (detached threads may log
  /// while statics are torn down).
  static log_writer& instance();

  /// Starts the thread (once) and, where no handler is set, a best-effort
  /// flush on SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT.
  void start();

  bool active() const { return active_.load(std::memory_order_acquire); }

  /// Queues one line (without its newline). An error wakes the writer at
  /// once; other lines are written within a few milliseconds.
  void post(std::string& line, bool urgent);

  /// Blocks until every line queued before the call has been written, or
  /// until `limit` has passed; true when all was written.
  bool flush_blocking(std::chrono::milliseconds limit);

  /// From a fatal-signal handler: writes what is queued if no thread holds
  /// the queue. Best effort.
  void write_pending_after_crash() noexcept;

  /// Queue bound: about 10,000 report lines.
  static constexpr size_t max_queued_bytes = 1 << 20;

private:
  log_writer() = default;
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable written_;
  std::string queue_;
  std::string batch_;
  uint64_t queued_lines_ = 0;
  uint64_t written_lines_ = 0;
  uint64_t dropped_lines_ = 0;
  bool idle_ = false;
  bool urgent_ = false;
  std::atomic<bool> active_{false}; // set once, under mutex_
  std::atomic<bool> writing_{false}; // a batch is being written
};

} // namespace relc::detail
