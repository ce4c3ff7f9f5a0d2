#include "boot_counter.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace relc {

int boot_counter::read() const {
  std::ifstream in{path_};
  int n = 0;
  if (in >> n && n > 0)
    return n;
  return 0;
}

bool boot_counter::write(int n) const {
  std::error_code ec;
  fs::create_directories(fs::path{path_}.parent_path(), ec);
  auto tmp = path_ + ".tmp";
  auto fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return false;
  auto text = std::to_string(n) + "\n";
  bool ok = ::write(fd, text.data(), text.size())
            == static_cast<ssize_t>(text.size());
  // The count must survive a power cut in the middle of a boot loop.
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  return ok && std::rename(tmp.c_str(), path_.c_str()) == 0;
}

} // namespace relc
