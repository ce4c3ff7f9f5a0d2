#include "relc/release/runtime_bundle.hpp"

#include <filesystem>

#include "file_bytes.hpp"
#include "relc/release/elf_file.hpp"
#include "relc/release/release_error.hpp"
#include "relc/release/shared_library_search.hpp"
#include "relc/release/version.hpp"
#include "relc/runtime/release_layout.hpp"

namespace fs = std::filesystem;

namespace relc::release {

bool is_base_system_library(const std::string& soname) {
  static const std::set<std::string> base = {
    "libc.so.6",       "libm.so.6",         "libpthread.so.0",
    "libdl.so.2",      "librt.so.1",        "ld-linux-x86-64.so.2",
    "libstdc++.so.6",  "libgcc_s.so.1",     "ld-linux-aarch64.so.1",
    "libutil.so.1",    "libresolv.so.2",
  };
  return base.count(soname) > 0;
}

namespace {

caf::expected<std::string> read_bytes(const std::string& path) {
  auto bytes = read_file_bytes(path);
  if (!bytes)
    return make_error(release_errc::bad_input, "cannot read " + path);
  return std::move(*bytes);
}

// The file's bytes and what its ELF headers say; errors name the file.
struct elf_file {
  std::string bytes;
  elf_info info;
};

caf::expected<elf_file> load_elf(const std::string& path) {
  auto bytes = read_bytes(path);
  if (!bytes)
    return bytes.error();
  auto info = parse_elf(*bytes);
  if (!info)
    return make_error(release_errc::bad_input,
                      path + ": " + message_of(info.error()));
  return elf_file{std::move(*bytes), std::move(*info)};
}

caf::expected<elf_info> read_elf(const std::string& path) {
  auto file = load_elf(path);
  if (!file)
    return file.error();
  return std::move(file->info);
}

} // namespace

std::string bundled_executable_runpath(const std::string& runtime_vsn) {
  return "$ORIGIN/../" + layout::runtime_lib_dir(runtime_vsn);
}

std::string runtime_executable_runpath() {
  return "$ORIGIN/../lib";
}

caf::expected<std::string> relocated_copy(const std::string& path,
                                          const std::string& runpath) {
  auto file = load_elf(path);
  if (!file)
    return file.error();
  auto& info = file->info;
  if (info.runpath_text == runpath
      || (info.runpath_offset == 0 && runpath == "$ORIGIN"))
    return std::move(file->bytes);
  if (auto err = rewrite_runpath(file->bytes, info, runpath))
    return make_error(release_errc::bad_input,
                      path + ": " + message_of(err));
  return std::move(file->bytes);
}

caf::expected<std::string> read_runtime_version(const std::string& path) {
  auto info = read_elf(path);
  if (!info)
    return info.error();
  if (info->relc_runtime.empty() || !version::parse(info->relc_runtime))
    return make_error(release_errc::bad_input,
                      path + ": not a relc node executable (expected a "
                             ".relc_runtime section holding its version)");
  return info->relc_runtime;
}

caf::expected<runtime_bundle> find_runtime_bundle(const std::string& exe) {
  runtime_bundle result;
  result.executable = exe;
  auto info = read_elf(exe);
  if (!info)
    return info.error();
  result.version = info->relc_runtime;
  std::vector<std::pair<std::string, elf_info>> queue{{exe, *info}};
  for (size_t i = 0; i < queue.size(); ++i) {
    auto [path, elf] = queue[i];
    auto origin = fs::path{path}.parent_path().string();
    for (auto& soname : elf.needed) {
      if (!result.provided.insert(soname).second)
        continue;
      if (is_base_system_library(soname))
        continue;
      auto found = find_shared_library(soname, elf.runpath, origin,
                                       runpath_entries::all);
      if (!found)
        return make_error(release_errc::bad_input,
                          "the runtime " + exe + " needs " + soname
                            + ", which is not on this machine");
      auto dep = read_elf(*found);
      if (!dep)
        return dep.error();
      result.libraries.push_back({soname, *found});
      queue.emplace_back(*found, std::move(*dep));
      // The dist plugin rides along with its runtime library when it was
      // built: a node loads it only when it is distributed, so nothing
      // names it in DT_NEEDED.
      auto plugin = layout::dist_plugin_soname(soname);
      auto plugin_path = (fs::path{*found}.parent_path() / plugin).string();
      if (!plugin.empty() && fs::exists(plugin_path)
          && result.provided.insert(plugin).second) {
        auto pdep = read_elf(plugin_path);
        if (!pdep)
          return pdep.error();
        result.libraries.push_back({plugin, plugin_path});
        queue.emplace_back(plugin_path, std::move(*pdep));
      }
    }
  }
  return result;
}

} // namespace relc::release
