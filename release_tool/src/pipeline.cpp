#include "relc/release/pipeline.hpp"

#include "relc/release/app_index.hpp"
#include "relc/release/archiver.hpp"
#include "relc/release/assembler.hpp"
#include "relc/release/checks.hpp"
#include "relc/release/release_error.hpp"
#include "relc/release/runtime_bundle.hpp"

namespace relc::release {

namespace {

caf::error failed(diagnostics& diags, const std::string& what) {
  return make_error(release_errc::check_failed,
                    what + ": " + std::to_string(diags.error_count())
                      + " error(s)");
}

std::optional<runtime_bundle> bundle_of(const toolchain& tools,
                                        diagnostics& diags) {
  if (tools.node_executable.empty())
    return std::nullopt;
  auto bundle = find_runtime_bundle(tools.node_executable);
  if (!bundle) {
    diags.error({tools.node_executable}, message_of(bundle.error()));
    return std::nullopt;
  }
  return std::move(*bundle);
}

} // namespace

caf::expected<checked_release>
check_release_spec(const std::string& spec_path, const toolchain& tools,
                   warning_policy policy, diagnostics& diags) {
  auto spec = load_release_spec(spec_path, diags);
  if (!spec)
    return failed(diags, "cannot check " + spec_path);
  auto index = app_index::scan(tools.lib_dirs, diags);
  auto rel = resolve_release(*spec, index, diags);
  auto libraries = scan_libraries(rel, diags);
  check_context ctx;
  ctx.runtime_version = *version::parse(tools.runtime_version);
  if (auto bundle = bundle_of(tools, diags))
    ctx.runtime_sonames = bundle->provided;
  check_release(rel, libraries, ctx, diags);
  if (policy == warning_policy::fail)
    diags.promote_warnings();
  if (diags.has_errors())
    return failed(diags, "check of " + spec_path + " failed");
  return checked_release{std::move(rel), std::move(libraries)};
}

caf::expected<build_result>
build_release(const std::string& spec_path, const toolchain& tools,
              const build_options& options, diagnostics& diags) {
  auto checked = check_release_spec(spec_path, tools, options.policy, diags);
  if (!checked)
    return checked.error();
  auto& rel = checked->rel;
  assembly_inputs inputs;
  inputs.runtime_version = tools.runtime_version;
  if (rel.spec.include_runtime)
    inputs.runtime = bundle_of(tools, diags);
  auto tree = assemble_release(rel, checked->libraries, inputs, diags);
  if (!tree)
    return failed(diags, "build of " + spec_path + " failed");
  publish_options publish;
  publish.out_dir = options.out_dir;
  publish.rel_name = rel.spec.name;
  publish.tarball = rel.spec.name + "-" + rel.spec.vsn.text() + ".tar.gz";
  publish.tarball_mode = options.tarball;
  publish.mtime = archive_mtime();
  publish.cancelled = options.cancelled;
  if (auto err = publish_release(*tree, publish)) {
    diags.error({options.out_dir}, message_of(err));
    return err;
  }
  build_result result;
  result.release_dir = options.out_dir + "/" + rel.spec.name;
  if (options.tarball == tarball_output::write)
    result.tarball = options.out_dir + "/" + publish.tarball;
  return result;
}

} // namespace relc::release
