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

} // namespace relc::layout
