#include "test_upgrade_command.hpp"

namespace relc::cli {

void test_upgrade_command::add_to(CLI::App& app) {
  cmd_ = app.add_subcommand("test-upgrade",
                            "boot OLD, upgrade it to NEW, run the probe, "
                            "downgrade, run it again; exit 1 if a step fails");
  cmd_->add_option("old", options_.old_tarball, "the release tarball to boot")
    ->required()
    ->check(CLI::ExistingFile);
  cmd_->add_option("new", options_.new_tarball,
                   "the release tarball to upgrade to (with a relup from OLD)")
    ->required()
    ->check(CLI::ExistingFile);
  cmd_->add_option("--probe", options_.probe,
                   "a shell command run on each version (RELC_RELEASE_ROOT and "
                   "RELC_NODE_NAME set; $RELC_RELEASE_ROOT/bin/<rel> rpc ... works)");
  cmd_->add_flag("--keep", options_.keep, "keep the scratch release root");
}

int test_upgrade_command::run(std::ostream& out) {
  bool ok = release::run_test_upgrade(options_, [&out](const std::string& line) {
    out << line << '\n' << std::flush;
  });
  return ok ? 0 : 1;
}

} // namespace relc::cli
