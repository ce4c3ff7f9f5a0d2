#include "cli.hpp"

#include <algorithm>
#include <filesystem>

#include <CLI/CLI.hpp>

#include "build_command.hpp"
#include "check_command.hpp"
#include "deps_command.hpp"
#include "new_command.hpp"
#include "relup_command.hpp"
#include "test_upgrade_command.hpp"
#include "relc/node/runtime_command.hpp"
#include "relc/release/diagnostics.hpp"
#include "relc/release/suggest.hpp"
#include "relc/runtime/version.hpp"

namespace fs = std::filesystem;

namespace relc::cli {

int run_cli(const std::vector<std::string>& args, std::ostream& out,
            std::ostream& err, const cli_environment& env) {
  // `relc boot` hosts a node; its flags are the node's (docs/commands.md), and CAF
  // options pass through, so the runtime's commands bypass this parser.
  if (auto status = run_runtime_command(args))
    return *status;
  CLI::App app{"relc: OTP-style applications and releases for C++ on CAF",
               "relc"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "relc " + env.runtime_version);
  build_command build;
  check_command check;
  deps_command deps;
  new_command create;
  relup_command relup;
  test_upgrade_command test_upgrade;
  build.add_to(app);
  check.add_to(app);
  deps.add_to(app);
  create.add_to(app);
  relup.add_to(app);
  test_upgrade.add_to(app);
  // Listed for --help; they run before this parser (see above).
  app.add_subcommand("boot", "boot a release in this process (relc boot --help)");
  app.add_subcommand("ctl", "send an admin command to a running node (relc ctl --help)");
  app.add_subcommand("heart", "run a node under a watchdog (relc heart --help)");
  app.add_subcommand("releases", "list, unpack or remove the releases of a root whose "
                                 "node is not running (relc releases --help)");
  if (!args.empty() && !args[0].empty() && args[0][0] != '-') {
    std::vector<std::string> names;
    for (auto* sub : app.get_subcommands([](CLI::App*) { return true; }))
      names.push_back(sub->get_name());
    if (std::find(names.begin(), names.end(), args[0]) == names.end()) {
      err << "relc: error: unknown command '" << release::one_line(args[0]) << "'"
          << release::did_you_mean(args[0], names) << " (see relc --help)\n";
      return exit_usage;
    }
  }
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
    err << "relc: error: " << release::one_line(e.what()) << " (see relc --help)\n";
    return exit_usage;
  }
  if (build.selected())
    return build.run(out, err, env);
  if (check.selected())
    return check.run(out, err, env);
  if (relup.selected())
    return relup.run(out, err, env);
  if (test_upgrade.selected())
    return test_upgrade.run(out);
  if (deps.selected())
    return deps.run(out, err, env);
  if (create.selected())
    return create.run(out, err);
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
