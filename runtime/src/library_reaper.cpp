#include "library_reaper.hpp"

#include <dlfcn.h>
#include <link.h>

#include <algorithm>

#include <caf/actor_cast.hpp>
#include <caf/actor_control_block.hpp>

#include "relc/runtime/runtime_error.hpp"

namespace relc {

size_t retired_library::alive() const {
  size_t n = 0;
  for (auto& a : actors) {
    // An actor spawned by the library's code has its control block's
    // destructors in the library (CAF's actor_storage<T>, instantiated
    // there): the block must be freed before the library goes, so an
    // actor counts until no one but this list refers to it, strongly or
    // weakly (an actor_addr kept anywhere, a monitor, a link).
    auto* block = caf::actor_cast<caf::actor_control_block*>(a);
    if (block
        && (block->strong_refs.load(std::memory_order_acquire) > 0
            || block->weak_refs.load(std::memory_order_acquire) > 1))
      ++n;
  }
  return n;
}

std::string retired_library::what() const {
  return "library of " + app + " " + vsn + " (" + path + ")";
}

namespace {

// Whether `a` was spawned by code of the library `handle`: CAF's
// actor_storage<T> puts the block's destructors where make_actor was
// instantiated. Unknown counts as yes.
bool spawned_by(const caf::actor_addr& a, void* handle) {
  auto* block = caf::actor_cast<caf::actor_control_block*>(a);
  if (!block)
    return false;
  link_map* lib = nullptr;
  if (::dlinfo(handle, RTLD_DI_LINKMAP, &lib) != 0 || !lib)
    return true;
  Dl_info info;
  link_map* owner = nullptr;
  if (::dladdr1(reinterpret_cast<void*>(block->block_dtor), &info,
                reinterpret_cast<void**>(&owner), RTLD_DL_LINKMAP)
        == 0
      || !owner)
    return true;
  return owner == lib;
}

} // namespace

bool unload_opted_in(const term& unload, const std::string& app) {
  if (unload.type() == term::kind::boolean)
    return unload.as_bool();
  if (unload.is_list())
    for (auto& x : unload.as_list())
      if (x.is_string() && x.as_string() == app)
        return true;
  return false;
}

void library_reaper::add(retired_library lib) {
  // The others (supervisors relc spawned, say) ran the library's code only
  // while they lived, and the old version has stopped: its callbacks
  // returned, its tree and adopted actors are down.
  auto& xs = lib.actors;
  xs.erase(std::remove_if(xs.begin(), xs.end(),
                          [&](const caf::actor_addr& a) {
                            return !spawned_by(a, lib.handle);
                          }),
           xs.end());
  libs_.push_back(std::move(lib));
}

std::vector<retired_library> library_reaper::take_free() {
  std::vector<retired_library> result;
  auto i = std::stable_partition(libs_.begin(), libs_.end(),
                                 [](const retired_library& x) {
                                   return x.alive() > 0;
                                 });
  for (auto j = i; j != libs_.end(); ++j) {
    // Ours are the last references: the blocks go now, while their code is
    // still loaded.
    j->actors.clear();
    result.push_back(std::move(*j));
  }
  libs_.erase(i, libs_.end());
  return result;
}

std::vector<std::string> library_reaper::pinned() const {
  std::vector<std::string> result;
  for (auto& x : libs_)
    result.push_back(x.what() + " stays loaded: " + std::to_string(x.alive())
                     + " actor(s) of it still referred to");
  return result;
}

caf::error unload_library(retired_library& lib) {
  lib.callback.reset();
  if (lib.handle && ::dlclose(lib.handle) != 0) {
    auto* why = ::dlerror();
    return make_error(runtime_errc::release_handling,
                      lib.path + ": dlclose: " + (why ? why : "failed"));
  }
  lib.handle = nullptr;
  return {};
}

} // namespace relc
