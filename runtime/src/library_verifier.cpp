#include "library_verifier.hpp"

#include <atomic>
#include <thread>

#include "app_library.hpp"

namespace relc {

std::vector<caf::error> verify_libraries(const std::vector<library_file>& files) {
  std::vector<caf::error> results(files.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (auto i = next++; i < files.size(); i = next++)
      results[i] = verify_app_library(files[i].path, files[i].sha256);
  };
  auto cores = std::max(1u, std::thread::hardware_concurrency());
  auto helpers = std::min<size_t>(std::min(cores, 4u) - 1, files.size() / 8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < helpers; ++i)
    threads.emplace_back(work);
  work();
  for (auto& t : threads)
    t.join();
  return results;
}

} // namespace relc
