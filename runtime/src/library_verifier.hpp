#pragma once

// Verifies the checksums of a release's libraries on a helper thread, in
// boot order, ahead of the thread that dlopens them, so hashing overlaps
// loading (private to the runtime). The helper reads files instead of
// mapping them: it changes no mappings, so it adds no TLB shootdowns to the
// loader's own.

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <caf/error.hpp>

namespace relc {

struct library_file {
  std::string path;
  std::string sha256;
};

class library_verifier {
public:
  explicit library_verifier(std::vector<library_file> files);

  /// Stops verifying what nobody waits for and joins the helper.
  ~library_verifier();

  library_verifier(const library_verifier&) = delete;
  library_verifier& operator=(const library_verifier&) = delete;

  /// The outcome for file `i` (empty when it matches); waits for it.
  caf::error result(size_t i);

private:
  void run();

  std::vector<library_file> files_;
  std::vector<caf::error> results_;
  size_t done_ = 0; // results_[0, done_) are final
  bool quit_ = false;
  std::mutex mtx_;
  std::condition_variable cv_;
  std::thread thread_;
};

} // namespace relc
