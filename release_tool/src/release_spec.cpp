#include "relc/release/release_spec.hpp"

#include <filesystem>

#include "relc/release/release_error.hpp"
#include "yaml_document.hpp"

namespace fs = std::filesystem;

namespace relc::release {

const char* to_string(app_type x) {
  switch (x) {
    case app_type::permanent: return "permanent";
    case app_type::transient: return "transient";
    case app_type::temporary: return "temporary";
    case app_type::load: return "load";
    case app_type::none: return "none";
  }
  return "?";
}

std::optional<app_type> parse_app_type(const std::string& text) {
  for (auto x : {app_type::permanent, app_type::transient, app_type::temporary,
                 app_type::load, app_type::none})
    if (text == to_string(x))
      return x;
  return std::nullopt;
}

namespace {

const std::vector<std::string> known_keys = {
  "release", "vsn", "runtime", "applications", "sys_config", "node_args",
  "include_runtime", "boot", "overlays", "start", "health",
};

std::string resolve(const std::string& dir, const std::string& path) {
  if (fs::path{path}.is_absolute())
    return path;
  return (fs::path{dir} / path).lexically_normal().string();
}

std::optional<release_app> read_app(mapping_reader& in,
                                    const YAML::Node& item) {
  auto& diags = in.diags();
  const std::string expected
    = "an app name or a mapping {name, vsn?, type?, included?}";
  release_app app;
  app.where = location_of(in.file(), item);
  if (item.IsScalar()) {
    if (!is_valid_name(item.Scalar())) {
      in.wrong("applications", item, expected);
      return std::nullopt;
    }
    app.name = item.Scalar();
    return app;
  }
  if (!item.IsMap()) {
    in.wrong("applications", item, expected);
    return std::nullopt;
  }
  auto errors = diags.error_count();
  mapping_reader sub{in.file(), item, diags, "application entry: "};
  if (auto x = sub.name("name", true))
    app.name = *x;
  if (auto x = sub.string("vsn", false)) {
    if (auto v = version::parse(*x))
      app.vsn = *v;
    else
      sub.wrong("vsn", sub.get("vsn"), "a version like 1.2.0");
  }
  if (auto x = sub.string("type", false)) {
    if (auto t = parse_app_type(*x))
      app.type = *t;
    else
      sub.wrong("type", sub.get("type"),
                "one of permanent, transient, temporary, load, none");
  }
  if (sub.get("included").IsDefined())
    if (auto x = sub.name_list("included"))
      app.included = std::move(*x);
  sub.warn_unknown({"name", "vsn", "type", "included"});
  if (diags.error_count() > errors)
    return std::nullopt;
  return app;
}

std::optional<boot_init_entry> read_init_entry(mapping_reader& in,
                                               const YAML::Node& item) {
  const std::string expected
    = "an app name or {call: APP.FUNCTION, args: [...]}";
  boot_init_entry entry;
  entry.where = location_of(in.file(), item);
  if (item.IsScalar() && is_valid_name(item.Scalar())) {
    entry.app = item.Scalar();
    return entry;
  }
  if (!item.IsMap()) {
    in.wrong("init", item, expected);
    return std::nullopt;
  }
  mapping_reader sub{in.file(), item, in.diags(), "boot init entry: "};
  auto call = sub.string("call", true);
  sub.warn_unknown({"call", "args"});
  if (!call)
    return std::nullopt;
  auto dot = call->find('.');
  if (dot == std::string::npos || !is_valid_name(call->substr(0, dot))
      || dot + 1 == call->size()) {
    sub.wrong("call", sub.get("call"), "APP.FUNCTION (e.g. fw_hooks.mark)");
    return std::nullopt;
  }
  entry.app = call->substr(0, dot);
  entry.function = call->substr(dot + 1);
  for (char c : entry.function)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '_')) {
      sub.wrong("call", sub.get("call"), "a C identifier after APP.");
      return std::nullopt;
    }
  entry.args = to_term(sub.get("args"));
  return entry;
}

