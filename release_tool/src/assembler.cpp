#include "relc/release/assembler.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "relc/release/boot_script.hpp"
#include "relc/release/release_error.hpp"
#include "relc/runtime/boot_file.hpp"
#include "relc/release/runtime_bundle.hpp"
#include "start_script.hpp"
#include "relc/runtime/release_layout.hpp"

namespace fs = std::filesystem;

namespace relc::release {

caf::expected<std::string>
fill_template(const std::string& text, const std::string& file,
              const std::map<std::string, std::string>& vars,
              diagnostics& diags) {
  std::string out;
  out.reserve(text.size());
  bool ok = true;
  int line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n')
      ++line;
    if (c == '$' && text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 2;
      continue;
    }
    if (c != '$' || i + 1 >= text.size() || text[i + 1] != '{') {
      out += c;
      continue;
    }
    auto close = text.find('}', i + 2);
    auto name = close == std::string::npos
                  ? std::string{}
                  : text.substr(i + 2, close - i - 2);
    if (name.empty() || name.find_first_of(" \n\t$") != std::string::npos) {
      diags.error({file, line}, "template: unterminated or empty ${...}");
      ok = false;
      out += c;
      continue;
    }
    if (auto v = vars.find(name); v != vars.end()) {
      out += v->second;
    } else if (auto env = getenv(name.c_str())) {
      out += env;
    } else {
      diags.error({file, line},
                  "template: unknown variable ${" + name
                    + "} (built-in: REL_NAME, REL_VSN, RUNTIME_VSN; or set it "
                      "in the environment)");
      ok = false;
    }
    i = close;
  }
  if (!ok)
    return make_error(release_errc::bad_input, "bad template " + file);
  return out;
}

namespace {

class assembler {
public:
  assembler(const resolved_release& rel,
            const std::map<std::string, app_library>& libraries,
            const assembly_inputs& inputs, diagnostics& diags)
    : rel_(rel), libraries_(libraries), inputs_(inputs), diags_(diags) {
  }

  caf::expected<release_tree> run() {
    auto errors_before = diags_.error_count();
    auto& spec = rel_.spec;
    auto vsn = spec.vsn.text();
    note(tree_.add_content("bin/" + spec.name,
                           make_start_script(spec.name, vsn,
                                             inputs_.runtime_version),
                           0755),
         {spec.file});
    note(tree_.add_content("etc/" + spec.name + ".service",
                           make_systemd_unit(spec.name), 0644),
         {spec.file});
    if (spec.include_runtime)
      add_runtime();
    for (auto& app : rel_.apps)
      add_app(app);
    note(tree_.add_file(layout::spec_file(vsn, spec.name), spec.file, 0644),
         {spec.file});
    auto script = make_boot_script(rel_, libraries_, inputs_.runtime_version);
    note(tree_.add_content(layout::script_file(vsn, spec.name),
                           render_script(script), 0644),
         {spec.file});
    note(tree_.add_content(layout::boot_file(vsn, spec.name),
                           encode_boot_file(script), 0644),
         {spec.file});
    if (spec.sys_config)
      note(tree_.add_file(layout::sys_config(vsn), *spec.sys_config, 0644),
           {spec.file});
    else
      note(tree_.add_content(layout::sys_config(vsn),
                             "# {app: {key: value}} overriding app env\n{}\n",
                             0644),
           {spec.file});
    if (spec.node_args)
      note(tree_.add_file(layout::node_args(vsn), *spec.node_args, 0644),
           {spec.file});
    else
      note(tree_.add_content(layout::node_args(vsn),
                             "# relc boot flags and CAF options, one per line\n",
                             0644),
           {spec.file});
    note(tree_.add_content(layout::start_data(),
                           layout::start_data_text(inputs_.runtime_version, vsn),
                           0644),
         {spec.file});
    note(tree_.add_content(layout::releases_file(), releases_file(), 0644),
         {spec.file});
    for (auto& o : spec.overlays)
      add_overlay(o);
    note(tree_.check_links(), {spec.file});
    if (diags_.error_count() > errors_before)
      return make_error(release_errc::check_failed,
                        "cannot assemble release " + spec.name);
    return std::move(tree_);
  }

private:
  void note(const caf::error& err, const source_location& where) {
    if (err)
      diags_.error(where, message_of(err));
  }

