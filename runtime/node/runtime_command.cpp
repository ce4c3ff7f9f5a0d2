#include "relc/node/runtime_command.hpp"

#include <cstdio>

#include "boot_host.hpp"
#include "heart.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "release_handler.hpp"

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

const char* releases_usage =
  "Usage: relc releases RELEASE_ROOT [unpack TARBALL | remove VSN]\n"
  "\n"
  "The release handler's disk side for a node that is not running (bin/<rel>\n"
  "versions, unpack and remove run this then): lists the releases with their\n"
  "states, unpacks a release tarball beside them, or removes one that is not\n"
  "permanent. A running node does the same through its admin socket.\n";

int run_releases(const std::vector<std::string>& rest) {
  namespace rh = release_handler;
  if (rest.empty() || (rest.size() != 1 && rest.size() != 3)) {
    fputs(releases_usage, stderr);
    return 2;
  }
  auto& root = rest[0];
  auto xs = rh::read_releases(root);
  if (!xs) {
    fprintf(stderr, "relc: %s\n", describe_error(xs.error()).c_str());
    return 1;
  }
  auto fail = [](const caf::error& err) {
    fprintf(stderr, "relc: %s\n", describe_error(err).c_str());
    return 1;
  };
  if (rest.size() == 1) {
    fputs(rh::render_versions(*xs, {}).c_str(), stdout);
    return 0;
  }
  if (rest[1] == "unpack") {
    std::string name;
    for (auto& x : *xs)
      if (x.state == rh::permanent)
        name = x.name;
    auto vsn = rh::unpack(root, name, rest[2]);
    if (!vsn)
      return fail(vsn.error());
    printf("unpacked %s\n", vsn->c_str());
    return 0;
  }
  if (rest[1] == "remove") {
    if (auto err = rh::remove(root, rest[2], {}))
      return fail(err);
    printf("removed %s\n", rest[2].c_str());
    return 0;
  }
  fputs(releases_usage, stderr);
  return 2;
}

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
  if (args[0] == "releases") {
    if (asks_for_help(rest)) {
      fputs(releases_usage, stdout);
      return 0;
    }
    return run_releases(rest);
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
         "  relc heart [--] COMMAND [ARGS...]\n"
         "  relc releases RELEASE_ROOT [unpack TARBALL | remove VSN]\n";
}

} // namespace relc
