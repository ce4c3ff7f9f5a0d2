#pragma once

// Lifecycle events (docs/runtime.md): what the application controller decided or
// saw, as values a program can subscribe to on every node.

#include <chrono>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/error.hpp>

namespace relc {

/// What happened.
enum class lifecycle_kind {
  loaded,       ///< the app's library and env are loaded (before boot)
  started,      ///< its start and start phases completed (`detail`: a
                ///< distributed app's `failover from N` or `takeover from N`)
  start_failed, ///< its start, a start phase, or a dependency failed
  phase,        ///< one start phase completed (`detail` names it)
  stopped,      ///< it was stopped on purpose (a stop asked for)
  exited,       ///< its top supervisor exited with reason normal
  crashed,      ///< its top supervisor exited with any other reason
  call_failed,  ///< a boot init call (`detail`: the function) failed
  node_started, ///< the boot completed (`app` is empty)
  node_stopped, ///< every app is stopped (`app` is empty)
  node_up,      ///< a node connected (`detail`: its name, `reason`: address)
  node_down,    ///< a node went away (`detail`: its name, `reason`: why)
};

const char* to_string(lifecycle_kind x);

/// One event. Exit reasons are documented values: `normal`, `shutdown` (a
/// stop asked for), `kill` (brutal kill), or the error text of a crash;
/// failures carry the error text (an exception's what()).
struct lifecycle_event {
  std::string app;
  lifecycle_kind kind = lifecycle_kind::loaded;
  std::string reason;
  /// The phase (kind phase), the function (kind call_failed), why a
  /// distributed app started here (kind started: `failover from n1`,
  /// `takeover from n2`), the node (node_up, node_down); else empty.
  std::string detail;
  /// Time since the node was created.
  std::chrono::microseconds at{0};
};

/// One line, e.g. `crashed bsc: probe crash`.
std::string to_string(const lifecycle_event& x);

/// An exit reason as events give it: `normal`, `shutdown` (a stop asked
/// for), `kill`, or the error's text.
std::string exit_reason_text(const caf::error& reason);

} // namespace relc

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(relc::lifecycle_event)
