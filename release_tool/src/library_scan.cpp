#include "relc/release/library_scan.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "relc/release/release_error.hpp"
#include "relc/runtime/sha256.hpp"

namespace fs = std::filesystem;

namespace relc::release {

std::map<std::string, app_library> scan_libraries(const resolved_release& rel,
                                                  diagnostics& diags) {
  std::map<std::string, app_library> result;
  for (auto& app : rel.apps) {
    if (!app.manifest.library)
      continue;
    auto path = (fs::path{app.dir} / "lib" / *app.manifest.library).string();
    auto where = app.manifest.where("library");
    if (where.line == 0)
      where = {app.manifest.file};
    std::ifstream in{path, std::ios::binary};
    if (!in) {
      diags.error(where, "application '" + app.name() + "': cannot read "
                           + path + ": " + strerror(errno));
      continue;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) {
      diags.error(where, "application '" + app.name() + "': cannot read "
                           + path + ": " + strerror(errno));
      continue;
    }
    auto bytes = buffer.str();
    auto elf = parse_elf(bytes);
    if (!elf) {
      diags.error(where, "application '" + app.name() + "': " + path + ": "
                           + message_of(elf.error()));
      continue;
    }
    if (!elf->is_shared_object) {
      diags.error(where, "application '" + app.name() + "': " + path
                           + " is not a shared library (ELF type is not DYN)");
      continue;
    }
    if (elf->machine != host_elf_machine()) {
      diags.error(where, "application '" + app.name() + "': " + path
                           + " is built for "
                           + elf_machine_name(elf->machine)
                           + ", expected "
                           + elf_machine_name(host_elf_machine()));
      continue;
    }
    app_library lib;
    lib.path = path;
    lib.sha256 = relc::sha256::of(bytes);
    lib.size = bytes.size();
    lib.elf = std::move(*elf);
    result.emplace(app.name(), std::move(lib));
  }
  return result;
}

} // namespace relc::release
