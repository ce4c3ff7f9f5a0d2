#pragma once

#include <CLI/CLI.hpp>

#include "cli.hpp"
#include "release_options.hpp"

namespace relc::cli {

/// `relc build SPEC.rel [--lib-dir DIR]... [--out DIR] [--no-tar] [--strict]
/// [--replace-running]`
class build_command {
public:
  void add_to(CLI::App& app);
  bool selected() const { return cmd_ && cmd_->parsed(); }
  int run(std::ostream& out, std::ostream& err, const cli_environment& env);

private:
  CLI::App* cmd_ = nullptr;
  release_options options_;
  std::string out_dir_ = "_rel";
  bool no_tar_ = false;
  bool replace_running_ = false;
  std::vector<std::string> upfrom_;
};

} // namespace relc::cli