// `restart_limit: {max: N, period: MS, exceeded: halt | give_up}`
void read_restart_limit(mapping_reader& in, boot_control& boot) {
  auto node = in.get("restart_limit");
  if (!node.IsDefined() || node.IsNull())
    return;
  if (!node.IsMap()) {
    in.wrong("restart_limit", node,
             "a mapping {max: N, period: MS, exceeded: halt | give_up}");
    return;
  }
  mapping_reader sub{in.file(), node, in.diags(), "boot restart_limit: "};
  if (auto n = sub.integer("max")) {
    if (*n < 0)
      sub.wrong("max", sub.get("max"), "a number of restarts >= 0");
    else
      boot.max_restarts = *n;
  }
  if (auto ms = sub.integer("period")) {
    if (*ms <= 0)
      sub.wrong("period", sub.get("period"), "a positive number of milliseconds");
    else
      boot.restart_period = *ms;
  }
  if (auto what = sub.string("exceeded", false)) {
    if (*what == "give_up")
      boot.give_up = true;
    else if (*what != "halt")
      sub.wrong("exceeded", sub.get("exceeded"), "halt or give_up");
  }
  sub.warn_unknown({"max", "period", "exceeded"});
}

std::optional<boot_control> read_boot(mapping_reader& in) {
  auto node = in.get("boot");
  if (!node.IsDefined() || node.IsNull())
    return std::nullopt;
  if (!node.IsMap()) {
    in.wrong("boot", node, "a mapping {init, main, handler, shutdown_timer}");
    return std::nullopt;
  }
  mapping_reader sub{in.file(), node, in.diags(), "boot: "};
  boot_control boot;
  auto init = sub.get("init");
  if (init.IsDefined() && !init.IsNull()) {
    if (!init.IsSequence())
      sub.wrong("init", init, "a list of apps and calls");
    else
      for (const auto& item : init)
        if (auto entry = read_init_entry(sub, item))
          boot.init.push_back(std::move(*entry));
  }
  boot.main = sub.name("main", false);
  boot.main_where = sub.where("main");
  auto handler = sub.get("handler");
  if (handler.IsDefined()) {
    boot.handler_where = sub.where("handler");
    mapping_reader h{in.file(), handler, in.diags(), "boot handler: "};
    if (!handler.IsMap()) {
      sub.wrong("handler", handler, "a mapping {module: NAME, args: ANY}");
    } else if (auto module = h.name("module", true)) {
      boot.handler = callback_ref{*module, to_term(h.get("args"))};
      h.warn_unknown({"module", "args"});
    }
  }
  if (auto t = sub.integer("shutdown_timer")) {
    if (*t <= 0)
      sub.wrong("shutdown_timer", sub.get("shutdown_timer"),
                "a positive number of milliseconds");
    else
      boot.shutdown_timer = *t;
  }
  read_restart_limit(sub, boot);
  if (auto n = sub.integer("recovery_after")) {
    if (*n < 0)
      sub.wrong("recovery_after", sub.get("recovery_after"),
                "a number of failed boots (0: never)");
    else
      boot.recovery_after = *n;
  }
  sub.warn_unknown({"init", "main", "handler", "shutdown_timer",
                    "restart_limit", "recovery_after"});
  return boot;
}

