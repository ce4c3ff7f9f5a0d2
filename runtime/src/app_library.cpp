#include "app_library.hpp"

#include <dlfcn.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "relc/runtime/runtime_error.hpp"
#include "relc/runtime/sha256.hpp"

namespace relc {

caf::expected<void*> load_app_library(const std::string& path,
                                      const std::string& sha256) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return make_error(runtime_errc::bad_library,
                      path + ": cannot read: " + strerror(errno));
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto bytes = buffer.str();
  if (!sha256.empty()) {
    auto actual = sha256::of(bytes);
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
