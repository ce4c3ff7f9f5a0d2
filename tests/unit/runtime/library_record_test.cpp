// The record of verified libraries vouches only for a file whose key,
// expected digest and stamp all match, never for a stamp that had not
// settled when it was taken, and not at all when it is garbled or torn.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "library_record.hpp"

using namespace relc;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string digest_a(64, 'a');
const std::string digest_b(64, 'b');

constexpr int64_t second = 1'000'000'000;

file_stamp some_stamp() {
  file_stamp x;
  x.dev = 64769;
  x.ino = 1234567;
  x.size = 42992;
  x.mtime_ns = 1'700'000'000 * second + 5;
  x.ctime_ns = 1'700'000'000 * second + 7;
  return x;
}

struct temp_dir {
  fs::path path;
  temp_dir() {
    char tmpl[] = "/tmp/relc-record-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void spit(const fs::path& p, const std::string& text) {
  std::ofstream out{p, std::ios::binary | std::ios::trunc};
  out << text;
}

} // namespace

TEST_CASE("a written record vouches for exactly what it recorded",
          "[library_record]") {
  temp_dir dir;
  auto file = (dir.path / "var" / "library-record").string();
  auto stamp = some_stamp();
  auto now = stamp.ctime_ns + 10 * second;
  library_record rec;
  REQUIRE(rec.add("lib/a-1.0/lib/liba.so", digest_a, stamp, now));
  REQUIRE(rec.add("lib/b 1.0/lib/lib b.so", digest_b, stamp, now));
  REQUIRE(rec.write(file)); // creates var/
  auto back = library_record::read(file);
  CHECK(back == rec);
  CHECK(back.size() == 2);
  CHECK(back.vouches_for("lib/a-1.0/lib/liba.so", digest_a, stamp));
  CHECK(back.vouches_for("lib/b 1.0/lib/lib b.so", digest_b, stamp));
  CHECK_FALSE(back.vouches_for("lib/a-1.0/lib/liba.so", digest_b, stamp));
  CHECK_FALSE(back.vouches_for("lib/a-1.0/lib/liba.so", "", stamp));
  CHECK_FALSE(back.vouches_for("lib/c-1.0/lib/libc.so", digest_a, stamp));
  auto differs = [&](auto change) {
    auto other = stamp;
    change(other);
    return !back.vouches_for("lib/a-1.0/lib/liba.so", digest_a, other);
  };
  CHECK(differs([](file_stamp& x) { x.dev += 1; }));
  CHECK(differs([](file_stamp& x) { x.ino += 1; }));
  CHECK(differs([](file_stamp& x) { x.size += 1; }));
  CHECK(differs([](file_stamp& x) { x.mtime_ns += 1; }));
  CHECK(differs([](file_stamp& x) { x.ctime_ns += 1; }));
  // No temporary is left beside it.
  CHECK(std::distance(fs::directory_iterator{dir.path / "var"},
                      fs::directory_iterator{})
        == 1);
}

TEST_CASE("a stamp is recorded only once its ctime has settled",
          "[library_record]") {
  auto stamp = some_stamp();
  library_record rec;
  // Changed within the last second: a write in the same clock tick as
  // the stat would leave the stamp as it is, so it proves nothing yet.
  CHECK_FALSE(rec.add("lib/a.so", digest_a, stamp, stamp.ctime_ns));
  CHECK_FALSE(rec.add("lib/a.so", digest_a, stamp, stamp.ctime_ns + second / 2));
  CHECK(rec.size() == 0);
  CHECK(rec.add("lib/a.so", digest_a, stamp, stamp.ctime_ns + second));
  CHECK(rec.size() == 1);
  // Not a digest, or a key the format cannot hold.
  CHECK_FALSE(rec.add("lib/b.so", "e75a", stamp, stamp.ctime_ns + second));
  CHECK_FALSE(rec.add("lib/\nb.so", digest_a, stamp, stamp.ctime_ns + second));
  CHECK_FALSE(rec.add("", digest_a, stamp, stamp.ctime_ns + second));
  CHECK(rec.size() == 1);
}

TEST_CASE("a garbled or torn record vouches for nothing", "[library_record]") {
  temp_dir dir;
  auto file = dir.path / "library-record";
  auto stamp = some_stamp();
  library_record rec;
  REQUIRE(rec.add("lib/a.so", digest_a, stamp, stamp.ctime_ns + second));
  REQUIRE(rec.add("lib/b.so", digest_b, stamp, stamp.ctime_ns + second));
  REQUIRE(rec.write(file.string()));
  auto text = slurp(file);
  SECTION("missing") {
    fs::remove(file);
    CHECK(library_record::read(file.string()).size() == 0);
  }
  SECTION("cut anywhere but after a line") {
    auto header_end = text.find('\n') + 1;
    for (size_t n = 0; n < text.size(); ++n) {
      if (text[n - (n > 0 ? 1 : 0)] == '\n' && n >= header_end)
        continue; // whole lines: a shorter, still true record
      spit(file, text.substr(0, n));
      INFO("cut at " << n);
      CHECK(library_record::read(file.string()).size() == 0);
    }
  }
  SECTION("another format") {
    spit(file, "relc-library-record 2\n" + text.substr(text.find('\n') + 1));
    CHECK(library_record::read(file.string()).size() == 0);
  }
  SECTION("a field that is not a number") {
    auto at = text.find(' ', text.find('\n') + 66);
    text.insert(at + 1, "x");
    spit(file, text);
    CHECK(library_record::read(file.string()).size() == 0);
  }
}

TEST_CASE("rewriting a file, even with its size and mtime kept, changes its "
          "stamp",
          "[library_record]") {
  temp_dir dir;
  auto lib = dir.path / "liba.so";
  spit(lib, "original content");
  auto before = stamp_of(lib.string());
  REQUIRE(before);
  std::this_thread::sleep_for(50ms); // beyond the kernel's clock tick
  spit(lib, "tampered content");
  timespec times[2];
  times[0].tv_sec = before->mtime_ns / second;
  times[0].tv_nsec = before->mtime_ns % second;
  times[1] = times[0];
  REQUIRE(utimensat(AT_FDCWD, lib.c_str(), times, 0) == 0);
  auto after = stamp_of(lib.string());
  REQUIRE(after);
  CHECK(after->size == before->size);
  CHECK(after->mtime_ns == before->mtime_ns);
  CHECK_FALSE(*after == *before); // ctime moved on
  CHECK_FALSE(stamp_of((dir.path / "missing.so").string()));
}
