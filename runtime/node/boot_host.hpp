#pragma once

#include <string>
#include <vector>

namespace relc {

/// Runs `boot RELEASE_DIR [--config FILE] [--env APP.KEY=VALUE]...
/// [--init-debug] [--shutdown-time MS] [CAF options]` as a process host:
/// its own actor system, SIGTERM/SIGINT stop the node, flags from the
/// release's node.args come first (the command line wins). Returns the exit
/// status: 0 stopped on request, 1 boot failure or an app ended the node,
/// 2 a wrong command line.
int run_boot_host(const std::vector<std::string>& args);

/// `ctl SOCKET COMMAND [ARGS...]`: one request to a node's control socket;
/// prints the reply's payload. Exit 0 on `ok`, 1 on an error or no node.
int run_control_client(const std::vector<std::string>& args);

} // namespace relc
