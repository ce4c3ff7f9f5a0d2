#include "log_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace relc {

namespace {

uint64_t file_size(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

} // namespace

std::string log_file::open(std::string path, uint64_t max_bytes, int keep) {
  std::lock_guard<std::mutex> guard{mutex_};
  path_ = std::move(path);
  max_bytes_ = max_bytes;
  keep_ = keep < 1 ? 1 : keep;
  if (max_bytes_ > 0 && file_size(path_) > max_bytes_)
    rotate();
  auto err = redirect();
  if (!err.empty())
    path_.clear();
  return err;
}

void log_file::check() {
  std::lock_guard<std::mutex> guard{mutex_};
  if (path_.empty() || max_bytes_ == 0)
    return;
  struct stat st;
  if (fstat(STDERR_FILENO, &st) != 0
      || static_cast<uint64_t>(st.st_size) <= max_bytes_)
    return;
  fflush(stdout);
  fflush(stderr);
  rotate();
  redirect();
}

void log_file::reopen() {
  std::lock_guard<std::mutex> guard{mutex_};
  if (path_.empty())
    return;
  fflush(stdout);
  fflush(stderr);
  redirect();
}

std::string log_file::redirect() {
  auto fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
                   0640);
  if (fd < 0)
    return "cannot open log file " + path_ + ": " + strerror(errno);
  // dup2 swaps each descriptor atomically: a concurrent write lands in the
  // old file or the new one, never nowhere.
  dup2(fd, STDOUT_FILENO);
  dup2(fd, STDERR_FILENO);
  close(fd);
  return {};
}

void log_file::rotate() {
  for (int i = keep_ - 1; i >= 1; --i)
    rename((path_ + "." + std::to_string(i)).c_str(),
           (path_ + "." + std::to_string(i + 1)).c_str());
  rename(path_.c_str(), (path_ + ".1").c_str());
}

uint64_t log_max_bytes_from_env() {
  if (auto v = getenv("RELC_LOG_MAX_BYTES"); v && *v)
    return strtoull(v, nullptr, 10);
  return 10 * 1024 * 1024;
}

int log_keep_from_env() {
  if (auto v = getenv("RELC_LOG_KEEP"); v && *v)
    return atoi(v);
  return 5;
}

} // namespace relc
