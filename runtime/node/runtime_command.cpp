#include "relc/node/runtime_command.hpp"

#include <cstdio>

#include "boot_host.hpp"
#include "heart.hpp"

namespace relc {

namespace {

bool asks_for_help(const std::vector<std::string>& rest) {
  return !rest.empty() && (rest[0] == "--help" || rest[0] == "-h");
}

const char* ctl_usage =
  "Usage: relc ctl SOCKET COMMAND [ARGS...]\n"
  "       relc ctl SOCKET --remote\n"
  "\n"
  "Sends one admin command to the node listening on SOCKET (bin/<rel> rpc\n"
  "runs this) and prints its reply; --remote reads commands line by line.\n"
  "'relc ctl SOCKET help' lists the node's commands.\n";

const char* heart_usage =
  "Usage: relc heart [--] COMMAND [ARGS...]\n"
  "\n"
  "Runs COMMAND (a node: relc boot ...) and restarts it when it dies or\n"
  "stops beating (HEART=1 in bin/<rel> start runs this). Environment:\n"
  "  HEART_BEAT_TIMEOUT    seconds without a beat before a restart (60)\n"
  "  HEART_BOOT_TIMEOUT    seconds a boot may take; 0: no limit (0)\n"
  "  HEART_COMMAND         run instead of COMMAND to restart it\n"
  "  HEART_MAX_RESTARTS    restarts allowed within HEART_RESTART_PERIOD (5)\n"
  "  HEART_RESTART_PERIOD  seconds (60)\n"
  "A clean stop of the node ends heart; a reboot is not counted.\n";

} // namespace

std::optional<int> run_runtime_command(const std::vector<std::string>& args) {
  if (args.empty())
    return std::nullopt;
  std::vector<std::string> rest{args.begin() + 1, args.end()};
  if (args[0] == "boot")
    return run_boot_host(rest);
  if (args[0] == "ctl") {
    if (asks_for_help(rest)) {
      fputs(ctl_usage, stdout);
      return 0;
    }
    return run_control_client(rest);
  }
  if (args[0] == "heart") {
    if (asks_for_help(rest)) {
      fputs(heart_usage, stdout);
      return 0;
    }
    if (!rest.empty() && rest[0] == "--")
      rest.erase(rest.begin());
    return run_heart(rest);
  }
  return std::nullopt;
}

const char* runtime_command_usage() {
  return "  relc boot RELEASE_DIR [--config FILE] [--env APP.KEY=VALUE]... "
         "[--init-debug] [--shutdown-time MS] [--name NAME] [--log-level L]\n"
         "  relc ctl SOCKET COMMAND [ARGS...] | relc ctl SOCKET --remote\n"
         "  relc heart [--] COMMAND [ARGS...]\n";
}

} // namespace relc
