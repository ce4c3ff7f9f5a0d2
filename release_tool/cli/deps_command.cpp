#include "deps_command.hpp"

#include "relc/release/app_index.hpp"
#include "relc/release/release_spec.hpp"
#include "relc/release/resolver.hpp"

namespace relc::cli {

void deps_command::add_to(CLI::App& app) {
  cmd_ = app.add_subcommand("deps", "show the start order and dependencies");
  options_.add_to(*cmd_, false);
  cmd_->add_option("--format", format_, "tree (default), dot or json")
    ->check(CLI::IsMember({"tree", "dot", "json"}));
}

int deps_command::run(std::ostream& out, std::ostream& err,
                      const cli_environment& env) {
  release::diagnostics diags;
  auto tools = options_.make_toolchain(env, diags);
  auto spec = release::load_release_spec(options_.spec, diags);
  std::optional<release::resolved_release> rel;
  if (spec) {
    auto index = release::app_index::scan(tools.lib_dirs, diags);
    rel = release::resolve_release(*spec, index, diags);
  }
  print_diagnostics(diags, err);
  if (!spec || diags.has_errors())
    return exit_failed;
  auto format = format_ == "dot"    ? release::deps_format::dot
                : format_ == "json" ? release::deps_format::json
                                    : release::deps_format::tree;
  out << release::render_deps(*rel, format);
  return exit_ok;
}

} // namespace relc::cli
