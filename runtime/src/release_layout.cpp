#include "relc/runtime/release_layout.hpp"

#include <fstream>
#include <sstream>

namespace relc::layout {

std::string start_data() {
  return "releases/start.data";
}

std::string releases_file() {
  return "releases/RELEASES";
}

std::string release_dir(const std::string& vsn) {
  return "releases/" + vsn;
}

std::string boot_file(const std::string& vsn, const std::string& rel) {
  return release_dir(vsn) + "/" + rel + boot_extension;
}

std::string script_file(const std::string& vsn, const std::string& rel) {
  return release_dir(vsn) + "/" + rel + ".script";
}

std::string spec_file(const std::string& vsn, const std::string& rel) {
  return release_dir(vsn) + "/" + rel + ".rel";
}

std::string sys_config(const std::string& vsn) {
  return release_dir(vsn) + "/sys.config";
}

std::string node_args(const std::string& vsn) {
  return release_dir(vsn) + "/node.args";
}

std::string relup_file(const std::string& vsn) {
  return release_dir(vsn) + "/relup";
}

std::string runtime_dir(const std::string& runtime_vsn) {
  return "runtime-" + runtime_vsn;
}

std::string runtime_lib_dir(const std::string& runtime_vsn) {
  return runtime_dir(runtime_vsn) + "/lib";
}

std::string runtime_executable(const std::string& runtime_vsn) {
  return runtime_dir(runtime_vsn) + "/bin/relc";
}

std::string dist_plugin_soname(const std::string& runtime_soname) {
  static const std::string runtime_prefix = "librelc_runtime.so.";
  if (runtime_soname.rfind(runtime_prefix, 0) != 0)
    return {};
  return "librelc_dist.so." + runtime_soname.substr(runtime_prefix.size());
}

std::string app_dir(const std::string& app, const std::string& vsn) {
  return "lib/" + app + "-" + vsn;
}

std::string start_data_text(const std::string& runtime_vsn,
                            const std::string& release_vsn) {
  return runtime_vsn + " " + release_vsn + "\n";
}

std::optional<start_data_entry> parse_start_data(const std::string& text) {
  std::istringstream in{text};
  start_data_entry result;
  std::string extra;
  if (!(in >> result.runtime_vsn >> result.release_vsn) || (in >> extra))
    return std::nullopt;
  return result;
}

std::optional<start_data_entry> read_start_data(const std::string& root) {
  std::ifstream in{root + "/" + start_data()};
  if (!in)
    return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_start_data(buffer.str());
}

std::string releases_text(const std::vector<release_row>& xs) {
  std::string text = "# releases of this node and their state "
                     "(unpacked, current, permanent, old)\n";
  for (auto& x : xs) {
    std::string apps;
    for (auto& a : x.apps)
      apps += (apps.empty() ? "" : ", ") + a;
    text += "- name: " + x.name + "\n  vsn: \"" + x.vsn + "\"\n  runtime: \""
            + x.runtime + "\"\n  state: " + x.state + "\n  apps: [" + apps
            + "]\n";
  }
  return text;
}

std::optional<std::vector<std::pair<std::string, std::string>>>
scan_release_states(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);)
    lines.push_back(std::move(line));
  size_t i = 0;
  while (i < lines.size() && !lines[i].empty() && lines[i][0] == '#')
    ++i;
  if (i == lines.size() || (lines.size() - i) % 5 != 0)
    return std::nullopt;
  // The value after `prefix` on line `k`, or nothing.
  auto field = [&](size_t k, const char* prefix) -> std::optional<std::string> {
    auto n = std::char_traits<char>::length(prefix);
    if (lines[k].compare(0, n, prefix) != 0)
      return std::nullopt;
    return lines[k].substr(n);
  };
  std::vector<std::pair<std::string, std::string>> result;
  for (; i < lines.size(); i += 5) {
    auto name = field(i, "- name: ");
    auto vsn = field(i + 1, "  vsn: \"");
    auto runtime = field(i + 2, "  runtime: ");
    auto state = field(i + 3, "  state: ");
    auto apps = field(i + 4, "  apps: [");
    if (!name || !vsn || !runtime || !state || !apps || vsn->empty()
        || vsn->back() != '"' || apps->empty() || apps->back() != ']')
      return std::nullopt;
    vsn->pop_back();
    // A vsn in double quotes without escapes reads as YAML reads it.
    if (vsn->empty() || vsn->find_first_of("\\\"") != std::string::npos)
      return std::nullopt;
    if (*state != release_state::unpacked && *state != release_state::current
        && *state != release_state::permanent && *state != release_state::old)
      return std::nullopt;
    result.emplace_back(std::move(*vsn), std::move(*state));
  }
  return result;
}

} // namespace relc::layout
