#include "log_writer.hpp"

#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <thread>

namespace relc::detail {

namespace {

// A batch waits this long for more lines: a boot logs a line every few
// microseconds, and one write of many lines costs what one of one does.
constexpr auto coalesce = std::chrono::milliseconds{2};

// Writes all of `data` to stderr; gives up on an error other than EINTR (a
// closed stderr loses the batch, as the synchronous write did). `bounded`
// (async-signal-safe, for a crash): pieces of at most PIPE_BUF, each only
// once poll says it fits, giving up when stderr stays full for 100 ms.
void write_all(const char* data, size_t size, bool bounded = false) noexcept {
  while (size > 0) {
    size_t piece = size;
    if (bounded) {
      pollfd pfd{STDERR_FILENO, POLLOUT, 0};
      if (poll(&pfd, 1, 100) != 1 || (pfd.revents & POLLOUT) == 0)
        return;
      piece = size < 4096 ? size : 4096;
    }
    auto n = ::write(STDERR_FILENO, data, piece);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

void sleep_1ms() noexcept {
  timespec ms{0, 1000000};
  nanosleep(&ms, nullptr);
}

void on_fatal_signal(int sig) {
  log_writer::instance().write_pending_after_crash();
  raise(sig); // the handler was reset on entry: this one is fatal
}

void install_crash_flush() {
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) {
    struct sigaction old {};
    if (sigaction(sig, nullptr, &old) != 0 || old.sa_handler != SIG_DFL
        || (old.sa_flags & SA_SIGINFO) != 0)
      continue; // somebody else's handler (a sanitizer, the host program)
    struct sigaction sa {};
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND | SA_NODEFER;
    sigaction(sig, &sa, nullptr);
  }
}

} // namespace

log_writer& log_writer::instance() {
  static auto* self = new log_writer;
  return *self;
}

void log_writer::start() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    if (active_)
      return;
    active_ = true;
  }
  std::thread{[this] { run(); }}.detach();
  install_crash_flush();
  // A normal exit writes what is left (bounded: a stderr nobody reads must
  // not hold the exit).
  std::atexit([] { instance().flush_blocking(std::chrono::seconds{1}); });
}

void log_writer::post(std::string& line, bool urgent) {
  std::unique_lock<std::mutex> guard{mutex_};
  if (!queue_.empty() && queue_.size() + line.size() >= max_queued_bytes) {
    ++dropped_lines_;
    return;
  }
  queue_ += line;
  queue_ += '\n';
  ++queued_lines_;
  bool wake = idle_;
  if (urgent && !urgent_) {
    urgent_ = true;
    wake = true;
  }
  guard.unlock();
  if (wake)
    wake_.notify_one();
}

bool log_writer::flush_blocking(std::chrono::milliseconds limit) {
  std::unique_lock<std::mutex> guard{mutex_};
  if (!active_)
    return true;
  auto target = queued_lines_;
  if (written_lines_ >= target)
    return true;
  urgent_ = true;
  wake_.notify_one();
  return written_.wait_for(guard, limit,
                           [&] { return written_lines_ >= target; });
}

void log_writer::write_pending_after_crash() noexcept {
  // The writer thread runs on while this one handles the signal: let it
  // finish the batch in hand (up to 200 ms), then write what is queued.
  for (int i = 0; i < 200 && writing_.load(); ++i)
    sleep_1ms();
  for (int i = 0; i < 20; ++i) {
    if (mutex_.try_lock()) { // never blocks: the crashing thread may hold it
      if (!writing_.load())
        write_all(queue_.data(), queue_.size(), true);
      queue_.clear();
      mutex_.unlock();
      return;
    }
    sleep_1ms();
  }
}

void log_writer::run() {
  std::unique_lock<std::mutex> guard{mutex_};
  for (;;) {
    idle_ = true;
    wake_.wait(guard, [this] { return !queue_.empty(); });
    idle_ = false;
    if (!urgent_)
      wake_.wait_for(guard, coalesce, [this] { return urgent_; });
    urgent_ = false;
    batch_.swap(queue_);
    if (dropped_lines_ > 0) {
      batch_ += format_report(log_level::warning, "log",
                              std::to_string(dropped_lines_)
                                + " report line(s) dropped: stderr was not "
                                  "read fast enough");
      batch_ += '\n';
      dropped_lines_ = 0;
    }
    auto upto = queued_lines_;
    writing_ = true;
    guard.unlock();
    write_all(batch_.data(), batch_.size());
    batch_.clear();
    writing_ = false;
    guard.lock();
    written_lines_ = upto;
    written_.notify_all();
  }
}

} // namespace relc::detail
