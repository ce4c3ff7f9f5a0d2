#include "tar_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include <zlib.h>

#include "relc/runtime/runtime_error.hpp"

namespace fs = std::filesystem;

namespace relc {

namespace {

constexpr size_t block = 512;

struct gz_closer {
  void operator()(gzFile_s* f) const { gzclose(f); }
};

caf::error bad(const std::string& tarball, const std::string& what) {
  return make_error(runtime_errc::release_handling, tarball + ": " + what);
}

uint64_t octal(const char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n && p[i]; ++i)
    if (p[i] >= '0' && p[i] <= '7')
      v = v * 8 + static_cast<uint64_t>(p[i] - '0');
  return v;
}

std::string field(const char* p, size_t n) {
  return std::string{p, strnlen(p, n)};
}

// A relative path inside the destination: no absolute path, no `..`.
bool safe_path(const std::string& name) {
  if (name.empty() || name[0] == '/')
    return false;
  for (auto& part : fs::path{name})
    if (part == "..")
      return false;
  return true;
}

// The pax records' `path=` (relc writes one only for long names).
std::string pax_path(const std::string& data) {
  size_t pos = 0;
  while (pos < data.size()) {
    auto sp = data.find(' ', pos);
    if (sp == std::string::npos)
      break;
    auto len = std::stoul(data.substr(pos, sp - pos));
    if (len == 0 || pos + len > data.size())
      break;
    auto record = data.substr(sp + 1, len - (sp - pos) - 2);
    if (record.rfind("path=", 0) == 0)
      return record.substr(5);
    pos += len;
  }
  return {};
}

} // namespace

caf::error extract_tarball(const std::string& tarball, const std::string& dest) {
  std::unique_ptr<gzFile_s, gz_closer> in{gzopen(tarball.c_str(), "rb")};
  if (!in)
    return bad(tarball, std::string{"cannot open: "} + strerror(errno));
  gzbuffer(in.get(), 1 << 16);
  auto read_exact = [&](char* buf, size_t n) {
    return gzread(in.get(), buf, static_cast<unsigned>(n))
           == static_cast<int>(n);
  };
  std::vector<char> data(1 << 16);
  std::string long_name;
  int entries = 0;
  for (;;) {
    char h[block];
    if (!read_exact(h, block))
      return bad(tarball, entries == 0 ? "not a release tarball (no tar header)"
                                       : "truncated (no end-of-archive)");
    bool zero = true;
    for (char c : h)
      zero = zero && c == 0;
    if (zero)
      return {}; // end of archive
    if (memcmp(h + 257, "ustar", 5) != 0)
      return bad(tarball, "not a release tarball (not a ustar header)");
    ++entries;
    auto size = octal(h + 124, 12);
    auto type = h[156];
    std::string name = field(h, 100);
    auto prefix = field(h + 345, 155);
    if (!prefix.empty())
      name = prefix + "/" + name;
    if (!long_name.empty()) {
      name = long_name;
      long_name.clear();
    }
    if (name.rfind("./", 0) == 0)
      name = name.substr(2);
    auto padded = (size + block - 1) / block * block;
    if (type == 'x' || type == 'g') {
      std::string records(padded, '\0');
      if (padded > 0 && !read_exact(records.data(), padded))
        return bad(tarball, "truncated pax header");
      records.resize(size);
      if (type == 'x')
        long_name = pax_path(records);
      continue;
    }
    while (!name.empty() && name.back() == '/')
      name.pop_back();
    if (name.empty() || name == ".") {
      if (padded > 0)
        gzseek(in.get(), static_cast<z_off_t>(padded), SEEK_CUR);
      continue;
    }
    if (!safe_path(name))
      return bad(tarball, "entry '" + name + "' leaves the release directory");
    auto target = fs::path{dest} / name;
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec)
      return bad(tarball, name + ": " + ec.message());
    auto mode = static_cast<mode_t>(octal(h + 100, 8) & 0777);
    if (type == '5') {
      fs::create_directories(target, ec);
      if (ec)
        return bad(tarball, name + ": " + ec.message());
      continue;
    }
    if (type == '2') {
      auto link = field(h + 157, 100);
      auto resolved = (fs::path{name}.parent_path() / link).lexically_normal();
      if (link.empty() || link[0] == '/' || !safe_path(resolved.string()))
        return bad(tarball, name + ": link to '" + link
                              + "' leaves the release directory");
      fs::create_symlink(link, target, ec);
      if (ec)
        return bad(tarball, name + ": " + ec.message());
      continue;
    }
    if (type != '0' && type != '\0')
      return bad(tarball, name + ": unexpected entry type '"
                            + std::string(1, type) + "'");
    int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                    mode | S_IRUSR | S_IWUSR);
    if (fd < 0)
      return bad(tarball, name + ": " + strerror(errno));
    uint64_t left = padded;
    uint64_t to_write = size;
    while (left > 0) {
      auto n = std::min<uint64_t>(left, data.size());
      if (!read_exact(data.data(), n)) {
        ::close(fd);
        return bad(tarball, name + ": truncated");
      }
      auto w = std::min<uint64_t>(n, to_write);
      for (uint64_t off = 0; off < w;) {
        auto r = ::write(fd, data.data() + off, w - off);
        if (r < 0) {
          auto err = errno;
          ::close(fd);
          return bad(tarball, name + ": " + strerror(err));
        }
        off += static_cast<uint64_t>(r);
      }
      to_write -= w;
      left -= n;
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0)
      return bad(tarball, name + ": " + strerror(errno));
    ::chmod(target.c_str(), mode);
  }
}

} // namespace relc
