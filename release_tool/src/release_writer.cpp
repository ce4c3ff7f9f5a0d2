#include "relc/release/release_writer.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "relc/release/archiver.hpp"
#include "relc/release/release_error.hpp"

namespace fs = std::filesystem;

namespace relc::release {

namespace {

constexpr char temp_marker[] = ".building-";

caf::error io_error(const std::string& what, const std::string& path,
                    const std::string& why) {
  return make_error(release_errc::write_failed,
                    "cannot " + what + " " + path + ": " + why);
}

bool is_cancelled(const std::atomic<bool>* cancelled) {
  return cancelled && cancelled->load();
}

// Removes `.<name>.building-<pid>` leftovers of builds whose process is gone.
void remove_stale_temporaries(const std::string& out_dir) {
  std::error_code ec;
  for (fs::directory_iterator it{out_dir, ec}, end; !ec && it != end;
       it.increment(ec)) {
    auto name = it->path().filename().string();
    auto pos = name.rfind(temp_marker);
    if (name.empty() || name[0] != '.' || pos == std::string::npos)
      continue;
    auto pid = atoi(name.c_str() + pos + sizeof(temp_marker) - 1);
    if (pid > 0 && kill(pid, 0) != 0 && errno == ESRCH) {
      std::error_code ignored;
      fs::remove_all(it->path(), ignored);
    }
  }
}

// Removes a temporary path unless released (the build succeeded).
class temporary_path {
public:
  explicit temporary_path(std::string path) : path_(std::move(path)) {}
  ~temporary_path() {
    if (!path_.empty()) {
      std::error_code ignored;
      fs::remove_all(path_, ignored);
    }
  }
  const std::string& path() const { return path_; }
  void release() { path_.clear(); }

private:
  std::string path_;
};

} // namespace

caf::error write_tree(const release_tree& tree, const std::string& dir,
                      const std::atomic<bool>* cancelled) {
  if (mkdir(dir.c_str(), 0755) != 0)
    return io_error("create", dir, strerror(errno));
  for (auto& [name, entry] : tree.entries()) {
    if (is_cancelled(cancelled))
      return make_error(release_errc::write_failed, "build interrupted");
    auto path = dir + "/" + name;
    switch (entry.type) {
      case tree_entry::kind::directory:
        if (mkdir(path.c_str(), entry.mode) != 0)
          return io_error("create", path, strerror(errno));
        break;
      case tree_entry::kind::symlink:
        if (symlink(entry.link_target.c_str(), path.c_str()) != 0)
          return io_error("create symlink", path, strerror(errno));
        break;
      case tree_entry::kind::file: {
        if (entry.content) {
          auto fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                         entry.mode);
          if (fd < 0)
            return io_error("create", path, strerror(errno));
          auto& data = *entry.content;
          size_t done = 0;
          while (done < data.size()) {
            auto n = write(fd, data.data() + done, data.size() - done);
            if (n < 0 && errno == EINTR)
              continue;
            if (n < 0) {
              auto err = errno;
              close(fd);
              return io_error("write", path, strerror(err));
            }
            done += static_cast<size_t>(n);
          }
          if (close(fd) != 0)
            return io_error("write", path, strerror(errno));
        } else {
          std::error_code ec;
          fs::copy_file(entry.source, path, ec);
          if (ec)
            return io_error("copy " + entry.source + " to", path,
                            ec.message());
        }
        // Modes come from the plan, not from the umask or the source.
        if (chmod(path.c_str(), entry.mode) != 0)
          return io_error("chmod", path, strerror(errno));
        break;
      }
    }
  }
  return {};
}

namespace {

// What nodes write under a release root while they run.
constexpr const char* node_state_dirs[] = {"run", "log", "var"};

// The release handler's lock file (releases/.lock), made at a node's boot.
constexpr const char* handler_lock = "releases/.lock";

// The nodes that hold their lock (run/<name>.lock, flock) in `run_dir`.
std::vector<std::string> running_nodes(const std::string& run_dir) {
  std::vector<std::string> result;
  std::error_code ec;
  for (fs::directory_iterator it{run_dir, ec}, end; !ec && it != end;
       it.increment(ec)) {
    if (it->path().extension() != ".lock")
      continue;
    int fd = open(it->path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      continue;
    if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
      char buf[32] = {};
      auto n = pread(fd, buf, sizeof buf - 1, 0);
      std::string pid = n > 0 ? std::string{buf, static_cast<size_t>(n)} : "";
      while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' '))
        pid.pop_back();
      result.push_back("node " + it->path().stem().string()
                       + (pid.empty() ? "" : " (pid " + pid + ")"));
    }
    close(fd);
  }
  std::sort(result.begin(), result.end());
  return result;
}

// True when files `a` and `b` hold the same bytes.
bool same_bytes(const std::string& a, const std::string& b) {
  std::ifstream x{a, std::ios::binary}, y{b, std::ios::binary};
  if (!x || !y)
    return false;
  char bx[65536], by[65536];
  for (;;) {
    x.read(bx, sizeof bx);
    y.read(by, sizeof by);
    if (x.gcount() != y.gcount()
        || std::memcmp(bx, by, static_cast<size_t>(x.gcount())) != 0)
      return false;
    if (!x || !y)
      return !x && !y;
  }
}

