#include "library_verifier.hpp"

#include "app_library.hpp"

namespace relc {

library_verifier::library_verifier(std::vector<library_file> files,
                                   const library_record& earlier)
  : files_(std::move(files)),
    started_ns_(wall_clock_ns()),
    results_(files_.size()) {
  // Stamps are taken before any hashing: a write after the stat changes
  // the ctime, so the record never vouches for content nobody hashed.
  for (auto& f : files_) {
    stamps_.push_back(stamp_of(f.path));
    vouched_.push_back(stamps_.back()
                       && earlier.vouches_for(f.key, f.sha256, *stamps_.back()));
    if (!vouched_.back())
      ++hashing_;
  }
  if (hashing_ > 0)
    thread_ = std::thread{[this] { run(); }};
}

library_verifier::~library_verifier() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    quit_ = true;
  }
  if (thread_.joinable())
    thread_.join();
}

void library_verifier::run() {
  for (size_t i = 0; i < files_.size(); ++i) {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (quit_)
        return;
    }
    caf::error err;
    if (!vouched_[i])
      err = verify_app_library(files_[i].path, files_[i].sha256);
    {
      std::lock_guard<std::mutex> guard{mtx_};
      results_[i] = std::move(err);
      done_ = i + 1;
    }
    cv_.notify_all();
  }
}

caf::error library_verifier::result(size_t i) {
  if (vouched_[i])
    return {};
  std::unique_lock<std::mutex> guard{mtx_};
  cv_.wait(guard, [&] { return done_ > i; });
  return results_[i];
}

library_record library_verifier::record() const {
  library_record result;
  for (size_t i = 0; i < files_.size(); ++i)
    if (stamps_[i])
      result.add(files_[i].key, files_[i].sha256, *stamps_[i], started_ns_);
  return result;
}

} // namespace relc
