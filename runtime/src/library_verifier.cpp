#include "library_verifier.hpp"

#include "app_library.hpp"

namespace relc {

library_verifier::library_verifier(std::vector<library_file> files)
  : files_(std::move(files)), results_(files_.size()) {
  if (!files_.empty())
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
    auto err = verify_app_library(files_[i].path, files_[i].sha256);
    {
      std::lock_guard<std::mutex> guard{mtx_};
      results_[i] = std::move(err);
      done_ = i + 1;
    }
    cv_.notify_all();
  }
}

caf::error library_verifier::result(size_t i) {
  std::unique_lock<std::mutex> guard{mtx_};
  cv_.wait(guard, [&] { return done_ > i; });
  return results_[i];
}

} // namespace relc
