#include "relc/release/app_index.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace relc::release {

namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t prev = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cur = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         prev + (a[i - 1] == b[j - 1] ? 0 : 1)});
      prev = cur;
    }
  }
  return row[b.size()];
}

} // namespace

app_index app_index::scan(const std::vector<std::string>& lib_dirs,
                          diagnostics& diags) {
  app_index result;
  result.lib_dirs_ = lib_dirs;
  for (size_t i = 0; i < lib_dirs.size(); ++i) {
    std::error_code ec;
    fs::directory_iterator it{lib_dirs[i], ec};
    if (ec) {
      diags.error({lib_dirs[i]}, "cannot read lib dir: " + ec.message());
      continue;
    }
    for (auto& entry : it) {
      auto dir_name = entry.path().filename().string();
      auto dash = dir_name.find('-');
      if (dash == std::string::npos || !entry.is_directory(ec))
        continue;
      auto vsn = version::parse(dir_name.substr(dash + 1));
      if (!vsn)
        continue;
      auto name = dir_name.substr(0, dash);
      result.apps_[name].push_back(
        app_location{name, *vsn, entry.path().string(), i});
    }
  }
  for (auto& [name, list] : result.apps_)
    std::stable_sort(list.begin(), list.end(), [](auto& x, auto& y) {
      if (x.vsn != y.vsn)
        return x.vsn > y.vsn;
      if (x.lib_dir_index != y.lib_dir_index)
        return x.lib_dir_index < y.lib_dir_index;
      return x.dir < y.dir; // same lib dir: deterministic, whatever readdir says
    });
  return result;
}

const app_location*
app_index::find(const std::string& name,
                const std::optional<version>& vsn) const {
  auto i = apps_.find(name);
  if (i == apps_.end())
    return nullptr;
  for (auto& x : i->second)
    if (!vsn || x.vsn == *vsn)
      return &x;
  return nullptr;
}

std::vector<const app_location*>
app_index::versions_of(const std::string& name) const {
  std::vector<const app_location*> result;
  if (auto i = apps_.find(name); i != apps_.end())
    for (auto& x : i->second)
      result.push_back(&x);
  return result;
}

std::string app_index::closest_name(const std::string& name) const {
  std::string best;
  size_t best_distance = std::max<size_t>(2, name.size() / 3) + 1;
  for (auto& [candidate, list] : apps_) {
    auto d = edit_distance(name, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

std::vector<std::string>
effective_lib_dirs(const std::vector<std::string>& cli_dirs,
                   const std::string& builtin_dir) {
  std::vector<std::string> result = cli_dirs;
  if (auto env = getenv("RELC_LIB_DIRS")) {
    std::string dirs = env;
    size_t pos = 0;
    while (pos <= dirs.size()) {
      auto end = dirs.find(':', pos);
      if (end == std::string::npos)
        end = dirs.size();
      if (end > pos)
        result.push_back(dirs.substr(pos, end - pos));
      pos = end + 1;
    }
  }
  if (!builtin_dir.empty())
    result.push_back(builtin_dir);
  return result;
}

} // namespace relc::release
