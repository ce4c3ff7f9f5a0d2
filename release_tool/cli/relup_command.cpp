#include "relup_command.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "relc/runtime/release_layout.hpp"

namespace fs = std::filesystem;

namespace relc::cli {

namespace {

// Writes `text` to `path` through a temporary file and a rename: a reader
// sees the old relup or the new one, never a part.
bool write_atomically(const std::string& path, const std::string& text,
                      std::string& why) {
  auto temp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream file{temp, std::ios::binary | std::ios::trunc};
    file << text;
    file.flush();
    if (!file) {
      why = "cannot write " + temp;
      fs::remove(temp);
      return false;
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    why = "cannot rename " + temp + " to " + path;
    fs::remove(temp);
    return false;
  }
  return true;
}

} // namespace

void relup_command::add_to(CLI::App& app) {
  cmd_ = app.add_subcommand("relup", "write the upgrade and downgrade scripts "
                                     "from earlier releases into a built one");
  options_.add_to(*cmd_, true);
  cmd_->add_option("--from", from_,
                   "an earlier release: its directory, its tarball, or its "
                   "version built under --out (repeatable)")
    ->required();
  cmd_->add_option("--out", out_dir_, "where the release was built (default _rel)");
}

int relup_command::run(std::ostream& out, std::ostream& err,
                       const cli_environment& env) {
  release::diagnostics diags;
  auto tools = options_.make_toolchain(env, diags);
  auto checked = release::check_release_spec(options_.spec, tools,
                                             options_.policy(), diags);
  std::optional<release::relup> up;
  std::string target;
  if (checked) {
    auto& spec = checked->rel.spec;
    auto root = out_dir_ + "/" + spec.name;
    target = root + "/" + layout::relup_file(spec.vsn.text());
    auto start = layout::read_start_data(root);
    if (!start || start->release_vsn != spec.vsn.text())
      diags.error({root}, "expected " + spec.name + " " + spec.vsn.text()
                            + " built there (relc build " + options_.spec
                            + " --out " + out_dir_ + "), found "
                            + (start ? "version " + start->release_vsn
                                     : std::string{"no release"}));
    else
      up = release::make_release_relup(*checked, tools, from_, out_dir_, diags);
  }
  print_diagnostics(diags, err);
  if (!up) {
    err << "relc: relup failed, nothing written\n";
    return exit_failed;
  }
  std::string why;
  if (!write_atomically(target, release::render_relup(*up), why)) {
    err << "relc: error: " << why << '\n';
    return exit_failed;
  }
  out << "relup written to " << target << " (up from";
  for (auto& s : up->up)
    out << ' ' << s.vsn;
  out << ")\n";
  return exit_ok;
}

} // namespace relc::cli
