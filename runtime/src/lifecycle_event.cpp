#include "relc/runtime/lifecycle_event.hpp"

#include <caf/exit_reason.hpp>

#include "relc/runtime/runtime_error.hpp"

namespace relc {

const char* to_string(lifecycle_kind x) {
  switch (x) {
    case lifecycle_kind::loaded: return "loaded";
    case lifecycle_kind::started: return "started";
    case lifecycle_kind::start_failed: return "start_failed";
    case lifecycle_kind::phase: return "phase";
    case lifecycle_kind::stopped: return "stopped";
    case lifecycle_kind::exited: return "exited";
    case lifecycle_kind::crashed: return "crashed";
    case lifecycle_kind::call_failed: return "call_failed";
    case lifecycle_kind::node_started: return "node_started";
    case lifecycle_kind::node_stopped: return "node_stopped";
    case lifecycle_kind::node_up: return "node_up";
    case lifecycle_kind::node_down: return "node_down";
  }
  return "?";
}

std::string to_string(const lifecycle_event& x) {
  std::string result = to_string(x.kind);
  if (!x.app.empty())
    result += " " + x.app;
  if (!x.detail.empty())
    result += " " + x.detail;
  if (!x.reason.empty())
    result += ": " + x.reason;
  return result;
}

std::string exit_reason_text(const caf::error& reason) {
  if (!reason)
    return "normal";
  if (reason == caf::exit_reason::user_shutdown)
    return "shutdown";
  if (reason == caf::exit_reason::kill)
    return "kill";
  return describe_error(reason);
}

} // namespace relc
