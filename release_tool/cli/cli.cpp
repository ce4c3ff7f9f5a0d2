#include "cli.hpp"

#include <algorithm>
#include <filesystem>

#include <CLI/CLI.hpp>

#include "build_command.hpp"
#include "check_command.hpp"
#include "deps_command.hpp"
#include "relc/node/runtime_command.hpp"
#include "relc/runtime/version.hpp"

namespace fs = std::filesystem;

namespace relc::cli {

int run_cli(const std::vector<std::string>& args, std::ostream& out,
            std::ostream& err, const cli_environment& env) {
  // `relc boot` hosts a node; its flags are the node's (SPEC §0), and CAF
  // options pass through, so the runtime's commands bypass this parser.
  if (auto status = run_runtime_command(args))
    return *status;
  CLI::App app{"relc: OTP-style applications and releases for C++ on CAF",
               "relc"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "relc " + env.runtime_version);
  app.footer("Also: relc boot RELEASE_DIR [--config FILE] [--env APP.KEY=VALUE]... "
             "[--init-debug] [--shutdown-time MS]");
  build_command build;
  check_command check;
  deps_command deps;
  build.add_to(app);
  check.add_to(app);
  deps.add_to(app);
  try {
    std::vector<std::string> reversed{args.rbegin(), args.rend()};
    app.parse(reversed); // CLI11 takes the arguments back to front
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return exit_ok;
  } catch (const CLI::CallForVersion&) {
    out << "relc " << env.runtime_version << '\n';
    return exit_ok;
  } catch (const CLI::ParseError& e) {
    err << "relc: error: " << e.what() << " (see relc --help)\n";
    return exit_usage;
  }
  if (build.selected())
    return build.run(out, err, env);
  if (check.selected())
    return check.run(out, err, env);
  if (deps.selected())
    return deps.run(out, err, env);
  err << "relc: error: no command given (see relc --help)\n";
  return exit_usage;
}

cli_environment locate_environment(const std::string& self_exe) {
  cli_environment env;
  auto bin_dir = fs::path{self_exe}.parent_path();
  env.builtin_lib_dir
    = (bin_dir / ".." / "share" / "relc" / "lib").lexically_normal().string();
  std::error_code ec;
  for (auto name : {"relc-node"})
    if (auto p = bin_dir / name; fs::exists(p, ec))
      env.node_executable = p.string();
  env.runtime_version = relc::runtime_version;
  return env;
}

} // namespace relc::cli