  void add_runtime() {
    auto& spec = rel_.spec;
    if (!inputs_.runtime) {
      diags_.error({spec.file}, "include_runtime is true but this relc has no "
                                "runtime to bundle (set include_runtime: false)");
      return;
    }
    auto& rt = *inputs_.runtime;
    // Copies whose RUNPATHs name only the release's own directories
    // (docs/formats.md): bin/relc finds runtime-<rvsn>/lib, the libraries there
    // find each other.
    auto add_relocated = [&](const std::string& dest, const std::string& src,
                             const std::string& runpath, uint32_t mode) {
      auto bytes = relocated_copy(src, runpath);
      if (!bytes)
        note(bytes.error(), {spec.file});
      else
        note(tree_.add_content(dest, std::move(*bytes), mode), {spec.file});
    };
    add_relocated("bin/relc", rt.executable,
                  bundled_executable_runpath(inputs_.runtime_version), 0755);
    // The same executable inside its runtime directory: an upgrade to this
    // release from one on another runtime execs it (unpack moves the
    // directory in; bin/relc stays the one the root was built with).
    add_relocated(layout::runtime_executable(inputs_.runtime_version),
                  rt.executable, runtime_executable_runpath(), 0755);
    auto lib_dir = layout::runtime_lib_dir(inputs_.runtime_version) + "/";
    for (auto& lib : rt.libraries)
      add_relocated(lib_dir + lib.soname, lib.path, "$ORIGIN", 0644);
  }

  void add_app(const resolved_app& app) {
    auto dest = layout::app_dir(app.name(), app.manifest.vsn.text());
    auto& where = app.manifest.file;
    note(tree_.add_file(dest + "/" + app.name() + ".app", app.manifest.file,
                        0644),
         {where});
    std::error_code ec;
    // The appup goes with its version, for the release handler to read.
    auto appup = fs::path{app.dir} / (app.name() + ".appup");
    if (fs::is_regular_file(appup, ec))
      note(tree_.add_file(dest + "/" + app.name() + ".appup", appup.string(),
                          0644),
           {where});
    for (auto sub : {"lib", "priv"}) {
      auto src = fs::path{app.dir} / sub;
      if (fs::is_directory(src, ec))
        note(tree_.add_directory_copy(dest + "/" + sub, src.string()),
             {where});
    }
  }

  std::string releases_file() const {
    auto& spec = rel_.spec;
    layout::release_row row{spec.name, spec.vsn.text(), inputs_.runtime_version,
                            layout::release_state::permanent, {}};
    for (auto& app : rel_.apps)
      row.apps.push_back(app.name() + "-" + app.manifest.vsn.text());
    return layout::releases_text({row});
  }

  void add_overlay(const overlay& o) {
    auto& spec = rel_.spec;
    std::error_code ec;
    if (auto err = release_tree::validate_path(o.destination)) {
      diags_.error(o.where, "overlay 'to': " + message_of(err));
      return;
    }
    if (!fs::exists(o.source_path, ec)) {
      diags_.error(o.where, "overlay source " + o.source_path
                              + " does not exist");
      return;
    }
    if (o.action == overlay::kind::copy) {
      if (fs::is_directory(o.source_path, ec))
        note(tree_.add_directory_copy(o.destination, o.source_path), o.where);
      else
        note(tree_.add_file(o.destination, o.source_path,
                            (fs::status(o.source_path, ec).permissions()
                             & fs::perms::owner_exec)
                                != fs::perms::none
                              ? 0755
                              : 0644),
             o.where);
      return;
    }
    if (!fs::is_regular_file(o.source_path, ec)) {
      diags_.error(o.where, "overlay template " + o.source_path
                              + ": expected a regular file");
      return;
    }
    std::ifstream in{o.source_path, std::ios::binary};
    std::stringstream buffer;
    buffer << in.rdbuf();
    if (!in) {
      diags_.error(o.where, "cannot read template " + o.source_path);
      return;
    }
    std::map<std::string, std::string> vars{
      {"REL_NAME", spec.name},
      {"REL_VSN", spec.vsn.text()},
      {"RUNTIME_VSN", inputs_.runtime_version},
    };
    auto text = fill_template(buffer.str(), o.source_path, vars, diags_);
    if (text)
      note(tree_.add_content(o.destination, std::move(*text), 0644), o.where);
  }

  const resolved_release& rel_;
  const std::map<std::string, app_library>& libraries_;
  const assembly_inputs& inputs_;
  diagnostics& diags_;
  release_tree tree_;
};

} // namespace

caf::expected<release_tree>
assemble_release(const resolved_release& rel,
                 const std::map<std::string, app_library>& libraries,
                 const assembly_inputs& inputs, diagnostics& diags) {
  return assembler{rel, libraries, inputs, diags}.run();
}

} // namespace relc::release
