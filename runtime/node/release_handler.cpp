#include "release_handler.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>

#include "app_library.hpp"
#include "boot_plan.hpp"
#include "relc/runtime/release_layout.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "relc/runtime/term.hpp"
#include "tar_reader.hpp"

namespace fs = std::filesystem;

namespace relc::release_handler {

namespace {

caf::error bad(const std::string& what) {
  return make_error(runtime_errc::release_handling, what);
}

// Writes `text` beside `path` and renames it into place, both synced: a
// kill leaves the old file or the new one, never half of one.
caf::error write_atomically(const fs::path& path, const std::string& text) {
  auto tmp = path;
  tmp += ".tmp." + std::to_string(getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return bad(tmp.string() + ": " + strerror(errno));
  for (size_t off = 0; off < text.size();) {
    auto n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0) {
      auto err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return bad(tmp.string() + ": " + strerror(err));
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return bad(tmp.string() + ": " + strerror(err));
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto err = errno;
    ::unlink(tmp.c_str());
    return bad(path.string() + ": " + strerror(err));
  }
  int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return {};
}

std::string text_of(const term* x) {
  if (!x)
    return {};
  return x->is_string() ? x->as_string() : x->to_string();
}

release_entry* find(std::vector<release_entry>& xs, const std::string& vsn) {
  for (auto& x : xs)
    if (x.vsn == vsn)
      return &x;
  return nullptr;
}

// The release handler's changes one at a time, as OTP's release_handler
// is one process: an exclusive flock on releases/.lock, held while a
// command reads, changes and writes RELEASES and the directories it names.
// It orders this node's commands (each opens the file anew, so threads of
// one process exclude each other too) and `relc releases` beside it. The
// kernel drops the lock with its holder, so a killed command holds nothing.
class releases_lock {
public:
  static caf::expected<releases_lock> take(const std::string& root) {
    auto path = fs::path{root} / "releases" / ".lock";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
      return bad(path.string() + ": " + strerror(errno));
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno == EINTR)
        continue;
      auto err = errno;
      ::close(fd);
      return bad(path.string() + ": " + strerror(err));
    }
    return releases_lock{fd};
  }

  releases_lock(releases_lock&& other) noexcept : fd_(other.fd_) {
    other.fd_ = -1;
  }
  releases_lock(const releases_lock&) = delete;
  releases_lock& operator=(const releases_lock&) = delete;
  releases_lock& operator=(releases_lock&&) = delete;

  ~releases_lock() {
    if (fd_ >= 0)
      ::close(fd_);
  }

private:
  explicit releases_lock(int fd) : fd_(fd) {}
  int fd_;
};

// Leftovers of an unpack that was killed: staging directories.
void clean_staging(const fs::path& releases) {
  std::error_code ec;
  for (fs::directory_iterator it{releases, ec}, end; !ec && it != end;
       it.increment(ec))
    if (it->path().filename().string().rfind(".unpack-", 0) == 0)
      fs::remove_all(it->path(), ec);
}

} // namespace

namespace {

// The identity of a file's content as far as stat can tell: a write
// through write_atomically renames a new inode into place, an edit in
// place changes mtime, ctime and usually the size.
struct file_identity {
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  timespec mtime{};
  timespec ctime{};

  static std::optional<file_identity> of(const fs::path& path) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
      return std::nullopt;
    return file_identity{st.st_dev, st.st_ino, st.st_size, st.st_mtim,
                         st.st_ctim};
  }

  bool operator==(const file_identity& y) const {
    return dev == y.dev && ino == y.ino && size == y.size
           && mtime.tv_sec == y.mtime.tv_sec && mtime.tv_nsec == y.mtime.tv_nsec
           && ctime.tv_sec == y.ctime.tv_sec && ctime.tv_nsec == y.ctime.tv_nsec;
  }
};

// RELEASES as last read or written by this process. Parsing the YAML of a
// node with many apps costs milliseconds, and an install reads it twice;
// an unchanged file is not parsed again. Only the commands' detached
// actors use it, at most a few at once: a plain mutex.
class releases_memo {
public:
  std::optional<std::vector<release_entry>> find(const fs::path& path,
                                                 const file_identity& id) {
    std::lock_guard<std::mutex> guard{mtx_};
    if (path_ == path && id_ && *id_ == id)
      return entries_;
    return std::nullopt;
  }

