#pragma once

#include <CLI/CLI.hpp>

#include "cli.hpp"

namespace relc::cli {

/// `relc new app NAME [--dir DIR]` and
/// `relc new release NAME [--app APP] [--dir DIR]` (docs/commands.md).
class new_command {
public:
  void add_to(CLI::App& app);
  bool selected() const { return cmd_ && cmd_->parsed(); }
  int run(std::ostream& out, std::ostream& err);

private:
  CLI::App* cmd_ = nullptr;
  CLI::App* app_cmd_ = nullptr;
  CLI::App* rel_cmd_ = nullptr;
  std::string name_;
  std::string app_;
  std::string dir_;
};

} // namespace relc::cli
