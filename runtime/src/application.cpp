#include "relc/runtime/application.hpp"

namespace relc {

app_context::~app_context() = default;

start_reason app_context::start_type() const {
  return {};
}

application::~application() = default;

caf::error application::start_phase(app_context&, const std::string&,
                                    const term&) {
  return {};
}

void application::prep_stop(app_context&) {
  // nop: OTP's default prep_stop returns its state unchanged.
}

void application::stop(app_context&) {
  // nop
}

void application::config_change(app_context&, const term&, const term&,
                                const term&) {
  // nop: OTP's config_change is optional.
}

} // namespace relc