std::vector<overlay> read_overlays(mapping_reader& in, const std::string& dir) {
  std::vector<overlay> result;
  auto node = in.get("overlays");
  if (!node.IsDefined() || node.IsNull())
    return result;
  const std::string expected
    = "a list of {copy: SRC, to: DST} or {template: SRC, to: DST}";
  if (!node.IsSequence()) {
    in.wrong("overlays", node, expected);
    return result;
  }
  for (const auto& item : node) {
    if (!item.IsMap()) {
      in.wrong("overlays", item, expected);
      continue;
    }
    mapping_reader sub{in.file(), item, in.diags(), "overlay: "};
    overlay entry;
    entry.where = location_of(in.file(), item);
    bool has_copy = sub.get("copy").IsDefined();
    bool has_template = sub.get("template").IsDefined();
    if (has_copy == has_template) {
      in.wrong("overlays", item, "exactly one of 'copy' or 'template'");
      continue;
    }
    entry.action = has_copy ? overlay::kind::copy
                            : overlay::kind::template_file;
    auto source = sub.string(has_copy ? "copy" : "template", true);
    auto destination = sub.string("to", true);
    sub.warn_unknown({"copy", "template", "to"});
    if (!source || !destination)
      continue;
    entry.source = *source;
    entry.source_path = resolve(dir, *source);
    entry.destination = *destination;
    result.push_back(std::move(entry));
  }
  return result;
}

} // namespace

caf::expected<release_spec> load_release_spec(const std::string& path,
                                              diagnostics& diags) {
  auto errors_before = diags.error_count();
  auto root = parse_yaml_file(path, diags);
  if (!root)
    return make_error(release_errc::bad_input, "cannot load " + path);
  if (!root->IsMap()) {
    diags.error(location_of(path, *root),
                "expected a YAML mapping of release keys, found "
                  + describe(*root));
    return make_error(release_errc::bad_input, "bad release spec " + path);
  }
  mapping_reader in{path, *root, diags, ""};
  release_spec spec;
  spec.file = path;
  spec.dir = fs::path{path}.parent_path().string();
  if (spec.dir.empty())
    spec.dir = ".";
  if (auto x = in.name("release", true))
    spec.name = *x;
  if (auto x = in.string("vsn", true)) {
    if (auto v = version::parse(*x))
      spec.vsn = *v;
    else
      in.wrong("vsn", in.get("vsn"), "a version like 1.2.0");
  }
  spec.runtime_where = in.where("runtime");
  if (auto x = in.string("runtime", false)) {
    if (auto v = version::parse(*x))
      spec.runtime = *v;
    else
      in.wrong("runtime", in.get("runtime"), "a version like 0.1.0");
  }
  auto apps = in.get("applications");
  if (!apps.IsDefined()) {
    in.missing("applications");
  } else if (!apps.IsSequence()) {
    in.wrong("applications", apps, "a list of applications");
  } else {
    for (const auto& item : apps)
      if (auto app = read_app(in, item)) {
        for (auto& other : spec.apps)
          if (other.name == app->name)
            diags.error(app->where, "application '" + app->name
                                      + "' is listed twice (first at line "
                                      + std::to_string(other.where.line)
                                      + ")");
        spec.apps.push_back(std::move(*app));
      }
  }
  if (auto x = in.string("sys_config", false))
    spec.sys_config = resolve(spec.dir, *x);
  if (auto x = in.string("node_args", false))
    spec.node_args = resolve(spec.dir, *x);
  if (auto x = in.boolean("include_runtime"))
    spec.include_runtime = *x;
  if (auto x = in.string("start", false)) {
    if (*x == "parallel")
      spec.parallel_start = true;
    else if (*x != "sequential")
      in.wrong("start", in.get("start"), "sequential or parallel");
  }
  if (auto health = in.get("health"); health.IsDefined()) {
    auto names = health.IsMap() ? health["await"] : YAML::Node{};
    if (!names.IsSequence())
      in.wrong("health", health, "{await: [NAMES]}");
    else
      for (const auto& n : names)
        if (n.IsScalar() && !n.Scalar().empty())
          spec.health_await.push_back(n.Scalar());
        else
          in.wrong("health", health, "{await: [NAMES]} with names");
  }
  spec.boot = read_boot(in);
  spec.overlays = read_overlays(in, spec.dir);
  in.warn_unknown(known_keys);
  if (diags.error_count() > errors_before)
    return make_error(release_errc::bad_input, "bad release spec " + path);
  return spec;
}

} // namespace relc::release
