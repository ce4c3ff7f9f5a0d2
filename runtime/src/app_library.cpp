#include "app_library.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "relc/runtime/runtime_error.hpp"
#include "relc/runtime/sha256.hpp"

namespace relc {

namespace {

// The SHA-256 of a file, read through mmap (no copies); empty on error.
std::string digest_of(const std::string& path, std::string& error) {
  auto fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = strerror(errno);
    return {};
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    error = strerror(errno);
    close(fd);
    return {};
  }
  auto size = static_cast<size_t>(st.st_size);
  if (size == 0) {
    close(fd);
    return sha256::of("");
  }
  auto* data = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (data == MAP_FAILED) {
    error = strerror(errno);
    return {};
  }
  auto result = sha256::of({static_cast<const char*>(data), size});
  munmap(data, size);
  return result;
}

} // namespace

caf::expected<void*> load_app_library(const std::string& path,
                                      const std::string& sha256) {
  std::string error;
  auto actual = digest_of(path, error);
  if (actual.empty())
    return make_error(runtime_errc::bad_library,
                      path + ": cannot read: " + error);
  if (!sha256.empty()) {
    if (actual != sha256)
      return make_error(runtime_errc::bad_library,
                        path + ": checksum mismatch (expected sha256 "
                          + sha256.substr(0, 16) + "..., found "
                          + actual.substr(0, 16)
                          + "...): the file changed after relc build");
  }
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
