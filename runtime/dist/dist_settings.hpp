#pragma once

// A distributed node's settings (docs/distribution.md): its name and listen
// address, TLS files, and the peers it syncs with at boot, checked here
// (each problem one line) before anything starts. Plain data: the dist
// plugin (runtime/dist) does the networking.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "relc/runtime/term.hpp"

namespace relc {

/// 1-64 characters of [A-Za-z0-9_.-], not starting with '.' or '-'.
bool valid_node_name(const std::string& name);

/// One peer, `NAME@HOST:PORT`.
struct dist_peer {
  std::string name;
  std::string host;
  uint16_t port = 0;
  /// `NAME@HOST:PORT`
  std::string text() const {
    return name + "@" + host + ":" + std::to_string(port);
  }
};

/// `NAME@HOST:PORT`; the error says what was found.
caf::expected<dist_peer> parse_dist_peer(const std::string& text);

/// `HOST:PORT` (port 0: the system picks one).
bool parse_host_port(const std::string& text, std::string& host, uint16_t& port);

/// 127.0.0.0/8, ::1 or localhost.
bool is_loopback_host(const std::string& host);

/// The command line's and node.args' distribution flags, as given.
struct dist_flags {
  std::string listen; ///< --dist-listen HOST:PORT
  std::string cert;   ///< --dist-cert FILE
  std::string key;    ///< --dist-key FILE
  std::string ca;     ///< --dist-ca FILE
  bool insecure = false; ///< --dist-insecure
  bool any() const {
    return !listen.empty() || !cert.empty() || !key.empty() || !ca.empty()
           || insecure;
  }
};

/// One distributed application (kernel env `distributed`): where it may
/// run, in priority order; the nodes of one group are of equal priority.
struct dist_app {
  std::string name;
  std::chrono::milliseconds failover_timeout{0};
  std::vector<std::vector<std::string>> groups;
  /// The priority of `node` (0 highest), or -1 when not listed.
  int priority(const std::string& node) const {
    for (size_t i = 0; i < groups.size(); ++i)
      for (auto& n : groups[i])
        if (n == node)
          return static_cast<int>(i);
    return -1;
  }
};

struct dist_settings {
  std::string name;
  std::string listen_host;
  uint16_t listen_port = 0;
  bool insecure = false;
  std::string cert, key, ca;
  std::vector<dist_peer> mandatory; ///< kernel env sync_nodes_mandatory
  std::vector<dist_peer> optional;  ///< kernel env sync_nodes_optional
  std::chrono::milliseconds sync_timeout{0}; ///< sync_nodes_timeout
  std::vector<dist_app> apps; ///< kernel env distributed
  /// kernel env connect_all (OTP's): a node that joins any node of a
  /// cluster is connected to every node of it; false keeps to the listed.
  bool connect_all = true;
};

/// The kernel env a node syncs with, as loaded.
struct dist_env {
  term mandatory; ///< sync_nodes_mandatory
  term optional;  ///< sync_nodes_optional
  term timeout;   ///< sync_nodes_timeout
  term distributed; ///< distributed
  term connect_all; ///< connect_all (true when null)
  bool any() const {
    return !mandatory.is_null() || !optional.is_null() || !timeout.is_null()
           || !distributed.is_null();
  }
};

/// Checks the flags: a bad one is an error naming its flag. Nothing when
/// the node is not distributed (no flag, no sync env).
struct dist_check {
  bool distributed = false;
  dist_settings settings;
};
/// Kernel env `distributed`: [{app: A, failover_timeout: MS, nodes: [n1,
/// [n2, n3]]}]; the error names the entry.
caf::error parse_distributed(const term& value, std::vector<dist_app>& out);

caf::expected<dist_check> make_dist_settings(const dist_flags& flags,
                                             const std::string& name,
                                             const dist_env& env);

} // namespace relc
