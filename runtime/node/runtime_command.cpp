#include "relc/node/runtime_command.hpp"

#include "boot_host.hpp"
#include "heart.hpp"

namespace relc {

std::optional<int> run_runtime_command(const std::vector<std::string>& args) {
  if (args.empty())
    return std::nullopt;
  std::vector<std::string> rest{args.begin() + 1, args.end()};
  if (args[0] == "boot")
    return run_boot_host(rest);
  if (args[0] == "ctl")
    return run_control_client(rest);
  if (args[0] == "heart") {
    if (!rest.empty() && rest[0] == "--")
      rest.erase(rest.begin());
    return run_heart(rest);
  }
  return std::nullopt;
}

const char* runtime_command_usage() {
  return "  relc boot RELEASE_DIR [--config FILE] [--env APP.KEY=VALUE]... "
         "[--init-debug] [--shutdown-time MS] [--name NAME]\n"
         "  relc ctl SOCKET COMMAND [ARGS...] | relc ctl SOCKET --remote\n"
         "  relc heart [--] COMMAND [ARGS...]\n";
}

} // namespace relc
