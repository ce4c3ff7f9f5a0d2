#include "relc/runtime/runtime_error.hpp"

#include <caf/exit_reason.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace relc {

std::string describe_error(const caf::error& err) {
  if (!err)
    return "normal";
  if (err.category() == caf::atom("exit"))
    return caf::to_string(static_cast<caf::exit_reason>(err.code()));
  auto& ctx = err.context();
  if (err.category() == caf::atom("system")) {
    // Keep the context (an exception's text, a failed connect's address).
    auto name = caf::to_string(static_cast<caf::sec>(err.code()));
    if (ctx.empty())
      return name;
    if (ctx.size() == 1 && ctx.match_element<std::string>(0))
      return name + ": " + ctx.get_as<std::string>(0);
    return name + ": " + caf::to_string(ctx);
  }
  if (ctx.size() == 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return caf::to_string(err);
}

} // namespace relc
