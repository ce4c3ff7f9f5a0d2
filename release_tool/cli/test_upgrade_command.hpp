#pragma once

#include <ostream>

#include <CLI/CLI.hpp>

#include "relc/release/test_upgrade.hpp"

namespace relc::cli {

/// `relc test-upgrade OLD.tar.gz NEW.tar.gz [--probe CMD] [--keep]`.
class test_upgrade_command {
public:
  void add_to(CLI::App& app);
  bool selected() const { return cmd_ && cmd_->parsed(); }
  int run(std::ostream& out);

private:
  CLI::App* cmd_ = nullptr;
  release::test_upgrade_options options_;
};

} // namespace relc::cli
