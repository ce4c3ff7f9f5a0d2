#include "build_command.hpp"

namespace relc::cli {

void build_command::add_to(CLI::App& app) {
  cmd_ = app.add_subcommand("build", "check a release spec and write the "
                                     "release directory and tarball");
  options_.add_to(*cmd_, true);
  cmd_->add_option("--out", out_dir_, "output dir (default _rel)");
  cmd_->add_flag("--no-tar", no_tar_, "write the directory only");
  cmd_->add_flag("--replace-running", replace_running_,
                 "replace a release a node runs from (it keeps its run/, "
                 "log/ and var/); without it, that is refused");
  cmd_->add_option("--upfrom", upfrom_,
                   "an earlier release to carry a relup from: its directory, "
                   "its tarball, or its version built under --out (repeatable)");
}

int build_command::run(std::ostream& out, std::ostream& err,
                       const cli_environment& env) {
  release::diagnostics diags;
  release::build_options opts;
  opts.out_dir = out_dir_;
  opts.upfrom = upfrom_;
  opts.tarball = no_tar_ ? release::tarball_output::skip
                         : release::tarball_output::write;
  opts.policy = options_.policy();
  opts.cancelled = env.cancelled;
  opts.replace_running = replace_running_;
  auto result = release::build_release(options_.spec,
                                       options_.make_toolchain(env, diags), opts,
                                       diags);
  print_diagnostics(diags, err);
  if (!result) {
    err << "relc: build failed, nothing written\n";
    return exit_failed;
  }
  if (result->unchanged) {
    out << "release " << result->release_dir << " is up to date (nothing written)\n";
    return exit_ok;
  }
  out << "release written to " << result->release_dir << '\n';
  if (result->tarball)
    out << "tarball written to " << *result->tarball << '\n';
  return exit_ok;
}

} // namespace relc::cli
