#pragma once

// `relc test-upgrade OLD.tar.gz NEW.tar.gz [--probe CMD]` (docs/upgrades.md):
// boots OLD in a scratch root, upgrades it to NEW, runs the probe,
// downgrades, runs the probe again, stops, and says what each step did.
// Real processes: the release's own bin/<rel>. Blocks.

#include <functional>
#include <string>

namespace relc::release {

struct test_upgrade_options {
  std::string old_tarball;
  std::string new_tarball;
  std::string probe; ///< a shell command; empty: none
  bool keep = false; ///< keep the scratch root (its path is reported)
};

/// Runs the test; every step's line goes to `report`. True when every step
/// and probe passed.
bool run_test_upgrade(const test_upgrade_options& options,
                      const std::function<void(const std::string&)>& report);

} // namespace relc::release
