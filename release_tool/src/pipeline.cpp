#include "relc/release/pipeline.hpp"

#include "relc/release/app_index.hpp"
#include "relc/release/archiver.hpp"
#include "relc/release/assembler.hpp"
#include "relc/release/checks.hpp"
#include "relc/release/release_error.hpp"
#include "relc/release/runtime_bundle.hpp"
#include "relc/runtime/release_layout.hpp"

#include <filesystem>

#include "file_bytes.hpp"

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

// An earlier release named by `from`: a path, or a version built under
// `out_dir` (its tarball, which a later build leaves in place, or the
// release directory if it still holds that version).
caf::expected<release_files> find_earlier(const std::string& from,
                                          const std::string& out_dir,
                                          const std::string& rel_name) {
  std::error_code ec;
  if (std::filesystem::exists(from, ec) || !version::parse(from))
    return release_files::open(from);
  auto tarball = out_dir + "/" + rel_name + "-" + from + ".tar.gz";
  if (std::filesystem::exists(tarball, ec))
    return release_files::open(tarball);
  auto dir = out_dir + "/" + rel_name;
  if (auto start = layout::read_start_data(dir); start && start->release_vsn == from)
    return release_files::open(dir);
  return make_error(release_errc::check_failed,
                    "no earlier release " + from + ": expected a release "
                    "directory, a tarball, or " + tarball);
}

} // namespace

std::optional<relup>
make_release_relup(const checked_release& checked, const toolchain& tools,
                   const std::vector<std::string>& from,
                   const std::string& out_dir, diagnostics& diags) {
  auto& rel = checked.rel;
  auto errors = diags.error_count();
  std::vector<release_summary> earlier;
  for (auto& f : from) {
    auto files = find_earlier(f, out_dir, rel.spec.name);
    if (!files) {
      diags.error({}, message_of(files.error()));
      continue;
    }
    auto r = read_release_summary(*files);
    if (!r) {
      diags.error({}, message_of(r.error()));
      continue;
    }
    earlier.push_back(std::move(*r));
  }
  auto appups = load_appups(rel, diags);
  relup_inputs in;
  in.next = &rel;
  in.libraries = &checked.libraries;
  in.appups = &appups;
  in.runtime_vsn = tools.runtime_version;
  if (rel.spec.sys_config) {
    if (auto text = read_file_bytes(*rel.spec.sys_config)) {
      auto parsed = parse_yaml_term(*text, *rel.spec.sys_config);
      if (parsed.ok && parsed.value.is_map())
        in.sys_config = parsed.value;
    }
  }
  // The releases that could be read are still compared, so one run
  // reports every problem.
  auto result = make_relup(in, earlier, diags);
  if (diags.error_count() > errors)
    return std::nullopt;
  return result;
}

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
  // The earlier releases are read before anything is written: `--upfrom
  // _rel/bsc` may name the very directory this build replaces.
  if (!options.upfrom.empty()) {
    auto up = make_release_relup(*checked, tools, options.upfrom,
                                 options.out_dir, diags);
    if (!up)
      return failed(diags, "build of " + spec_path + " failed");
    if (auto err = tree->add_content(layout::relup_file(rel.spec.vsn.text()),
                                     render_relup(*up), 0644)) {
      diags.error({spec_path}, message_of(err));
      return failed(diags, "build of " + spec_path + " failed");
    }
  }
  publish_options publish;
  publish.out_dir = options.out_dir;
  publish.rel_name = rel.spec.name;
  publish.tarball = rel.spec.name + "-" + rel.spec.vsn.text() + ".tar.gz";
  publish.tarball_mode = options.tarball;
  publish.mtime = archive_mtime();
  publish.cancelled = options.cancelled;
  std::vector<std::string> running;
  publish.running_nodes = &running;
  bool unchanged = false;
  publish.unchanged = &unchanged;
  publish.replace_running = options.replace_running;
  if (auto err = publish_release(*tree, publish)) {
    diags.error({options.out_dir}, message_of(err));
    return err;
  }
  for (auto& node : running)
    diags.warning({options.out_dir + "/" + rel.spec.name},
                  node + " runs from this release: its files were replaced "
                         "under it (run/, log/ and var/ kept; restart it to "
                         "run the new build)");
  build_result result;
  result.unchanged = unchanged;
  result.release_dir = options.out_dir + "/" + rel.spec.name;
  if (options.tarball == tarball_output::write)
    result.tarball = options.out_dir + "/" + publish.tarball;
  return result;
}

} // namespace relc::release
