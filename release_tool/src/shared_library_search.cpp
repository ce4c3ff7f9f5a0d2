#include "relc/release/shared_library_search.hpp"

#include <glob.h>

#include <filesystem>
#include <fstream>
#include <set>

namespace fs = std::filesystem;

namespace relc::release {

namespace {

void read_ld_conf(const std::string& path, std::vector<std::string>& dirs,
                  std::set<std::string>& seen, int depth) {
  if (depth > 8 || !seen.insert(path).second)
    return;
  std::ifstream in{path};
  std::string line;
  while (std::getline(in, line)) {
    if (auto hash = line.find('#'); hash != std::string::npos)
      line.erase(hash);
    auto b = line.find_first_not_of(" \t");
    if (b == std::string::npos)
      continue;
    line = line.substr(b, line.find_last_not_of(" \t\r") - b + 1);
    if (line.rfind("include", 0) == 0) {
      auto pattern = line.substr(7);
      pattern.erase(0, pattern.find_first_not_of(" \t"));
      if (!pattern.empty() && pattern[0] != '/')
        pattern = (fs::path{path}.parent_path() / pattern).string();
      glob_t g{};
      if (glob(pattern.c_str(), 0, nullptr, &g) == 0)
        for (size_t i = 0; i < g.gl_pathc; ++i)
          read_ld_conf(g.gl_pathv[i], dirs, seen, depth + 1);
      globfree(&g);
    } else if (line[0] == '/') {
      dirs.push_back(line);
    }
  }
}

} // namespace

const std::vector<std::string>& system_library_dirs() {
  static const std::vector<std::string> dirs = [] {
    std::vector<std::string> result;
    std::set<std::string> seen;
    read_ld_conf("/etc/ld.so.conf", result, seen, 0);
    for (auto d : {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                   "/lib64", "/usr/lib64", "/lib", "/usr/lib"})
      result.push_back(d);
    return result;
  }();
  return dirs;
}

std::optional<std::string> expand_origin(const std::string& entry,
                                         const std::string& origin_dir) {
  for (std::string token : {"$ORIGIN", "${ORIGIN}"})
    if (entry.rfind(token, 0) == 0)
      return origin_dir + entry.substr(token.size());
  return std::nullopt;
}

std::optional<std::string>
find_shared_library(const std::string& soname,
                    const std::vector<std::string>& runpath,
                    const std::string& origin_dir,
                    runpath_entries entries) {
  std::error_code ec;
  if (soname.find('/') != std::string::npos)
    return fs::exists(soname, ec) ? std::optional{soname} : std::nullopt;
  for (auto& entry : runpath) {
    auto dir = expand_origin(entry, origin_dir);
    if (!dir && entries == runpath_entries::all)
      dir = entry;
    if (!dir)
      continue;
    auto candidate = fs::path{*dir} / soname;
    if (fs::exists(candidate, ec))
      return candidate.lexically_normal().string();
  }
  for (auto& dir : system_library_dirs()) {
    auto candidate = fs::path{dir} / soname;
    if (fs::exists(candidate, ec))
      return candidate.string();
  }
  return std::nullopt;
}

} // namespace relc::release