  void put(const fs::path& path, const std::optional<file_identity>& id,
           std::vector<release_entry> xs) {
    std::lock_guard<std::mutex> guard{mtx_};
    path_ = path;
    id_ = id;
    entries_ = std::move(xs);
  }

private:
  std::mutex mtx_;
  fs::path path_;
  std::optional<file_identity> id_;
  std::vector<release_entry> entries_;
};

releases_memo& memo() {
  static releases_memo instance;
  return instance;
}

// The whole text of `path`, or nothing when it cannot be read.
std::optional<std::string> read_text(const fs::path& path) {
  std::ifstream in{path};
  if (!in)
    return std::nullopt;
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

caf::expected<std::vector<release_entry>> parse_releases(const fs::path& path) {
  auto text = read_text(path);
  if (!text)
    return bad("cannot read " + path.string());
  auto parsed = parse_yaml_term(*text, path.string());
  if (!parsed.ok)
    return bad(parsed.error);
  if (!parsed.value.is_list())
    return bad(path.string() + ": expected a list of releases");
  std::vector<release_entry> result;
  for (auto& x : parsed.value.as_list()) {
    if (!x.is_map())
      return bad(path.string() + ": expected a release {name, vsn, ...}, found "
                 + x.to_string());
    release_entry e;
    e.name = text_of(x.find("name"));
    e.vsn = text_of(x.find("vsn"));
    e.runtime = text_of(x.find("runtime"));
    e.state = text_of(x.find("state"));
    if (auto* apps = x.find("apps"); apps && apps->is_list())
      for (auto& a : apps->as_list())
        e.apps.push_back(text_of(&a));
    if (e.vsn.empty())
      return bad(path.string() + ": a release without a vsn");
    result.push_back(std::move(e));
  }
  return result;
}

} // namespace

caf::expected<std::vector<release_entry>>
read_releases(const std::string& root) {
  auto path = fs::path{root} / layout::releases_file();
  auto id = file_identity::of(path);
  if (!id)
    return bad("cannot read " + path.string());
  if (auto known = memo().find(path, *id))
    return std::move(*known);
  auto xs = parse_releases(path);
  if (xs)
    memo().put(path, id, *xs);
  return xs;
}

namespace {

// Reads RELEASES, lets `f` change release `vsn`'s entry (and the others),
// writes it back. The caller holds the releases_lock.
template <class F>
caf::error change_entries(const std::string& root, const std::string& vsn, F f) {
  auto xs = read_releases(root);
  if (!xs)
    return xs.error();
  auto* target = find(*xs, vsn);
  if (!target)
    return bad("no release " + vsn + " in " + layout::releases_file());
  if (auto err = f(*xs, *target))
    return err;
  return write_releases(root, *xs);
}

// change_entries under the releases_lock.
template <class F>
caf::error change_release(const std::string& root, const std::string& vsn, F f) {
  auto lock = releases_lock::take(root);
  if (!lock)
    return lock.error();
  return change_entries(root, vsn, std::move(f));
}

} // namespace

caf::error write_releases(const std::string& root,
                          const std::vector<release_entry>& xs) {
  auto text = layout::releases_text(xs);
  auto path = fs::path{root} / layout::releases_file();
  if (auto err = write_atomically(path, text))
    return err;
  memo().put(path, file_identity::of(path), xs);
  return {};
}

std::string render_versions(const std::vector<release_entry>& xs,
                            const std::string& running) {
  std::string out;
  for (auto& x : xs)
    out += x.name + " " + x.vsn + " " + x.state
           + (x.vsn == running ? " *" : "") + "\n";
  return out;
}

caf::expected<release_entry> find_release(const std::string& root,
                                          const std::string& vsn) {
  auto xs = read_releases(root);
  if (!xs)
    return xs.error();
  if (auto* x = find(*xs, vsn))
    return *x;
  std::string known;
  for (auto& x : *xs)
    known += (known.empty() ? "" : ", ") + x.vsn;
  return bad("no release " + vsn + " (known: " + known + ")");
}

