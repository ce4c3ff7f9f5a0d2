#pragma once

#include <CLI/CLI.hpp>

#include "cli.hpp"
#include "release_options.hpp"

namespace relc::cli {

/// `relc deps SPEC.rel [--lib-dir DIR]... [--format tree|dot|json]`
class deps_command {
public:
  void add_to(CLI::App& app);
  bool selected() const { return cmd_ && cmd_->parsed(); }
  int run(std::ostream& out, std::ostream& err, const cli_environment& env);

private:
  CLI::App* cmd_ = nullptr;
  release_options options_;
  std::string format_ = "tree";
};

} // namespace relc::cli
