#include "relc/release/checks.hpp"

#include "relc/runtime/log.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "relc/release/shared_library_search.hpp"
#include "relc/runtime/export_names.hpp"
#include "yaml_document.hpp"

namespace fs = std::filesystem;

namespace relc::release {

namespace {

bool started(app_type t) {
  return t == app_type::permanent || t == app_type::transient
         || t == app_type::temporary;
}

void check_registered(const resolved_release& rel, diagnostics& diags) {
  std::map<std::string, std::string> owner;
  for (auto& app : rel.apps)
    for (auto& name : app.manifest.registered) {
      auto [i, added] = owner.emplace(name, app.name());
      if (!added)
        diags.error(app.manifest.where("registered"),
                    "registered name '" + name + "' is claimed by both '"
                      + i->second + "' and '" + app.name() + "'");
    }
}

void check_modules(const resolved_release& rel,
                   const std::map<std::string, app_library>& libraries,
                   diagnostics& diags) {
  using namespace relc::export_names;
  const std::string prefix = module_prefix;
  std::map<std::string, std::string> owner;
  for (auto& app : rel.apps) {
    auto& m = app.manifest;
    for (auto& module : m.modules) {
      auto [i, added] = owner.emplace(module, app.name());
      if (!added)
        diags.error(m.where("modules"), "module '" + module
                                          + "' is provided by both '"
                                          + i->second + "' and '" + app.name()
                                          + "'");
    }
    if (!m.library) {
      if (!m.modules.empty())
        diags.error(m.where("modules"),
                    "application '" + app.name()
                      + "' lists modules but has 'library: none'");
      continue;
    }
    auto lib = libraries.find(app.name());
    if (lib == libraries.end())
      continue; // already reported by the library scan
    auto& exports = lib->second.elf.exports;
    auto lib_name = "lib/" + *m.library;
    for (auto& module : m.modules)
      if (exports.count(prefix + module) == 0)
        diags.error(m.where("modules"),
                    "application '" + app.name() + "': module '" + module
                      + "' is not exported by " + lib_name + " (expected symbol "
                      + prefix + module + ", see RELC_MODULE)");
    for (auto& symbol : exports)
      if (symbol.rfind(prefix, 0) == 0) {
        auto module = symbol.substr(prefix.size());
        if (std::find(m.modules.begin(), m.modules.end(), module)
            == m.modules.end())
          diags.warning(m.where("modules"),
                        "application '" + app.name() + "': " + lib_name
                          + " provides module '" + module
                          + "', which 'modules' does not list");
      }
    if (m.mod) {
      auto symbol = application_prefix + m.mod->module;
      if (exports.count(symbol) == 0)
        diags.error(m.where("mod"), "application '" + app.name()
                                      + "': callback '" + m.mod->module
                                      + "' is not exported by " + lib_name
                                      + " (expected symbol " + symbol
                                      + ", see RELC_APPLICATION)");
    }
  }
}

void check_kernel_and_types(const resolved_release& rel, diagnostics& diags) {
  auto* kernel = rel.find("kernel");
  if (!kernel)
    diags.error({rel.spec.file}, "the release has no 'kernel' application");
  else if (kernel->type != app_type::permanent)
    diags.error(kernel->where, std::string{"'kernel' must be permanent, not "}
                                 + to_string(kernel->type));
  for (auto& app : rel.apps) {
    if (!started(app.type))
      continue;
    for (auto& dep : app.manifest.applications)
      if (auto* d = rel.find(dep); d && !started(d->type) && !d->included_by)
        diags.warning(app.manifest.where("applications"),
                      "'" + app.name() + "' needs '" + dep + "', which is of type "
                        + to_string(d->type) + ": '" + app.name()
                        + "' will not start");
  }
}

void check_included(const resolved_release& rel, diagnostics& diags) {
  for (auto& app : rel.apps) {
    if (!app.included_by)
      continue;
    if (app.listed && started(app.type))
      diags.error(app.where, "application '" + app.name() + "' is included by '"
                               + *app.included_by + "' but listed as "
                               + to_string(app.type)
                               + ": an included app is started by its "
                                 "includer, never on its own (use type load)");
    for (auto& other : rel.apps)
      for (auto& dep : other.manifest.applications)
        if (dep == app.name())
          diags.error(other.manifest.where("applications"),
                      "'" + other.name() + "' needs '" + app.name()
                        + "' started, but '" + app.name()
                        + "' is included by '" + *app.included_by
                        + "' and is never started on its own");
  }
}

void check_runtime(const resolved_release& rel, const check_context& ctx,
                   diagnostics& diags) {
  if (rel.spec.runtime && *rel.spec.runtime != ctx.runtime_version)
    diags.error(rel.spec.runtime_where,
                "release needs runtime " + rel.spec.runtime->text()
                  + ", this relc provides " + ctx.runtime_version.text());
}

// check 9 in docs/commands.md: every DT_NEEDED of an app library resolves inside the release
// (the app's own lib/ via $ORIGIN, or the runtime) or on the base system.
void check_shared_libraries(const resolved_release& rel,
                            const std::map<std::string, app_library>& libs,
                            const check_context& ctx, diagnostics& diags) {
  for (auto& [name, lib] : libs) {
    auto* app = rel.find(name);
    std::vector<std::pair<std::string, elf_info>> queue{{lib.path, lib.elf}};
    std::set<std::string> seen;
    for (size_t i = 0; i < queue.size(); ++i) {
      auto [path, elf] = queue[i];
      auto origin = fs::path{path}.parent_path().string();
      for (auto& soname : elf.needed) {
        if (ctx.runtime_sonames.count(soname) || !seen.insert(soname).second)
          continue;
        auto found = find_shared_library(soname, elf.runpath, origin,
                                         runpath_entries::origin_relative);
        if (!found) {
          diags.error(app->manifest.where("library"),
                      "application '" + name + "': "
                        + fs::path{path}.filename().string() + " needs "
                        + soname
                        + ", which resolves neither inside the release nor "
                          "on the base system");
          continue;
        }
        // A library shipped in the app's own lib/ travels with the release;
        // its own needs must resolve too.
        auto app_lib_dir = (fs::path{app->dir} / "lib").lexically_normal();
        if (fs::path{*found}.lexically_normal().string().rfind(
              app_lib_dir.string(), 0)
            == 0) {
          std::ifstream in{*found, std::ios::binary};
          std::string bytes{std::istreambuf_iterator<char>{in}, {}};
          if (auto dep = parse_elf(bytes))
            queue.emplace_back(*found, std::move(*dep));
          else
            diags.error(app->manifest.where("library"),
                        "application '" + name + "': " + *found
                          + ": not a valid shared library");
        }
      }
    }
  }
}

// docs/formats.md: an app library's RUNPATH should name only directories inside
// the release. The library lands in lib/<app>-<vsn>/lib/, three levels
// below the root, so `$ORIGIN` may climb at most three `..`.
void check_runpaths(const resolved_release& rel,
                    const std::map<std::string, app_library>& libs,
                    diagnostics& diags) {
  for (auto& [name, lib] : libs) {
    auto* app = rel.find(name);
    auto& text = lib.elf.runpath_text;
    auto where = app->manifest.where("library");
    auto say = [&](const std::string& what) {
      diags.warning(where, "application '" + name + "': "
                             + fs::path{lib.path}.filename().string()
                             + " has RUNPATH '" + text + "': " + what);
    };
    if (text.empty())
      continue;
    if (text.front() == ':' || text.back() == ':'
        || text.find("::") != std::string::npos) {
      say("an empty entry loads libraries from the working directory");
      continue;
    }
    for (auto& entry : lib.elf.runpath) {
      auto rest = expand_origin(entry, ""); // what follows $ORIGIN
      if (!rest) {
        say("'" + entry + "' is outside the release (use $ORIGIN-relative "
            "paths, or none)");
        break;
      }
      // Climbing above the root at any point leaves the release, even if
      // the path comes back down: the root's own name is not known.
      int depth = 3; // lib/<app>-<vsn>/lib below the release root
      bool outside = false;
      std::string part;
      std::istringstream parts{*rest};
      while (std::getline(parts, part, '/')) {
        if (part == "..")
          outside |= --depth < 0;
        else if (!part.empty() && part != ".")
          ++depth;
      }
      if (outside) {
        say("'" + entry + "' leads outside the release");
        break;
      }
    }
  }
}

void check_boot(const resolved_release& rel,
                const std::map<std::string, app_library>& libs,
                diagnostics& diags) {
  if (!rel.spec.boot)
    return;
  auto& boot = *rel.spec.boot;
  auto exported = [&](const std::string& app, const std::string& symbol) {
    auto i = libs.find(app);
    return i != libs.end() && i->second.elf.exports.count(symbol) > 0;
  };
  for (auto& entry : boot.init) {
    if (!rel.find(entry.app)) {
      diags.error(entry.where, "boot init names application '" + entry.app
                                 + "', which is not in the release");
      continue;
    }
    if (!entry.function.empty()) {
      auto symbol = export_names::call_prefix + entry.function;
      if (!exported(entry.app, symbol))
        diags.error(entry.where, "boot init calls " + entry.app + "."
                                   + entry.function + ", but the library of '"
                                   + entry.app + "' does not export " + symbol);
    }
  }
  if (boot.main && !rel.find(*boot.main))
    diags.error(boot.main_where, "boot main names application '" + *boot.main
                                   + "', which is not in the release");
  if (boot.handler) {
    auto symbol = export_names::boot_handler_prefix + boot.handler->module;
    bool found = false;
    for (auto& [name, lib] : libs)
      found = found || lib.elf.exports.count(symbol) > 0;
    if (!found)
      diags.error(boot.handler_where, "boot handler '" + boot.handler->module
                                        + "' is exported by no application "
                                          "of the release (expected symbol "
                                        + symbol + ")");
  }
}

bool is_env_var_name(const std::string& s) {
  if (s.empty() || !(isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_'))
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// ${VAR} and ${VAR:-default} in sys.config strings, as the node expands
// them at boot: a malformed one would fail every boot, so it fails check.
void check_substitutions(const std::string& file, const YAML::Node& node,
                         const std::string& where, diagnostics& diags,
                         int depth = 0) {
  if (depth > 64)
    return;
  if (node.IsMap()) {
    for (const auto& kv : node)
      check_substitutions(file, kv.second,
                          where + (where.empty() ? "" : ".") + kv.first.Scalar(),
                          diags, depth + 1);
    return;
  }
  if (node.IsSequence()) {
    for (const auto& x : node)
      check_substitutions(file, x, where, diags, depth + 1);
    return;
  }
  if (!node.IsScalar())
    return;
  auto& text = node.Scalar();
  for (auto at = text.find("${"); at != std::string::npos;
       at = text.find("${", at + 2)) {
    auto close = text.find('}', at);
    if (close == std::string::npos) {
      diags.error(location_of(file, node),
                  "sys_config: " + where + ": unterminated ${ (expected "
                  "${VAR} or ${VAR:-default})");
      return;
    }
    auto inner = text.substr(at + 2, close - at - 2);
    auto name = inner.substr(0, inner.find(":-"));
    if (!is_env_var_name(name)) {
      diags.error(location_of(file, node),
                  "sys_config: " + where + ": '${" + inner
                    + "}': expected an environment variable name "
                      "[A-Za-z_][A-Za-z0-9_]*, found '" + name + "'");
      return;
    }
    at = close;
  }
}

void check_config_files(const resolved_release& rel, diagnostics& diags) {
  auto& spec = rel.spec;
  if (spec.sys_config) {
    if (auto root = parse_yaml_file(*spec.sys_config, diags)) {
      if (!root->IsNull() && !root->IsMap()) {
        diags.error(location_of(*spec.sys_config, *root),
                    "sys_config: expected a mapping {app: {key: value}}, found "
                      + describe(*root));
      } else if (root->IsMap()) {
        check_substitutions(*spec.sys_config, *root, "", diags);
        const YAML::Node& cfg = *root;
        auto kernel = cfg["kernel"];
        auto level = kernel.IsDefined() && kernel.IsMap()
                       ? YAML::Node{kernel["logger_level"]}
                       : YAML::Node{YAML::NodeType::Undefined};
        if (level.IsDefined() && level.IsScalar()) {
          auto text = level.Scalar();
          if (!parse_log_level(text) && text.find("${") == std::string::npos)
            diags.error(location_of(*spec.sys_config, level),
                        "sys_config: kernel.logger_level: expected debug, info, "
                        "warning or error, found '" + text + "'");
        }
        for (const auto& kv : *root) {
          auto& app = kv.first.Scalar();
          if (!kv.second.IsMap() && !kv.second.IsNull())
            diags.error(location_of(*spec.sys_config, kv.second),
                        "sys_config: app '" + app
                          + "': expected a mapping of env keys, found "
                          + describe(kv.second));
          else if (!rel.find(app)
                   && std::none_of(spec.apps.begin(), spec.apps.end(),
                                   [&](auto& x) { return x.name == app; }))
            diags.warning(location_of(*spec.sys_config, kv.first),
                          "sys_config configures '" + app
                            + "', which is not in the release");
        }
      }
    }
  }
  if (spec.node_args && !fs::is_regular_file(*spec.node_args))
    diags.error({spec.file}, "node_args file " + *spec.node_args
                               + " does not exist");
}

} // namespace

void check_release(const resolved_release& rel,
                   const std::map<std::string, app_library>& libraries,
                   const check_context& ctx, diagnostics& diags) {
  check_registered(rel, diags);
  check_modules(rel, libraries, diags);
  check_kernel_and_types(rel, diags);
  check_included(rel, diags);
  check_runtime(rel, ctx, diags);
  check_shared_libraries(rel, libraries, ctx, diags);
  check_runpaths(rel, libraries, diags);
  check_boot(rel, libraries, diags);
  check_config_files(rel, diags);
}

} // namespace relc::release
