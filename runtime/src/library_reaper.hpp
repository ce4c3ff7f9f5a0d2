#pragma once

// Unloading the library of an app version a release upgrade replaced
// (private to the runtime; docs/upgrades.md, "Old libraries"). An app's
// library may be unloaded only once nothing of it runs. What the runtime
// can see of it: the actors of the old version's supervision tree and the
// actors it adopted, taken just before the old version stopped. The
// library is unloaded once none of those actors exists any more (no
// reference to it left anywhere, strong or weak: CAF frees an actor's
// control block with code of the library that spawned it), and only for
// apps the node's kernel env opts in with `unload_old_libraries` (true,
// or a list of app names): an actor app code spawned outside its tree and
// never adopted is invisible here, and its code would vanish under it.

#include <memory>
#include <string>
#include <vector>

#include <caf/actor_addr.hpp>

#include "relc/runtime/application.hpp"
#include "relc/runtime/term.hpp"

namespace relc {

/// One replaced library waiting to be unloaded.
struct retired_library {
  std::string app;
  std::string vsn;
  std::string path; ///< as the boot file names it (lib/<app>-<vsn>/...)
  void* handle = nullptr;
  /// The old version's callback object: its code is the library's, so it
  /// goes first.
  std::unique_ptr<application> callback;
  /// What ran the old version's code, weakly: the old tree and adopted.
  std::vector<caf::actor_addr> actors;

  /// How many of `actors` anyone but this list still refers to.
  size_t alive() const;

  /// `library of <app> <vsn> (<path>)`, as the log names it.
  std::string what() const;
};

/// Whether the kernel env `unload` value (`unload_old_libraries`) opts
/// app `app` in: true, or a list that names it.
bool unload_opted_in(const term& unload, const std::string& app);

/// The replaced libraries not yet unloaded.
class library_reaper {
public:
  void add(retired_library lib);

  /// Takes out every library none of whose actors exists any more.
  std::vector<retired_library> take_free();

  /// Libraries still waiting, one log line each (`library of pa 1.0
  /// (lib/pa-1.0/lib/libpa.so) stays loaded: 3 actor(s) of it still
  /// referred to`).
  std::vector<std::string> pinned() const;

  bool empty() const { return libs_.empty(); }

private:
  std::vector<retired_library> libs_;
};

/// Destroys the callback object, then closes the library (its static
/// destructors run: app code). Blocks: call it on a master.
caf::error unload_library(retired_library& lib);

} // namespace relc