caf::expected<std::string> unpack(const std::string& root,
                                  const std::string& rel_name,
                                  const std::string& tarball) {
  std::error_code ec;
  auto releases = fs::path{root} / "releases";
  auto path = fs::path{tarball};
  if (!fs::exists(path, ec) && path.filename() == path)
    path = releases / tarball;
  if (!fs::is_regular_file(path, ec))
    return bad(tarball + ": no such file (expected a release tarball, a path "
                         "or a file name under releases/)");
  auto lock = releases_lock::take(root);
  if (!lock)
    return lock.error();
  auto xs = read_releases(root);
  if (!xs)
    return xs.error();
  clean_staging(releases);
  static std::atomic<int> serial{0};
  auto staging = releases
                 / (".unpack-" + std::to_string(getpid()) + "-"
                    + std::to_string(++serial));
  fs::create_directories(staging, ec);
  if (ec)
    return bad(staging.string() + ": " + ec.message());
  std::vector<fs::path> moved; // lib dirs moved into the release root
  auto undo = [&](caf::error err) -> caf::expected<std::string> {
    std::error_code ignore;
    for (auto& m : moved)
      fs::remove_all(m, ignore);
    fs::remove_all(staging, ignore);
    return err;
  };
  if (auto err = extract_tarball(path.string(), staging.string()))
    return undo(err);
  auto start = layout::read_start_data(staging.string());
  if (!start)
    return undo(bad(path.string() + ": not a release tarball (no "
                    + layout::start_data() + ")"));
  auto vsn = start->release_vsn;
  auto plan = load_boot_plan(staging.string(), vsn);
  if (!plan)
    return undo(bad(path.string() + ": not a release tarball: "
                    + describe_error(plan.error())));
  if (plan->name != rel_name)
    return undo(bad(path.string() + ": a release of " + plan->name
                    + ", this node runs " + rel_name));
  if (find(*xs, vsn))
    return undo(bad("release " + vsn + " is already unpacked"));
  auto rel_dir = fs::path{root} / layout::release_dir(vsn);
  if (fs::exists(rel_dir, ec)) // a killed unpack's, not in RELEASES
    fs::remove_all(rel_dir, ec);
  // Every library matches the boot file's checksum, in the tarball and in
  // a lib directory the release root already has.
  release_entry entry{plan->name, vsn, start->runtime_vsn, unpacked, {}};
  for (auto& app : plan->apps) {
    entry.apps.push_back(app.name + "-" + app.vsn);
    if (!app.library)
      continue;
    auto staged = staging / *app.library;
    if (auto err = verify_app_library(staged.string(), app.sha256))
      return undo(bad(path.string() + ": " + *app.library + ": "
                      + describe_error(err)));
    auto present = fs::path{root} / *app.library;
    if (fs::exists(present, ec))
      if (auto err = verify_app_library(present.string(), app.sha256))
        return undo(bad(present.string() + " differs from the tarball's "
                        + *app.library + ": " + describe_error(err)));
  }
  // lib/<app>-<vsn> and runtime-<vsn> directories the root lacks move in.
  for (auto* sub : {"lib", ""}) {
    auto from = sub[0] ? staging / sub : staging;
    for (fs::directory_iterator it{from, ec}, end; !ec && it != end;
         it.increment(ec)) {
      auto name = it->path().filename().string();
      if (!sub[0] && name.rfind("runtime-", 0) != 0)
        continue;
      auto to = fs::path{root} / (sub[0] ? fs::path{sub} / name : fs::path{name});
      if (fs::exists(to))
        continue;
      std::error_code mv;
      fs::create_directories(to.parent_path(), mv);
      fs::rename(it->path(), to, mv);
      if (mv)
        return undo(bad(to.string() + ": " + mv.message()));
      moved.push_back(to);
    }
  }
  // The commit point: releases/<vsn> appears whole, then RELEASES names it.
  fs::rename(staging / layout::release_dir(vsn), rel_dir, ec);
  if (ec)
    return undo(bad(rel_dir.string() + ": " + ec.message()));
  moved.push_back(rel_dir);
  xs->push_back(entry);
  if (auto err = write_releases(root, *xs))
    return undo(err);
  fs::remove_all(staging, ec);
  return vsn;
}

