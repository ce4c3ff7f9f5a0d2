#include "relc/release/release_error.hpp"

#include <caf/message.hpp>

namespace relc::release {

std::string message_of(const caf::error& err) {
  auto& ctx = err.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return caf::to_string(err);
}

} // namespace relc::release
