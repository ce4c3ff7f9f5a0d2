#include "synthetic_release.hpp"

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

namespace fs = std::filesystem;

namespace relc::bench {

void make_synthetic_release(const std::string& root, int n, uint32_t seed,
                            const std::string& library, const std::string& shape) {
  std::mt19937 rng{seed};
  fs::create_directories(fs::path{root} / "lib");
  std::ofstream spec{fs::path{root} / "synthetic.rel"};
  spec << "release: synthetic\nvsn: \"1.0.0\"\napplications:\n  - kernel\n";
  for (int i = 0; i < n; ++i) {
    auto name = "app_" + std::to_string(i);
    auto dir = fs::path{root} / "lib" / (name + "-1.0.0");
    fs::create_directories(dir / "lib");
    fs::copy_file(library, dir / "lib" / ("lib" + name + ".so"),
                  fs::copy_options::overwrite_existing);
    std::set<int> deps;
    if (i > 0) {
      auto count = std::uniform_int_distribution<int>{0, 3}(rng);
      for (int k = 0; k < count; ++k)
        deps.insert(std::uniform_int_distribution<int>{0, i - 1}(rng));
    }
    std::ofstream m{dir / (name + ".app")};
    m << "application: " << name << "\nvsn: \"1.0.0\"\n"
      << "description: synthetic app " << i << "\napplications: [";
    bool first = true;
    for (auto d : deps) {
      m << (first ? "" : ", ") << "app_" << d;
      first = false;
    }
    m << "]\nmod: {module: bench_app, args: []}\n"
      << "env: {index: " << i << ", label: \"" << name << "\", shape: " << shape
      << "}\n"
      << "start_phases:\n  - init: []\n  - admin: []\n  - oper: []\n";
    spec << "  - " << name << "\n";
  }
}

} // namespace relc::bench
