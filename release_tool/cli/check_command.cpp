#include "check_command.hpp"

namespace relc::cli {

void check_command::add_to(CLI::App& app) {
  cmd_ = app.add_subcommand("check", "resolve a release spec and run every "
                                     "check; write nothing");
  options_.add_to(*cmd_, true);
}

int check_command::run(std::ostream& out, std::ostream& err,
                       const cli_environment& env) {
  release::diagnostics diags;
  auto checked = release::check_release_spec(
    options_.spec, options_.make_toolchain(env, diags), options_.policy(), diags);
  print_diagnostics(diags, err);
  if (!checked)
    return exit_failed;
  out << "release " << checked->rel.spec.name << " "
      << checked->rel.spec.vsn.text() << ": " << checked->rel.apps.size()
      << " applications, all checks passed";
  if (auto w = diags.warning_count())
    out << " (" << w << " warning(s))";
  out << '\n';
  return exit_ok;
}

} // namespace relc::cli
