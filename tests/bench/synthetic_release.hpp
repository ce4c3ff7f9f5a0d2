#pragma once

#include <cstdint>
#include <string>

namespace relc::bench {

/// Writes a synthetic release of `n` apps into `root`: `root/lib/` holds
/// app_<i>-1.0.0/ (the one prebuilt `library` copied n times), each app
/// depending on up to 3 earlier ones (a seeded random DAG), with three start
/// phases; `root/synthetic.rel` lists them all. `shape` goes into each
/// app's env (bench_app.cpp: `empty` or `work`).
void make_synthetic_release(const std::string& root, int n, uint32_t seed,
                            const std::string& library,
                            const std::string& shape = "empty");

} // namespace relc::bench
