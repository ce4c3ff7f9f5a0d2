#pragma once

// Verifies the checksums of a release's libraries on a helper thread, in
// boot order, ahead of the thread that dlopens them, so hashing overlaps
// loading (private to the runtime). The helper reads files instead of
// mapping them: it changes no mappings, so it adds no TLB shootdowns to the
// loader's own. A library the record of an earlier boot vouches for is not
// hashed at all (library_record.hpp).

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <caf/error.hpp>

#include "library_record.hpp"

namespace relc {

struct library_file {
  std::string path;
  /// The file's name in the record (its path in the release).
  std::string key;
  std::string sha256;
};

class library_verifier {
public:
  /// Starts verifying the `files` that `earlier` does not vouch for.
  library_verifier(std::vector<library_file> files,
                   const library_record& earlier);

  /// Stops verifying what nobody waits for and joins the helper.
  ~library_verifier();

  library_verifier(const library_verifier&) = delete;
  library_verifier& operator=(const library_verifier&) = delete;

  /// The outcome for file `i` (empty when it matches); waits for it.
  caf::error result(size_t i);

  /// File `i` as given.
  const library_file& file(size_t i) const {
    return files_[i];
  }

  /// How many of the files are hashed (the rest were vouched for).
  size_t hashing() const {
    return hashing_;
  }

  /// The record to keep for the next boot, once every result() was empty:
  /// each file with its stamp from before it was hashed.
  library_record record() const;

private:
  void run();

  std::vector<library_file> files_;
  std::vector<std::optional<file_stamp>> stamps_;
  std::vector<bool> vouched_;
  size_t hashing_ = 0;
  int64_t started_ns_;
  std::vector<caf::error> results_;
  size_t done_ = 0; // results_[0, done_) are final
  bool quit_ = false;
  std::mutex mtx_;
  std::condition_variable cv_;
  std::thread thread_;
};

} // namespace relc
