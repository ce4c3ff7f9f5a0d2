#include "library_record.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <sstream>
#include <string_view>

namespace fs = std::filesystem;

namespace relc {

namespace {

constexpr const char* header = "relc-library-record 1";

constexpr int64_t settle_ns = 1'000'000'000;

int64_t ns_of(const timespec& t) {
  return static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

bool is_hex_digest(const std::string& x) {
  if (x.size() != 64)
    return false;
  for (auto c : x)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

} // namespace

bool file_stamp::operator==(const file_stamp& other) const {
  return dev == other.dev && ino == other.ino && size == other.size
         && mtime_ns == other.mtime_ns && ctime_ns == other.ctime_ns;
}

bool library_record::entry::operator==(const entry& other) const {
  return sha256 == other.sha256 && stamp == other.stamp;
}

std::optional<file_stamp> stamp_of(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return std::nullopt;
  file_stamp x;
  x.dev = static_cast<uint64_t>(st.st_dev);
  x.ino = static_cast<uint64_t>(st.st_ino);
  x.size = static_cast<uint64_t>(st.st_size);
  x.mtime_ns = ns_of(st.st_mtim);
  x.ctime_ns = ns_of(st.st_ctim);
  return x;
}

int64_t wall_clock_ns() {
  timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return ns_of(t);
}

library_record library_record::read(const std::string& file) {
  // Read on every boot: one read() and from_chars, no streams.
  std::string text;
  auto fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return {};
  char buf[64 * 1024];
  for (;;) {
    auto n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  library_record result;
  std::string_view rest{text};
  auto next_line = [&rest](std::string_view& line) {
    auto end = rest.find('\n');
    if (end == std::string_view::npos)
      return false; // a line without its newline is a torn write
    line = rest.substr(0, end);
    rest.remove_prefix(end + 1);
    return true;
  };
  std::string_view line;
  if (!next_line(line) || line != header)
    return {};
  while (!rest.empty()) {
    if (!next_line(line))
      return {};
    entry e;
    auto field = [&line](auto& x) {
      auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), x);
      if (ec != std::errc{} || end == line.data() + line.size() || *end != ' ')
        return false;
      line.remove_prefix(static_cast<size_t>(end - line.data()) + 1);
      return true;
    };
    if (line.size() < 65 || line[64] != ' ')
      return {};
    e.sha256 = std::string{line.substr(0, 64)};
    line.remove_prefix(65);
    if (!is_hex_digest(e.sha256) || !field(e.stamp.dev) || !field(e.stamp.ino)
        || !field(e.stamp.size) || !field(e.stamp.mtime_ns)
        || !field(e.stamp.ctime_ns) || line.empty())
      return {}; // garbled: trust none of it
    result.entries_[std::string{line}] = std::move(e);
  }
  return result;
}

bool library_record::vouches_for(const std::string& path,
                                 const std::string& sha256,
                                 const file_stamp& stamp) const {
  auto i = entries_.find(path);
  return i != entries_.end() && !sha256.empty() && i->second.sha256 == sha256
         && i->second.stamp == stamp;
}

bool library_record::add(const std::string& path, const std::string& sha256,
                         const file_stamp& stamp, int64_t now_ns) {
  if (!is_hex_digest(sha256) || path.empty()
      || path.find('\n') != std::string::npos
      || stamp.ctime_ns > now_ns - settle_ns)
    return false;
  entries_[path] = entry{sha256, stamp};
  return true;
}

bool library_record::operator==(const library_record& other) const {
  return entries_ == other.entries_;
}

bool library_record::write(const std::string& file) const {
  std::error_code ec;
  fs::create_directories(fs::path{file}.parent_path(), ec);
  std::ostringstream text;
  text << header << '\n';
  for (auto& [path, e] : entries_)
    text << e.sha256 << ' ' << e.stamp.dev << ' ' << e.stamp.ino << ' '
         << e.stamp.size << ' ' << e.stamp.mtime_ns << ' '
         << e.stamp.ctime_ns << ' ' << path << '\n';
  auto data = text.str();
  // Nodes of one release share the record: each writes its own temporary.
  auto tmp = file + ".tmp." + std::to_string(::getpid());
  auto fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return false;
  bool ok = ::write(fd, data.data(), data.size())
            == static_cast<ssize_t>(data.size());
  ok = ::close(fd) == 0 && ok;
  if (ok && std::rename(tmp.c_str(), file.c_str()) == 0)
    return true;
  ::unlink(tmp.c_str());
  return false;
}

} // namespace relc
