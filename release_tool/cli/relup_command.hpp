#pragma once

#include <CLI/CLI.hpp>

#include "cli.hpp"
#include "release_options.hpp"

namespace relc::cli {

/// `relc relup NEW.rel --from OLD... [--lib-dir DIR]... [--out DIR]`:
/// writes `<out>/<rel>/releases/<vsn>/relup` into the built release.
class relup_command {
public:
  void add_to(CLI::App& app);
  bool selected() const { return cmd_ && cmd_->parsed(); }
  int run(std::ostream& out, std::ostream& err, const cli_environment& env);

private:
  CLI::App* cmd_ = nullptr;
  release_options options_;
  std::vector<std::string> from_;
  std::string out_dir_ = "_rel";
};

} // namespace relc::cli
