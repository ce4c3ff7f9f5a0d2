#include "new_command.hpp"

#include <filesystem>

#include "relc/release/names.hpp"
#include "relc/release/project_template.hpp"
#include "relc/release/release_error.hpp"

namespace fs = std::filesystem;

namespace relc::cli {

void new_command::add_to(CLI::App& app) {
  cmd_ = app.add_subcommand("new", "write a new app or release project");
  cmd_->require_subcommand(1);
  app_cmd_ = cmd_->add_subcommand(
    "app", "an application (supervisor + worker, manifest, CMakeLists.txt); "
           "written to apps/NAME when ./apps exists, else to NAME");
  app_cmd_->add_option("NAME", name_, "the app's name, [a-z][a-z0-9_]*")
    ->required();
  app_cmd_->add_option("--dir", dir_, "where to write it instead");
  rel_cmd_ = cmd_->add_subcommand(
    "release", "a release project with one app: builds with find_package(relc) "
               "and boots as written");
  rel_cmd_->add_option("NAME", name_, "the release's name, [a-z][a-z0-9_]*")
    ->required();
  rel_cmd_->add_option("--app", app_, "its application (default: NAME)");
  rel_cmd_->add_option("--dir", dir_, "where to write it (default: NAME)");
}

int new_command::run(std::ostream& out, std::ostream& err) {
  auto is_release = rel_cmd_->parsed();
  if (app_.empty())
    app_ = name_;
  for (auto& [what, value] : {std::pair{is_release ? "release" : "app", name_},
                              std::pair{"app", app_}})
    if (!release::is_valid_name(value)) {
      err << "relc: error: " << what << " name '" << value
          << "': expected [a-z][a-z0-9_]* (at most 64 characters)\n";
      return exit_usage;
    }
  if (dir_.empty()) {
    std::error_code ec;
    dir_ = !is_release && fs::is_directory("apps", ec) ? "apps/" + name_ : name_;
  }
  auto files = is_release ? release::release_project(name_, app_)
                          : release::app_project(name_);
  if (auto e = release::write_project(dir_, files)) {
    err << "relc: error: " << release::message_of(e) << '\n';
    return exit_failed;
  }
  for (auto& f : files)
    out << "created " << (fs::path{dir_} / f.path).string() << '\n';
  if (is_release)
    out << "next: cmake -S " << dir_ << " -B " << dir_
        << "/build && cmake --build " << dir_ << "/build && " << dir_
        << "/build/_rel/" << name_ << "/bin/" << name_ << " foreground\n";
  else
    out << "next: add_subdirectory(" << dir_ << ") and list " << name_
        << " in your release spec's applications\n";
  return exit_ok;
}

} // namespace relc::cli
