#include "node_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "relc/runtime/runtime_error.hpp"

namespace relc {

node_lock::~node_lock() {
  if (fd_ >= 0)
    close(fd_); // the lock goes with it; the file stays (no unlink races)
}

caf::error node_lock::acquire(const std::string& path) {
  fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0)
    return make_error(runtime_errc::boot_failed,
                      "cannot open " + path + ": " + strerror(errno));
  if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    auto err = errno;
    char buf[32] = {};
    auto n = pread(fd_, buf, sizeof buf - 1, 0);
    std::string pid = n > 0 ? std::string{buf, static_cast<size_t>(n)} : "";
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' '))
      pid.pop_back();
    close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK)
      return make_error(runtime_errc::name_taken,
                        "this node already runs"
                          + (pid.empty() ? std::string{} : " (pid " + pid + ")")
                          + ", holding " + path
                          + "; stop it first, or boot another --name");
    return make_error(runtime_errc::boot_failed,
                      "cannot lock " + path + ": " + strerror(err));
  }
  auto text = std::to_string(getpid()) + "\n";
  if (ftruncate(fd_, 0) == 0)
    (void) !pwrite(fd_, text.data(), text.size(), 0);
  return {};
}

} // namespace relc
