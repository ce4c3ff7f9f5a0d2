#include "app_library.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "relc/runtime/runtime_error.hpp"
#include "relc/runtime/sha256.hpp"

namespace relc {

namespace {

// The SHA-256 of a file, read in chunks: unlike mmap/munmap, read() changes
// no mappings, so hashing on several threads costs no TLB shootdowns.
// Empty on error.
std::string digest_of(const std::string& path, std::string& error) {
  auto fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = strerror(errno);
    return {};
  }
  thread_local std::vector<char> buffer(256 * 1024);
  sha256 hash;
  for (;;) {
    auto n = read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      error = strerror(errno);
      close(fd);
      return {};
    }
    if (n == 0)
      break;
    hash.update({buffer.data(), static_cast<size_t>(n)});
  }
  close(fd);
  return hash.hex_digest();
}

} // namespace

caf::error verify_app_library(const std::string& path,
                              const std::string& sha256) {
  std::string error;
  auto actual = digest_of(path, error);
  if (actual.empty())
    return make_error(runtime_errc::bad_library,
                      path + ": cannot read: " + error);
  if (!sha256.empty() && actual != sha256)
    return make_error(runtime_errc::bad_library,
                      path + ": checksum mismatch (expected sha256 "
                        + sha256.substr(0, 16) + "..., found "
                        + actual.substr(0, 16)
                        + "...): the file changed after relc build");
  return {};
}

caf::expected<void*> open_app_library(const std::string& path) {
  auto handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    auto* why = dlerror();
    return make_error(runtime_errc::bad_library,
                      std::string{why ? why : "dlopen failed"});
  }
  return handle;
}

void* find_symbol(void* library, const std::string& symbol) {
  return dlsym(library, symbol.c_str());
}

} // namespace relc
