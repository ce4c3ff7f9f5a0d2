#pragma once

// Shoehorn-style boot control (docs/runtime.md): the handler an application library
// exports to decide what happens when an application of a `boot:` release
// starts, fails to start, stops or crashes, and the functions a boot `init`
// entry calls.

#include <string>

#include <caf/error.hpp>

#include "relc/runtime/application.hpp"
#include "relc/runtime/term.hpp"

namespace relc {

/// What happened to an application (or an init call) of a `boot:` release.
enum class app_event_type {
  started,      ///< its start and start phases completed
  start_failed, ///< its start (or a start phase, or a dependency) failed
  stopped,      ///< it was stopped on purpose (admin `stop_app`, API)
  exited,       ///< its top supervisor exited normally on its own
  crashed,      ///< its top supervisor exited abnormally
  call_failed,  ///< a boot init call returned an error
};

const char* to_string(app_event_type x);

/// One event as the handler receives it.
struct app_event {
  app_event_type type = app_event_type::started;
  /// The application (for call_failed: the app whose library was called).
  std::string app;
  /// For call_failed: the function called; empty otherwise.
  std::string function;
  /// Why it failed or exited; empty for `started` and a normal exit.
  std::string reason;
  /// How often the handler's `restart` verdict has been carried out for
  /// this app within the restart window.
  int recent_restarts = 0;
};

/// The handler's answer (shoehorn: :continue, :restart, :halt).
enum class boot_verdict {
  continue_boot, ///< leave it as it is
  restart,       ///< start the app again (or repeat the call)
  halt,          ///< stop every app and end the node with exit status 1
};

const char* to_string(boot_verdict x);

/// A boot handler. The node calls `handle` on an application master (a
/// thread off CAF's schedulers), one event at a time, in the order the
/// events happened; an answer must come within the release's
/// `shutdown_timer` ms, or the node halts.
class boot_handler {
public:
  virtual ~boot_handler();

  /// Called once before the first event with the spec's `handler.args`.
  virtual void init(const term& args);

  virtual boot_verdict handle(const app_event& event) = 0;
};

/// Signature of the exported function that creates the handler.
using boot_handler_factory = boot_handler* (*)();

/// Signature of a function a boot `init` entry calls
/// (`{call: APP.FUNCTION, args: ...}`); `ctx` is APP's context.
using boot_call_function = caf::error (*)(app_context& ctx, const term& args);

} // namespace relc

/// Exports `CLASS` (derived from relc::boot_handler) as boot handler `NAME`;
/// the release spec says `boot: {handler: {module: NAME}}`.
#define RELC_BOOT_HANDLER(NAME, CLASS)                                         \
  RELC_EXPORT ::relc::boot_handler* relc_boot_handler__##NAME() {              \
    return new CLASS;                                                          \
  }

/// Exports `FN(app_context&, const relc::term&) -> caf::error` as function
/// `NAME` for boot init entries `{call: APP.NAME, args: ...}`.
#define RELC_BOOT_CALL(NAME, FN)                                               \
  RELC_EXPORT ::caf::error relc_call__##NAME(::relc::app_context& ctx,         \
                                             const ::relc::term& args) {       \
    return FN(ctx, args);                                                      \
  }
