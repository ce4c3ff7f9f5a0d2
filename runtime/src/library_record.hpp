#pragma once

// The record of libraries an earlier boot verified (private to the
// runtime), so that a boot hashes only what changed since, as git's index
// does for its work tree: a library whose SHA-256 matched at an earlier
// boot and whose file stamp (device, inode, size, mtime, ctime) is the same
// now has not been written since. ctime cannot be set back by anyone but
// the kernel, and a stamp is recorded only once its ctime is a second old
// (a write within the same clock tick as the stat would leave it alone).
//
// The record is a text file under the node's var directory:
//   relc-library-record 1
//   <sha256> <dev> <ino> <size> <mtime ns> <ctime ns> <path>
// A missing, unreadable or garbled record vouches for nothing: every
// library is hashed, as without one.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace relc {

struct file_stamp {
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;

  bool operator==(const file_stamp& other) const;
};

/// The stamp of the file at `path`; none when it cannot be stat'ed.
std::optional<file_stamp> stamp_of(const std::string& path);

/// Nanoseconds since the epoch on the clock file times are taken from.
int64_t wall_clock_ns();

class library_record {
public:
  /// Reads the record at `file`; empty when it is missing or garbled.
  static library_record read(const std::string& file);

  /// True when an earlier boot found `path` with this stamp to hash to
  /// `sha256`.
  bool vouches_for(const std::string& path, const std::string& sha256,
                   const file_stamp& stamp) const;

  /// Records that `path` with `stamp` hashes to `sha256`, if the stamp
  /// has settled (its ctime at least a second before `now_ns`); returns
  /// whether it was recorded.
  bool add(const std::string& path, const std::string& sha256,
           const file_stamp& stamp, int64_t now_ns);

  bool operator==(const library_record& other) const;

  size_t size() const {
    return entries_.size();
  }

  /// Replaces `file` with this record (a temporary file, then a rename,
  /// so a reader never sees half of it); false when it cannot.
  bool write(const std::string& file) const;

private:
  struct entry {
    std::string sha256;
    file_stamp stamp;
    bool operator==(const entry& other) const;
  };
  std::map<std::string, entry> entries_; // by path
};

} // namespace relc
