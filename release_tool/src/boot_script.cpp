#include "relc/release/boot_script.hpp"

#include "relc/runtime/boot_file.hpp"
#include "relc/runtime/release_layout.hpp"

namespace relc::release {

namespace {

term names(const std::vector<std::string>& xs) {
  term::list result;
  for (auto& x : xs)
    result.emplace_back(x);
  return result;
}

term callback(const callback_ref& x) {
  return term::map{{"module", x.module}, {"args", x.args}};
}

std::string app_dir(const resolved_app& app) {
  return layout::app_dir(app.name(), app.manifest.vsn.text());
}

term app_entry(const resolved_app& app,
               const std::map<std::string, app_library>& libraries) {
  auto& m = app.manifest;
  term entry = term::map{};
  entry.set("name", m.name);
  entry.set("vsn", m.vsn.text());
  entry.set("type", to_string(app.type));
  entry.set("dir", app_dir(app));
  if (auto lib = libraries.find(m.name); lib != libraries.end())
    entry.set("library",
              term::map{{"path", app_dir(app) + "/lib/" + *m.library},
                        {"sha256", lib->second.sha256},
                        {"size", static_cast<int64_t>(lib->second.size)}});
  else
    entry.set("library", term{});
  entry.set("description", m.description);
  entry.set("mod", m.mod ? callback(*m.mod) : term{});
  if (m.start_phases) {
    term::list phases;
    for (auto& p : *m.start_phases)
      phases.emplace_back(term::map{{"name", p.name}, {"args", p.args}});
    entry.set("start_phases", std::move(phases));
  } else {
    entry.set("start_phases", term{});
  }
  entry.set("applications", names(m.applications));
  entry.set("optional_applications", names(app.present_optional));
  entry.set("included_applications", names(app.included));
  entry.set("included_by", app.included_by ? term{*app.included_by} : term{});
  entry.set("registered", names(m.registered));
  entry.set("modules", names(m.modules));
  entry.set("env", m.env);
  return entry;
}

term boot_entry(const boot_control& boot) {
  term::list init;
  for (auto& x : boot.init) {
    if (x.function.empty())
      init.emplace_back(term::map{{"app", x.app}});
    else
      init.emplace_back(term::map{
        {"call", term::map{{"app", x.app}, {"function", x.function}}},
        {"args", x.args}});
  }
  return term::map{{"init", std::move(init)},
                   {"main", boot.main ? term{*boot.main} : term{}},
                   {"handler", boot.handler ? callback(*boot.handler) : term{}},
                   {"shutdown_timer", boot.shutdown_timer},
                   {"restart_limit",
                    term::map{{"max", boot.max_restarts},
                              {"period", boot.restart_period},
                              {"exceeded", boot.give_up ? "give_up" : "halt"}}},
                   {"recovery_after", boot.recovery_after}};
}

bool is_scalar(const term& x) {
  return !x.is_list() && !x.is_map();
}

bool is_flat(const term& x) {
  if (is_scalar(x))
    return true;
  if (x.is_list()) {
    for (auto& y : x.as_list())
      if (!is_scalar(y))
        return false;
    return true;
  }
  return x.as_map().empty();
}

std::string key_text(const std::string& key) {
  // Reuse term's quoting rules for keys.
  return term{key}.to_string();
}

void render_block(std::string& out, const term& x, int indent);

void render_value_after_key(std::string& out, const term& value, int indent) {
  if (is_flat(value)) {
    out += ' ';
    out += value.to_string();
    out += '\n';
  } else {
    out += '\n';
    render_block(out, value, indent + 2);
  }
}

void render_block(std::string& out, const term& x, int indent) {
  std::string pad(static_cast<size_t>(indent), ' ');
  if (x.is_map()) {
    for (auto& [k, v] : x.as_map()) {
      out += pad + key_text(k) + ':';
      render_value_after_key(out, v, indent);
    }
  } else if (x.is_list()) {
    for (const auto& item : x.as_list()) {
      if (item.is_map() && !item.as_map().empty()) {
        // "- key: value" with the remaining keys aligned under the first.
        std::string nested;
        render_block(nested, item, indent + 2);
        out += pad + "- " + nested.substr(static_cast<size_t>(indent) + 2);
      } else {
        out += pad + "-";
        render_value_after_key(out, item, indent);
      }
    }
  } else {
    out += pad + x.to_string() + '\n';
  }
}

} // namespace

term make_boot_script(const resolved_release& rel,
                      const std::map<std::string, app_library>& libraries,
                      const std::string& runtime_version) {
  auto& spec = rel.spec;
  term::list apps;
  for (auto& app : rel.apps)
    apps.push_back(app_entry(app, libraries));
  term script = term::map{};
  script.set("format", static_cast<int64_t>(boot_format_version));
  script.set("release", term::map{{"name", spec.name},
                                  {"vsn", spec.vsn.text()},
                                  {"runtime", runtime_version}});
  script.set("apps", std::move(apps));
  script.set("boot", spec.boot ? boot_entry(*spec.boot) : term{});
  script.set("sys_config", layout::sys_config(spec.vsn.text()));
  script.set("node_args", layout::node_args(spec.vsn.text()));
  return script;
}

std::string render_script(const term& script) {
  std::string out = "# relc boot script (readable form of the .boot file); "
                    "generated, do not edit\n";
  render_block(out, script, 0);
  return out;
}

} // namespace relc::release