// True when `dir` holds exactly `tree` (what nodes write there aside):
// the paths, their kinds, modes, contents and link targets. relc build
// then writes nothing, as make and ninja leave an up-to-date target alone.
bool tree_on_disk(const release_tree& tree, const std::string& dir) {
  std::error_code ec;
  size_t seen = 0;
  for (fs::recursive_directory_iterator it{dir, ec}, end; !ec && it != end;
       it.increment(ec)) {
    auto rel = it->path().lexically_relative(dir).generic_string();
    if (it.depth() == 0
        && std::find(std::begin(node_state_dirs), std::end(node_state_dirs),
                     rel)
             != std::end(node_state_dirs)) {
      it.disable_recursion_pending();
      continue;
    }
    if (rel == handler_lock)
      continue;
    auto found = tree.entries().find(rel);
    if (found == tree.entries().end())
      return false;
    ++seen;
    auto& entry = found->second;
    struct stat st {};
    if (lstat(it->path().c_str(), &st) != 0)
      return false;
    switch (entry.type) {
      case tree_entry::kind::directory:
        if (!S_ISDIR(st.st_mode))
          return false;
        break;
      case tree_entry::kind::symlink: {
        if (!S_ISLNK(st.st_mode))
          return false;
        auto target = fs::read_symlink(it->path(), ec);
        if (ec || target.string() != entry.link_target)
          return false;
        break;
      }
      case tree_entry::kind::file: {
        if (!S_ISREG(st.st_mode) || (st.st_mode & 07777) != entry.mode)
          return false;
        if (entry.content) {
          if (static_cast<size_t>(st.st_size) != entry.content->size())
            return false;
          std::ifstream in{it->path(), std::ios::binary};
          std::string text(entry.content->size(), '\0');
          in.read(text.data(), static_cast<std::streamsize>(text.size()));
          if (!in || text != *entry.content)
            return false;
        } else {
          struct stat src {};
          if (stat(entry.source.c_str(), &src) != 0 || src.st_size != st.st_size
              || !same_bytes(entry.source, it->path().string()))
            return false;
        }
        break;
      }
    }
  }
  return !ec && seen == tree.entries().size();
}

} // namespace

caf::error publish_release(const release_tree& tree,
                           const publish_options& options) {
  std::error_code ec;
  fs::create_directories(options.out_dir, ec);
  if (ec)
    return io_error("create", options.out_dir, ec.message());
  remove_stale_temporaries(options.out_dir);
  auto suffix = std::string{temp_marker} + std::to_string(getpid());
  auto final_dir = options.out_dir + "/" + options.rel_name;
  temporary_path temp_dir{options.out_dir + "/." + options.rel_name + suffix};
  std::optional<temporary_path> temp_tar;
  auto final_tar = options.out_dir + "/" + options.tarball;
  // Nothing changed: nothing is written (a running node's release is not
  // replaced for nothing; cmake --build without changes touches nothing).
  if (options.unchanged && fs::is_directory(final_dir, ec)
      && (options.tarball_mode != tarball_output::write
          || fs::exists(final_tar, ec))
      && tree_on_disk(tree, final_dir)) {
    *options.unchanged = true;
    return {};
  }
  // A node runs from the release this build would replace: its files
  // would change under it. Said before anything is written.
  if (!options.replace_running)
    if (auto running = running_nodes(final_dir + "/run"); !running.empty()) {
      std::string who;
      for (auto& node : running)
        who += (who.empty() ? "" : ", ") + node;
      return make_error(release_errc::write_failed,
                        who + " runs from " + final_dir
                          + ": stop it first, or build with --replace-running "
                            "(the node keeps its run/, log/ and var/)");
    }
  // The directory and the tarball are written at the same time: creating
  // files is kernel work on one core, compressing is user work on the
  // others; both only read the sources.
  caf::error tree_error;
  std::thread tree_writer{[&] {
    tree_error = write_tree(tree, temp_dir.path(), options.cancelled);
  }};
  caf::error tar_error;
  if (options.tarball_mode == tarball_output::write) {
    temp_tar.emplace(options.out_dir + "/." + options.tarball + suffix);
    tar_error = write_archive(tree, temp_tar->path(), options.mtime);
  }
  tree_writer.join();
  if (tree_error)
    return tree_error;
  if (tar_error)
    return tar_error;
  if (is_cancelled(options.cancelled))
    return make_error(release_errc::write_failed, "build interrupted");
  // Swap the new directory in atomically; the old one ends at the temporary
  // name and is removed with it.
  if (fs::exists(final_dir, ec)) {
    if (options.running_nodes)
      *options.running_nodes = running_nodes(final_dir + "/run");
    // The nodes' own directories move over first (renames keep a bound
    // socket and open files working).
    std::vector<std::string> moved;
    for (auto sub : node_state_dirs) {
      auto from = final_dir + "/" + sub;
      auto to = temp_dir.path() + "/" + sub;
      if (fs::exists(from, ec) && !fs::exists(to, ec)
          && rename(from.c_str(), to.c_str()) == 0)
        moved.push_back(sub);
    }
    if (renameat2(AT_FDCWD, temp_dir.path().c_str(), AT_FDCWD,
                  final_dir.c_str(), RENAME_EXCHANGE)
        != 0) {
      auto why = errno;
      for (auto& sub : moved) // back where they were: nothing is lost
        (void) !rename((temp_dir.path() + "/" + sub).c_str(),
                       (final_dir + "/" + sub).c_str());
      return io_error("replace", final_dir, strerror(why));
    }
  } else {
    if (rename(temp_dir.path().c_str(), final_dir.c_str()) != 0)
      return io_error("rename into", final_dir, strerror(errno));
    temp_dir.release();
  }
  if (temp_tar) {
    if (rename(temp_tar->path().c_str(), final_tar.c_str()) != 0)
      return io_error("rename into", final_tar, strerror(errno));
    temp_tar->release();
  }
  return {};
}

} // namespace relc::release
