#include "release_options.hpp"

#include "relc/release/app_index.hpp"
#include "relc/release/release_error.hpp"
#include "relc/release/runtime_bundle.hpp"

namespace relc::cli {

void release_options::add_to(CLI::App& cmd, bool with_strict) {
  cmd.add_option("spec", spec, "release spec file (<rel>.rel)")->required();
  cmd.add_option("--lib-dir", lib_dirs,
                 "dir of <app>-<vsn>/ directories; repeat, searched in order "
                 "(RELC_LIB_DIRS adds more)");
  cmd.add_option("--runtime", runtime,
                 "the node executable (bin/relc-node of another relc install) "
                 "whose runtime the release needs and bundles; default: this "
                 "relc's");
  if (with_strict)
    cmd.add_flag("--strict", strict, "treat warnings as errors");
}

release::toolchain
release_options::make_toolchain(const cli_environment& env,
                                release::diagnostics& diags) const {
  release::toolchain tools;
  tools.lib_dirs = release::effective_lib_dirs(lib_dirs, env.builtin_lib_dir);
  tools.runtime_version = env.runtime_version;
  tools.node_executable = env.node_executable;
  if (!runtime.empty()) {
    // Like relx's include_erts path: the version is the one the executable
    // carries, read from its ELF file (nothing of it runs).
    auto version = release::read_runtime_version(runtime);
    if (!version)
      diags.error({runtime}, release::message_of(version.error()));
    else
      tools.runtime_version = *version;
    tools.node_executable = runtime;
  }
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