caf::error mark_installed(const std::string& root, const std::string& vsn) {
  return change_release(root, vsn, [&](auto& xs, release_entry& target) {
    for (auto& x : xs)
      if (x.state == current && x.vsn != vsn)
        x.state = unpacked;
    if (target.state != permanent)
      target.state = current;
    return caf::error{};
  });
}

caf::error make_permanent(const std::string& root, const std::string& vsn) {
  return change_release(root, vsn, [&](auto& xs, release_entry& target) {
    if (target.state == permanent)
      return caf::error{};
    if (target.state != current)
      return bad("release " + vsn + " is " + target.state
                 + ": install it first (only the current release can be made "
                   "permanent)");
    // start.data decides what boots: it changes first.
    if (auto err = write_atomically(fs::path{root} / layout::start_data(),
                                    layout::start_data_text(target.runtime, vsn)))
      return err;
    for (auto& x : xs)
      if (x.state == permanent)
        x.state = old;
    target.state = permanent;
    return caf::error{};
  });
}

namespace {

// What booted() changes: the booted release when start.data names it but
// RELEASES does not say permanent (a make_permanent killed between the
// two), and another release still marked current (installed, never made
// permanent: the node came back on its permanent one).
bool needs_change(const std::string& vsn, const std::string& state,
                  const std::string& booted, bool start_data_names_booted) {
  return vsn == booted ? start_data_names_booted && state != permanent
                       : state == current;
}

} // namespace

caf::error booted(const std::string& root, const std::string& vsn) {
  auto lock = releases_lock::take(root);
  if (!lock)
    return lock.error();
  auto start = layout::read_start_data(root);
  bool named = start && start->release_vsn == vsn;
  // RELEASES in relc's own shape: only the states are read (a boot needs
  // no more); any other shape, or a change to make, goes to the YAML reader.
  auto text = read_text(fs::path{root} / layout::releases_file());
  if (auto states = text ? layout::scan_release_states(*text) : std::nullopt) {
    bool any = false;
    for (auto& [v, state] : *states)
      any = any || needs_change(v, state, vsn, named);
    if (!any)
      return {};
  }
  auto xs = read_releases(root);
  if (!xs)
    return xs.error();
  bool changed = false;
  for (auto& x : *xs) {
    if (!needs_change(x.vsn, x.state, vsn, named))
      continue;
    if (x.vsn == vsn) {
      for (auto& y : *xs)
        if (y.state == permanent)
          y.state = old;
      x.state = permanent;
    } else {
      x.state = unpacked;
    }
    changed = true;
  }
  return changed ? write_releases(root, *xs) : caf::error{};
}

caf::error remove(const std::string& root, const std::string& vsn,
                  const std::string& running) {
  std::vector<std::string> apps;
  std::set<std::string> used;
  auto lock = releases_lock::take(root);
  if (!lock)
    return lock.error();
  // RELEASES first: a kill after it leaves unused directories, never a
  // release that names missing files.
  auto err = change_entries(root, vsn, [&](auto& xs, release_entry& target) {
    if (vsn == running)
      return bad("release " + vsn + " is running: it cannot be removed");
    if (target.state == permanent)
      return bad("release " + vsn + " is permanent: it cannot be removed");
    apps = target.apps;
    xs.erase(xs.begin() + (&target - xs.data()));
    for (auto& x : xs)
      used.insert(x.apps.begin(), x.apps.end());
    return caf::error{};
  });
  if (err)
    return err;
  std::error_code ec;
  fs::remove_all(fs::path{root} / layout::release_dir(vsn), ec);
  for (auto& a : apps)
    if (used.count(a) == 0)
      fs::remove_all(fs::path{root} / "lib" / a, ec);
  return {};
}

} // namespace relc::release_handler
