#include "release_options.hpp"

#include "relc/release/app_index.hpp"

namespace relc::cli {

void release_options::add_to(CLI::App& cmd, bool with_strict) {
  cmd.add_option("spec", spec, "release spec file (<rel>.rel)")->required();
  cmd.add_option("--lib-dir", lib_dirs,
                 "dir of <app>-<vsn>/ directories; repeat, searched in order "
                 "(RELC_LIB_DIRS adds more)");
  if (with_strict)
    cmd.add_flag("--strict", strict, "treat warnings as errors");
}

release::toolchain
release_options::make_toolchain(const cli_environment& env) const {
  release::toolchain tools;
  tools.lib_dirs = release::effective_lib_dirs(lib_dirs, env.builtin_lib_dir);
  tools.runtime_version = env.runtime_version;
  tools.node_executable = env.node_executable;
  return tools;
}

void print_diagnostics(const release::diagnostics& diags, std::ostream& err) {
  for (auto& d : diags.items())
    err << d.to_string() << '\n';
  if (diags.has_errors())
    err << "relc: " << diags.error_count() << " error(s), "
        << diags.warning_count() << " warning(s)\n";
}

} // namespace relc::cli
