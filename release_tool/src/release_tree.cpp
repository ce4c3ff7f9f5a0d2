#include "relc/release/release_tree.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "relc/release/release_error.hpp"

namespace fs = std::filesystem;

namespace relc::release {

namespace {

caf::error escape(const std::string& path, const std::string& why) {
  return make_error(release_errc::bad_input,
                    "path '" + path + "' " + why
                      + ": nothing may be written outside the release root");
}

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= path.size()) {
    auto end = path.find('/', pos);
    if (end == std::string::npos)
      end = path.size();
    parts.push_back(path.substr(pos, end - pos));
    pos = end + 1;
  }
  return parts;
}

} // namespace

caf::error release_tree::validate_path(const std::string& path) {
  if (path.empty())
    return escape(path, "is empty");
  if (path[0] == '/')
    return escape(path, "is absolute");
  for (auto& part : split(path)) {
    if (part == "..")
      return escape(path, "contains '..'");
    if (part.empty() || part == ".")
      return make_error(release_errc::bad_input,
                        "path '" + path
                          + "' has an empty or '.' component; write it plainly");
  }
  return {};
}

caf::error release_tree::make_parents(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos)
    return {};
  auto parent = path.substr(0, slash);
  auto i = entries_.find(parent);
  if (i != entries_.end()) {
    if (i->second.type == tree_entry::kind::symlink)
      return escape(path, "goes through the symlink '" + parent + "'");
    if (i->second.type != tree_entry::kind::directory)
      return make_error(release_errc::bad_input,
                        "path '" + path + "': '" + parent
                          + "' is a file, not a directory");
    return {};
  }
  if (auto err = make_parents(parent))
    return err;
  tree_entry dir;
  dir.type = tree_entry::kind::directory;
  dir.mode = 0755;
  entries_.emplace(parent, std::move(dir));
  return {};
}

caf::error release_tree::add(const std::string& path, tree_entry entry) {
  if (auto err = validate_path(path))
    return err;
  if (auto err = make_parents(path))
    return err;
  auto i = entries_.find(path);
  if (i != entries_.end() && i->second.type == tree_entry::kind::directory
      && entry.type != tree_entry::kind::directory)
    return make_error(release_errc::bad_input,
                      "path '" + path + "' is a directory in the release");
  if (i != entries_.end() && entry.type == tree_entry::kind::directory)
    return {}; // an existing directory stays
  entries_[path] = std::move(entry);
  return {};
}

caf::error release_tree::add_file(const std::string& path,
                                  const std::string& source, uint32_t mode) {
  // Only regular files: a FIFO or a device would hang or flood the build.
  // (A source that is gone fails when the release is written.)
  std::error_code ec;
  auto st = fs::status(source, ec);
  if (!ec && !fs::is_regular_file(st))
    return make_error(release_errc::bad_input,
                      source + ": expected a regular file, found "
                        + (fs::is_directory(st)
                             ? std::string{"a directory"}
                             : std::string{"a special file (FIFO, socket or device)"}));
  tree_entry entry;
  entry.source = source;
  entry.mode = mode;
  return add(path, std::move(entry));
}

caf::error release_tree::add_content(const std::string& path,
                                     std::string content, uint32_t mode) {
  tree_entry entry;
  entry.content = std::make_shared<const std::string>(std::move(content));
  entry.mode = mode;
  return add(path, std::move(entry));
}

caf::error release_tree::add_symlink(const std::string& path,
                                     const std::string& target) {
  if (target.empty() || target[0] == '/')
    return escape(path, "is a symlink to the absolute path '" + target + "'");
  // Resolve the target against the link's directory, lexically.
  auto parts = split(path);
  parts.pop_back();
  for (auto& part : split(target)) {
    if (part.empty() || part == ".")
      continue;
    if (part == "..") {
      if (parts.empty())
        return escape(path, "is a symlink to '" + target
                              + "', which points outside the release");
      parts.pop_back();
    } else {
      parts.push_back(part);
    }
  }
  tree_entry entry;
  entry.type = tree_entry::kind::symlink;
  entry.mode = 0777;
  entry.link_target = target;
  return add(path, std::move(entry));
}

caf::error release_tree::check_links() const {
  // Resolves each link as the kernel would, through the tree's other links
  // (`a -> ..` then `b -> a/..` leaves the root although each looks fine).
  for (auto& [path, entry] : entries_) {
    if (entry.type != tree_entry::kind::symlink)
      continue;
    auto parts = split(path);
    parts.pop_back();
    std::vector<std::string> todo;
    auto push_target = [&todo](const std::string& target) {
      auto xs = split(target);
      todo.insert(todo.begin(), xs.begin(), xs.end());
    };
    push_target(entry.link_target);
    int hops = 0;
    while (!todo.empty()) {
      auto part = todo.front();
      todo.erase(todo.begin());
      if (part.empty() || part == ".")
        continue;
      if (part == "..") {
        if (parts.empty())
          return escape(path, "is a symlink to '" + entry.link_target
                                + "', which resolves outside the release");
        parts.pop_back();
        continue;
      }
      parts.push_back(part);
      std::string prefix;
      for (auto& x : parts)
        prefix += (prefix.empty() ? "" : "/") + x;
      auto i = entries_.find(prefix);
      if (i == entries_.end() || i->second.type != tree_entry::kind::symlink)
        continue;
      if (++hops > 40)
        return make_error(release_errc::bad_input,
                          "path '" + path + "': a loop of symlinks");
      parts.pop_back();
      push_target(i->second.link_target);
    }
  }
  return {};
}

caf::error release_tree::add_directory_copy(const std::string& path,
                                            const std::string& source) {
  std::error_code ec;
  std::vector<fs::path> children;
  for (fs::directory_iterator it{source, ec}, end; !ec && it != end;
       it.increment(ec))
    children.push_back(it->path());
  if (ec)
    return make_error(release_errc::bad_input,
                      "cannot read directory " + source + ": " + ec.message());
  std::sort(children.begin(), children.end());
  tree_entry dir;
  dir.type = tree_entry::kind::directory;
  dir.mode = 0755;
  if (auto err = add(path, std::move(dir)))
    return err;
  for (auto& child : children) {
    auto dest = path + "/" + child.filename().string();
    auto status = fs::symlink_status(child, ec);
    if (ec)
      return make_error(release_errc::bad_input,
                        "cannot stat " + child.string() + ": " + ec.message());
    caf::error err;
    if (fs::is_symlink(status)) {
      err = add_symlink(dest, fs::read_symlink(child, ec).string());
      if (err)
        return make_error(release_errc::bad_input,
                          child.string() + ": " + message_of(err));
    } else if (fs::is_directory(status)) {
      err = add_directory_copy(dest, child.string());
    } else if (fs::is_regular_file(status)) {
      auto perms = status.permissions();
      bool exec = (perms & fs::perms::owner_exec) != fs::perms::none;
      err = add_file(dest, child.string(), exec ? 0755 : 0644);
    } else {
      return make_error(release_errc::bad_input,
                        child.string()
                          + " is neither a file, a directory nor a symlink");
    }
    if (err)
      return err;
  }
  return {};
}

} // namespace relc::release
