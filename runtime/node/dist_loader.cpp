// Loads the dist plugin (dist_service.hpp) only when a node is distributed.

#include <dlfcn.h>

#include <cstring>

#include "dist_service.hpp"
#include "relc/runtime/release_layout.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "relc/runtime/version.hpp"

namespace relc {

caf::expected<std::unique_ptr<dist_service>>
load_dist_plugin(const dist_settings& settings) {
  auto soname = layout::dist_plugin_soname(RELC_RUNTIME_SONAME);
  // Beside the runtime library this process runs with, by its path: a
  // search by name would follow the RUNPATH of whoever calls dlopen, which
  // under a sanitizer is the sanitizer's library.
  std::string path = soname;
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&describe_error), &info) != 0
      && info.dli_fname && strchr(info.dli_fname, '/')
      && strstr(info.dli_fname, "librelc_runtime")) {
    std::string runtime_lib = info.dli_fname;
    path = runtime_lib.substr(0, runtime_lib.rfind('/') + 1) + soname;
  }
  // Never closed: CAF's modules and the kernel's code live in it until the
  // process ends.
  auto* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return make_error(runtime_errc::distribution,
                      "--dist-listen: cannot load the distribution plugin ("
                        + std::string{dlerror()} + ")");
  auto make = reinterpret_cast<dist_factory>(dlsym(handle, "relc_dist_make"));
  if (!make)
    return make_error(runtime_errc::distribution,
                      "--dist-listen: " + soname + " is not relc's "
                      "distribution plugin (no relc_dist_make)");
  return std::unique_ptr<dist_service>{make(&settings)};
}

} // namespace relc
