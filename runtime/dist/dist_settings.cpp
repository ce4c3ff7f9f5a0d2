#include "dist_settings.hpp"

#include <cctype>
#include <algorithm>
#include <cstdlib>

#include "relc/runtime/runtime_error.hpp"

namespace relc {

bool valid_node_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || name == "." || name == "..")
    return false;
  for (char c : name)
    if (!isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-'
        && c != '.')
      return false;
  return name.front() != '.' && name.front() != '-';
}

bool parse_host_port(const std::string& text, std::string& host,
                     uint16_t& port) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    return false;
  auto digits = text.substr(colon + 1);
  for (char c : digits)
    if (!isdigit(static_cast<unsigned char>(c)))
      return false;
  auto value = strtol(digits.c_str(), nullptr, 10);
  if (digits.size() > 5 || value > 65535)
    return false;
  host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  port = static_cast<uint16_t>(value);
  return true;
}

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

caf::expected<dist_peer> parse_dist_peer(const std::string& text) {
  auto bad = [&] {
    return make_error(runtime_errc::distribution,
                      "expected NAME@HOST:PORT, found '" + text + "'");
  };
  auto at = text.find('@');
  if (at == std::string::npos)
    return bad();
  dist_peer result;
  result.name = text.substr(0, at);
  if (!valid_node_name(result.name)
      || !parse_host_port(text.substr(at + 1), result.host, result.port)
      || result.port == 0)
    return bad();
  return result;
}

namespace {

caf::error env_error(const std::string& key, const std::string& what) {
  return make_error(runtime_errc::distribution, "kernel: " + key + ": " + what);
}

caf::error read_peers(const std::string& key, const term& value,
                      std::vector<dist_peer>& out) {
  if (value.is_null())
    return {};
  if (!value.is_list())
    return env_error(key, "expected a list of NAME@HOST:PORT, found "
                            + value.to_string());
  for (auto& x : value.as_list()) {
    if (!x.is_string())
      return env_error(key, "expected NAME@HOST:PORT, found " + x.to_string());
    auto peer = parse_dist_peer(x.as_string());
    if (!peer)
      return env_error(key, describe_error(peer.error()));
    out.push_back(std::move(*peer));
  }
  return {};
}

caf::error flag_error(const std::string& what) {
  return make_error(runtime_errc::distribution, what);
}

} // namespace

caf::error parse_distributed(const term& value, std::vector<dist_app>& out) {
  if (value.is_null())
    return {};
  auto bad = [](const std::string& what) {
    return env_error("distributed", what);
  };
  if (!value.is_list())
    return bad("expected a list of {app, failover_timeout, nodes}, found "
               + value.to_string());
  for (auto& entry : value.as_list()) {
    if (!entry.is_map())
      return bad("expected {app: A, failover_timeout: MS, nodes: [...]}, "
                 "found " + entry.to_string());
    dist_app app;
    auto* name = entry.find("app");
    if (!name || !name->is_string() || name->as_string().empty())
      return bad("an entry without app: " + entry.to_string());
    app.name = name->as_string();
    if (auto* t = entry.find("failover_timeout")) {
      if (t->type() != term::kind::integer || t->as_integer() < 0)
        return bad(app.name + ": failover_timeout: expected milliseconds, "
                   "found " + t->to_string());
      app.failover_timeout = std::chrono::milliseconds{t->as_integer()};
    }
    auto* nodes = entry.find("nodes");
    if (!nodes || !nodes->is_list() || nodes->as_list().empty())
      return bad(app.name + ": expected nodes: [n1, [n2, n3]]");
    for (auto& n : nodes->as_list()) {
      std::vector<std::string> group;
      auto add = [&](const term& x) {
        if (!x.is_string() || !valid_node_name(x.as_string()))
          return false;
        group.push_back(x.as_string());
        return true;
      };
      bool ok = true;
      if (n.is_list())
        for (auto& x : n.as_list())
          ok = ok && add(x);
      else
        ok = add(n);
      if (!ok || group.empty())
        return bad(app.name + ": nodes: expected node names, found "
                   + n.to_string());
      std::sort(group.begin(), group.end());
      app.groups.push_back(std::move(group));
    }
    for (auto& other : out)
      if (other.name == app.name)
        return bad(app.name + " is listed twice");
    out.push_back(std::move(app));
  }
  return {};
}

