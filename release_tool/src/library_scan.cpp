#include "relc/release/library_scan.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "relc/release/release_error.hpp"
#include "relc/runtime/sha256.hpp"

namespace fs = std::filesystem;

namespace relc::release {

namespace {

// The outcome for one app: its library, or the problem with it.
struct scan_outcome {
  std::optional<app_library> library;
  std::string problem;
};

scan_outcome scan_one(const resolved_app& app) {
  scan_outcome result;
  auto path = (fs::path{app.dir} / "lib" / *app.manifest.library).string();
  auto fail = [&](const std::string& what) {
    result.problem = "application '" + app.name() + "': " + what;
    return result;
  };
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return fail("cannot read " + path + ": " + strerror(errno));
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad())
    return fail("cannot read " + path + ": " + strerror(errno));
  auto bytes = buffer.str();
  auto elf = parse_elf(bytes);
  if (!elf)
    return fail(path + ": " + message_of(elf.error()));
  if (!elf->is_shared_object)
    return fail(path + " is not a shared library (ELF type is not DYN)");
  if (elf->machine != host_elf_machine())
    return fail(path + " is built for " + elf_machine_name(elf->machine)
                + ", expected " + elf_machine_name(host_elf_machine()));
  app_library lib;
  lib.path = path;
  lib.sha256 = relc::sha256::of(bytes);
  lib.size = bytes.size();
  lib.elf = std::move(*elf);
  result.library = std::move(lib);
  return result;
}

} // namespace

std::map<std::string, app_library> scan_libraries(const resolved_release& rel,
                                                  diagnostics& diags) {
  std::vector<const resolved_app*> apps;
  for (auto& app : rel.apps)
    if (app.manifest.library)
      apps.push_back(&app);
  host_elf_machine(); // initialise the cached value before the threads run
  // Reading and hashing are independent per app: spread them over the cores.
  std::vector<scan_outcome> outcomes(apps.size());
  auto workers = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::future<void>> tasks;
  for (unsigned w = 0; w < workers; ++w)
    tasks.push_back(std::async(std::launch::async, [&, w] {
      for (size_t i = w; i < apps.size(); i += workers)
        outcomes[i] = scan_one(*apps[i]);
    }));
  for (auto& t : tasks)
    t.get();
  std::map<std::string, app_library> result;
  for (size_t i = 0; i < apps.size(); ++i) {
    auto& app = *apps[i];
    if (outcomes[i].library) {
      result.emplace(app.name(), std::move(*outcomes[i].library));
      continue;
    }
    auto where = app.manifest.where("library");
    if (where.line == 0)
      where = {app.manifest.file};
    diags.error(where, outcomes[i].problem);
  }
  return result;
}

} // namespace relc::release
