#include "relc/release/manifest.hpp"

#include <filesystem>

#include "relc/release/release_error.hpp"
#include "yaml_document.hpp"

namespace relc::release {

source_location app_manifest::where(const std::string& key) const {
  auto i = locations.find(key);
  return i != locations.end() ? i->second : source_location{file};
}

namespace {

const std::vector<std::string> known_keys = {
  "application", "vsn", "description", "id", "modules", "registered",
  "applications", "optional_applications", "included_applications", "env",
  "mod", "start_phases", "library",
};

std::optional<callback_ref> read_callback(mapping_reader& in,
                                          const std::string& key) {
  auto node = in.get(key);
  if (!node.IsDefined())
    return std::nullopt;
  if (!node.IsMap()) {
    in.wrong(key, node, "a mapping {module: NAME, args: ANY}");
    return std::nullopt;
  }
  mapping_reader sub{in.file(), node, in.diags(), "'" + key + "': "};
  auto module = sub.name("module", true);
  sub.warn_unknown({"module", "args"});
  if (!module)
    return std::nullopt;
  return callback_ref{*module, to_term(sub.get("args"))};
}

std::optional<std::vector<start_phase>> read_phases(mapping_reader& in) {
  auto node = in.get("start_phases");
  if (!node.IsDefined() || node.IsNull())
    return std::nullopt;
  const std::string expected = "a list of one-key mappings '- PHASE: ARGS'";
  if (!node.IsSequence()) {
    in.wrong("start_phases", node, expected);
    return std::nullopt;
  }
  std::vector<start_phase> phases;
  auto add = [&](const YAML::Node& where, const std::string& phase, term args) {
    for (auto& other : phases)
      if (other.name == phase)
        in.diags().error(location_of(in.file(), where),
                         "key 'start_phases': phase '" + phase
                           + "' is listed twice");
    phases.push_back({phase, std::move(args)});
  };
  for (const auto& item : node) {
    if (item.IsScalar() && is_valid_name(item.Scalar())) {
      add(item, item.Scalar(), term{}); // `- init` means no args
      continue;
    }
    if (!item.IsMap() || item.size() != 1) {
      in.wrong("start_phases", item, expected);
      continue;
    }
    auto kv = *item.begin();
    auto& phase = kv.first.Scalar();
    if (!is_valid_name(phase)) {
      in.wrong("start_phases", kv.first, "a phase name [a-z][a-z0-9_]*");
      continue;
    }
    add(kv.first, phase, to_term(kv.second));
  }
  return phases;
}

} // namespace

caf::expected<app_manifest> load_app_manifest(const std::string& staged,
                                              diagnostics& diags) {
  // A staged manifest that links to its source (relc_add_application) is
  // named by its source: the file the user edits.
  auto path = staged;
  std::error_code ec;
  if (std::filesystem::is_symlink(staged, ec))
    if (auto real = std::filesystem::canonical(staged, ec); !ec)
      path = real.string();
  auto errors_before = diags.error_count();
  auto root = parse_yaml_file(path, diags);
  if (!root)
    return make_error(release_errc::bad_input, "cannot load " + path);
  if (!root->IsMap()) {
    diags.error(location_of(path, *root),
                "expected a YAML mapping of manifest keys, found "
                  + describe(*root));
    return make_error(release_errc::bad_input, "bad manifest " + path);
  }
  mapping_reader in{path, *root, diags, ""};
  app_manifest m;
  m.file = path;
  for (const auto& kv : *root)
    m.locations[kv.first.Scalar()] = location_of(path, kv.second);
  if (auto x = in.name("application", true))
    m.name = *x;
  if (auto x = in.string("vsn", true)) {
    if (auto v = version::parse(*x))
      m.vsn = *v;
    else
      in.wrong("vsn", in.get("vsn"), "a version like 1.2.0 or 2.0-rc1");
  }
  if (auto x = in.string("description", false))
    m.description = *x;
  if (auto x = in.string("id", false))
    m.id = *x;
  auto lists = {std::pair{"modules", &m.modules},
                std::pair{"registered", &m.registered},
                std::pair{"applications", &m.applications},
                std::pair{"optional_applications", &m.optional_applications},
                std::pair{"included_applications", &m.included_applications}};
  for (auto [key, target] : lists)
    if (auto x = in.name_list(key))
      *target = std::move(*x);
  auto env = in.get("env");
  if (env.IsDefined() && !env.IsNull()) {
    if (env.IsMap())
      m.env = to_term(env);
    else
      in.wrong("env", env, "a mapping of keys to values");
  }
  m.mod = read_callback(in, "mod");
  m.start_phases = read_phases(in);
  m.library = "lib" + m.name + ".so";
  if (auto x = in.string("library", false)) {
    if (*x == "none")
      m.library = std::nullopt;
    else if (x->empty() || x->find('/') != std::string::npos || *x == "."
             || *x == "..")
      in.wrong("library", in.get("library"),
               "a file name under lib/ (no '/') or 'none'");
    else
      m.library = *x;
  }
  if (!m.library && m.mod)
    diags.error(m.where("mod"),
                "'mod' names a callback but 'library' is none: the callback "
                "needs a library to live in");
  in.warn_unknown(known_keys);
  if (diags.error_count() > errors_before)
    return make_error(release_errc::bad_input, "bad manifest " + path);
  return m;
}

} // namespace relc::release