caf::expected<dist_check> make_dist_settings(const dist_flags& flags,
                                             const std::string& name,
                                             const dist_env& env) {
  dist_check result;
  if (!flags.any() && !env.any())
    return result;
  auto& s = result.settings;
  s.name = name;
  if (flags.listen.empty()) {
    if (env.any())
      return env_error(!env.mandatory.is_null()  ? "sync_nodes_mandatory"
                       : !env.optional.is_null() ? "sync_nodes_optional"
                       : !env.timeout.is_null()  ? "sync_nodes_timeout"
                                                 : "distributed",
                       "only a distributed node syncs (--dist-listen "
                       "HOST:PORT)");
    return flag_error("--dist-cert, --dist-key, --dist-ca and "
                      "--dist-insecure need --dist-listen HOST:PORT");
  }
  if (!parse_host_port(flags.listen, s.listen_host, s.listen_port))
    return flag_error("--dist-listen: expected HOST:PORT, found '"
                      + flags.listen + "'");
  if (auto err = read_peers("sync_nodes_mandatory", env.mandatory, s.mandatory))
    return err;
  if (auto err = read_peers("sync_nodes_optional", env.optional, s.optional))
    return err;
  if (auto err = parse_distributed(env.distributed, s.apps))
    return err;
  if (!env.timeout.is_null()) {
    if (env.timeout.type() != term::kind::integer || env.timeout.as_integer() < 0)
      return env_error("sync_nodes_timeout", "expected milliseconds, found "
                                               + env.timeout.to_string());
    s.sync_timeout = std::chrono::milliseconds{env.timeout.as_integer()};
  }
  if (!env.connect_all.is_null()) {
    if (env.connect_all.type() != term::kind::boolean)
      return env_error("connect_all", "expected true or false, found "
                                        + env.connect_all.to_string());
    s.connect_all = env.connect_all.as_bool();
  }
  // One sys.config for every node of a cluster lists each node: a node
  // skips itself (as OTP does).
  for (auto* peers : {&s.mandatory, &s.optional})
    peers->erase(std::remove_if(peers->begin(), peers->end(),
                                [&](const dist_peer& p) { return p.name == name; }),
                 peers->end());
  s.insecure = flags.insecure;
  if (s.insecure) {
    if (!flags.cert.empty() || !flags.key.empty() || !flags.ca.empty())
      return flag_error("--dist-insecure: plain TCP takes no --dist-cert, "
                        "--dist-key or --dist-ca");
    if (!is_loopback_host(s.listen_host))
      return flag_error("--dist-insecure: plain TCP only on loopback, found "
                        "--dist-listen " + flags.listen);
    for (auto* peers : {&s.mandatory, &s.optional})
      for (auto& p : *peers)
        if (!is_loopback_host(p.host))
          return flag_error("--dist-insecure: plain TCP only on loopback, "
                            "found peer " + p.text());
    return result.distributed = true, result;
  }
  std::string missing;
  for (auto [flag, value] : {std::pair{"--dist-cert", &flags.cert},
                             std::pair{"--dist-key", &flags.key},
                             std::pair{"--dist-ca", &flags.ca}})
    if (value->empty())
      missing += (missing.empty() ? "" : ", ") + std::string{flag};
  if (!missing.empty())
    return flag_error("--dist-listen: TLS (the default) needs " + missing
                      + " (or --dist-insecure, loopback only)");
  s.cert = flags.cert;
  s.key = flags.key;
  s.ca = flags.ca;
  result.distributed = true;
  return result;
}

} // namespace relc
