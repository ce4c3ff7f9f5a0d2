#include "relc/release/boot_script.hpp"

#include "relc/runtime/boot_file.hpp"
#include "relc/runtime/boot_schema.hpp"
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
  return term::map{{boot_keys::module, x.module}, {boot_keys::args, x.args}};
}

std::string app_dir(const resolved_app& app) {
  return layout::app_dir(app.name(), app.manifest.vsn.text());
}

term app_entry(const resolved_app& app,
               const std::map<std::string, app_library>& libraries) {
  auto& m = app.manifest;
  term entry = term::map{};
  entry.set(boot_keys::name, m.name);
  entry.set(boot_keys::vsn, m.vsn.text());
  entry.set(boot_keys::type, to_string(app.type));
  entry.set(boot_keys::dir, app_dir(app));
  if (auto lib = libraries.find(m.name); lib != libraries.end())
    entry.set(boot_keys::library,
              term::map{{boot_keys::path, app_dir(app) + "/lib/" + *m.library},
                        {boot_keys::sha256, lib->second.sha256},
                        {boot_keys::size, static_cast<int64_t>(lib->second.size)}});
  else
    entry.set(boot_keys::library, term{});
  entry.set(boot_keys::description, m.description);
  entry.set(boot_keys::mod, m.mod ? callback(*m.mod) : term{});
  if (m.start_phases) {
    term::list phases;
    for (auto& p : *m.start_phases)
      phases.emplace_back(term::map{{boot_keys::name, p.name}, {boot_keys::args, p.args}});
    entry.set(boot_keys::start_phases, std::move(phases));
  } else {
    entry.set(boot_keys::start_phases, term{});
  }
  entry.set(boot_keys::applications, names(m.applications));
  entry.set(boot_keys::optional_applications, names(app.present_optional));
  entry.set(boot_keys::included_applications, names(app.included));
  entry.set(boot_keys::included_by, app.included_by ? term{*app.included_by} : term{});
  entry.set(boot_keys::registered, names(m.registered));
  entry.set(boot_keys::modules, names(m.modules));
  entry.set(boot_keys::env, m.env);
  return entry;
}

term boot_entry(const boot_control& boot) {
  term::list init;
  for (auto& x : boot.init) {
    if (x.function.empty())
      init.emplace_back(term::map{{boot_keys::app, x.app}});
    else
      init.emplace_back(term::map{
        {boot_keys::call, term::map{{boot_keys::app, x.app}, {boot_keys::function, x.function}}},
        {boot_keys::args, x.args}});
  }
  return term::map{{boot_keys::init, std::move(init)},
                   {boot_keys::main, boot.main ? term{*boot.main} : term{}},
                   {boot_keys::handler, boot.handler ? callback(*boot.handler) : term{}},
                   {boot_keys::shutdown_timer, boot.shutdown_timer},
                   {boot_keys::restart_limit,
                    term::map{{boot_keys::max, boot.max_restarts},
                              {boot_keys::period, boot.restart_period},
                              {boot_keys::exceeded, boot.give_up ? boot_keys::give_up : boot_keys::halt}}},
                   {boot_keys::recovery_after, boot.recovery_after}};
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
  script.set(boot_keys::format, static_cast<int64_t>(boot_format_version));
  script.set(boot_keys::release, term::map{{boot_keys::name, spec.name},
                                  {boot_keys::vsn, spec.vsn.text()},
                                  {boot_keys::runtime, runtime_version}});
  script.set(boot_keys::apps, std::move(apps));
  script.set(boot_keys::boot, spec.boot ? boot_entry(*spec.boot) : term{});
  script.set(boot_keys::sys_config, layout::sys_config(spec.vsn.text()));
  script.set(boot_keys::node_args, layout::node_args(spec.vsn.text()));
  if (spec.parallel_start) // absent means sequential: older boot files too
    script.set(boot_keys::start, boot_keys::parallel);
  if (!spec.health_await.empty()) {
    term::list names;
    for (auto& n : spec.health_await)
      names.emplace_back(n);
    script.set(boot_keys::health, std::move(names));
  }
  return script;
}

std::string render_script(const term& script) {
  std::string out = "# relc boot script (readable form of the .boot file); "
                    "generated, do not edit\n";
  render_block(out, script, 0);
  return out;
}

} // namespace relc::release
