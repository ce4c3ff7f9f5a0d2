#include "relc/release/appup.hpp"

#include "relc/release/names.hpp"
#include "relc/release/suggest.hpp"
#include "yaml_document.hpp"

namespace relc::release {

namespace {

using kind = appup_instruction::kind;

// Instructions written as a bare word, and as `{word: ...}`.
const std::vector<std::pair<std::string, kind>> instruction_names{
  {"restart_application", kind::restart_application},
  {"load_module", kind::load_module},
  {"add_module", kind::add_module},
  {"delete_module", kind::delete_module},
  {"update", kind::update},
  {"apply", kind::apply},
  {"restart_node", kind::restart_node},
};

std::vector<std::string> known_instructions() {
  std::vector<std::string> result;
  for (auto& [name, k] : instruction_names)
    result.push_back(name);
  return result;
}

class appup_reader {
public:
  appup_reader(std::string file, diagnostics& diags)
    : file_(std::move(file)), diags_(diags) {
  }

  std::optional<appup> read(const YAML::Node& root) {
    auto errors = diags_.error_count();
    appup result;
    result.file = file_;
    if (!root.IsMap()) {
      diags_.error(location_of(file_, root),
                   "expected a mapping with 'up' and 'down', found "
                     + describe(root));
      return std::nullopt;
    }
    mapping_reader top{file_, root, diags_, ""};
    top.warn_unknown({"up", "down"});
    result.up = entries(top, "up", "from");
    result.down = entries(top, "down", "to");
    if (diags_.error_count() > errors)
      return std::nullopt;
    return result;
  }

private:
  std::vector<appup_entry> entries(mapping_reader& top, const std::string& key,
                                   const std::string& vsn_key) {
    std::vector<appup_entry> result;
    auto list = top.get(key);
    if (!list.IsDefined() || list.IsNull())
      return result;
    if (!list.IsSequence()) {
      top.wrong(key, list, "a list of {" + vsn_key + ": VSN, do: [...]}");
      return result;
    }
    for (const auto& item : list) {
      if (!item.IsMap()) {
        diags_.error(location_of(file_, item),
                     key + ": expected {" + vsn_key + ": VSN, do: [...]}, found "
                       + describe(item));
        continue;
      }
      mapping_reader entry{file_, item, diags_, key + ": "};
      entry.warn_unknown({vsn_key, "do"});
      appup_entry e;
      e.where = location_of(file_, item);
      if (auto pattern = entry.string(vsn_key, true)) {
        auto star = pattern->find('*');
        if (pattern->empty()
            || (star != std::string::npos && star != pattern->size() - 1))
          diags_.error(entry.where(vsn_key),
                       key + ": " + vsn_key + ": expected a version or a "
                         "prefix pattern ending in '*' (1.0.*), found '"
                         + *pattern + "'");
        e.pattern = *pattern;
      }
      auto steps = entry.get("do");
      if (!steps.IsDefined()) {
        entry.missing("do");
      } else if (!steps.IsSequence()) {
        entry.wrong("do", steps, "a list of instructions");
      } else {
        for (const auto& step : steps)
          if (auto x = instruction(step))
            e.instructions.push_back(std::move(*x));
      }
      result.push_back(std::move(e));
    }
    return result;
  }

  // `restart_application`, or a mapping of one instruction to its value.
  std::optional<appup_instruction> instruction(const YAML::Node& node) {
    appup_instruction x;
    x.where = location_of(file_, node);
    std::string word;
    YAML::Node value;
    if (node.IsScalar()) {
      word = node.Scalar();
    } else if (node.IsMap() && node.size() == 1) {
      auto kv = *node.begin();
      word = kv.first.Scalar();
      value = kv.second;
    } else {
      diags_.error(x.where, "expected an instruction (restart_application, "
                            "{load_module: M}, {update: {...}}, ...), found "
                              + describe(node));
      return std::nullopt;
    }
    auto i = std::find_if(instruction_names.begin(), instruction_names.end(),
                          [&](auto& p) { return p.first == word; });
    if (i == instruction_names.end()) {
      auto match = closest_match(word, known_instructions());
      diags_.error(x.where, "unknown instruction '" + word + "'"
                              + (match.empty() ? std::string{"; expected one of "
                                                             "restart_application, "
                                                             "load_module, add_module, "
                                                             "delete_module, update, "
                                                             "apply, restart_node"}
                                               : "; did you mean '" + match + "'?"));
      return std::nullopt;
    }
    x.what = i->second;
    switch (x.what) {
      case kind::restart_application:
      case kind::restart_node:
        if (value.IsDefined() && !value.IsNull()) {
          diags_.error(x.where, word + " takes no value, found " + describe(value));
          return std::nullopt;
        }
        return x;
      case kind::load_module:
      case kind::add_module:
      case kind::delete_module:
        if (!value.IsScalar() || !is_valid_name(value.Scalar())) {
          diags_.error(x.where, word + ": expected a module name, found "
                                  + describe(value));
          return std::nullopt;
        }
        x.module = value.Scalar();
        return x;
      case kind::update:
        return update(x, value);
      case kind::apply:
        return apply(x, value);
    }
    return std::nullopt;
  }

  std::optional<appup_instruction> update(appup_instruction x,
                                          const YAML::Node& value) {
    if (value.IsScalar()) { // `update: frequency`: a soft change
      if (!is_valid_name(value.Scalar())) {
        diags_.error(x.where, "update: expected a module name, found '"
                                + value.Scalar() + "'");
        return std::nullopt;
      }
      x.module = value.Scalar();
      return x;
    }
    if (!value.IsMap()) {
      diags_.error(x.where, "update: expected {module: M, change: soft | "
                            "{advanced: EXTRA}, timeout: MS}, found "
                              + describe(value));
      return std::nullopt;
    }
    auto errors = diags_.error_count();
    mapping_reader m{file_, value, diags_, "update: "};
    m.warn_unknown({"module", "change", "timeout"});
    if (auto module = m.name("module", true))
      x.module = *module;
    auto change = m.get("change");
    if (!change.IsDefined() || (change.IsScalar() && change.Scalar() == "soft")) {
      x.advanced = false;
    } else if (change.IsMap() && change.size() == 1
               && change.begin()->first.Scalar() == "advanced") {
      x.advanced = true;
      x.extra = to_term(change.begin()->second);
    } else {
      m.wrong("change", change, "soft or {advanced: EXTRA}");
    }
    if (auto t = m.integer("timeout")) {
      if (*t <= 0)
        diags_.error(m.where("timeout"),
                     "update: timeout: expected a positive number of "
                     "milliseconds, found " + std::to_string(*t));
      x.timeout_ms = *t;
    }
    if (diags_.error_count() > errors)
      return std::nullopt;
    return x;
  }

  std::optional<appup_instruction> apply(appup_instruction x,
                                         const YAML::Node& value) {
    if (!value.IsMap()) {
      diags_.error(x.where, "apply: expected {call: APP.FUNCTION, args: ANY}, "
                            "found " + describe(value));
      return std::nullopt;
    }
    auto errors = diags_.error_count();
    mapping_reader m{file_, value, diags_, "apply: "};
    m.warn_unknown({"call", "args"});
    if (auto call = m.string("call", true)) {
      auto dot = call->find('.');
      if (dot == std::string::npos || !is_valid_name(call->substr(0, dot))
          || !is_valid_name(call->substr(dot + 1)))
        diags_.error(m.where("call"), "apply: call: expected APP.FUNCTION, "
                                      "found '" + *call + "'");
      else {
        x.call_app = call->substr(0, dot);
        x.function = call->substr(dot + 1);
      }
    }
    if (auto args = m.get("args"); args.IsDefined())
      x.args = to_term(args);
    if (diags_.error_count() > errors)
      return std::nullopt;
    return x;
  }

  std::string file_;
  diagnostics& diags_;
};

} // namespace

const char* to_string(appup_instruction::kind x) {
  for (auto& [name, k] : instruction_names)
    if (k == x)
      return name.c_str();
  return "?";
}

bool version_matches(const std::string& pattern, const std::string& vsn) {
  if (!pattern.empty() && pattern.back() == '*')
    return vsn.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1)
           == 0;
  return pattern == vsn;
}

const appup_entry* appup::match(const std::vector<appup_entry>& entries,
                                const std::string& vsn) {
  for (auto& e : entries)
    if (version_matches(e.pattern, vsn))
      return &e;
  return nullptr;
}

std::optional<appup> load_appup(const std::string& path, diagnostics& diags) {
  auto root = parse_yaml_file(path, diags);
  if (!root)
    return std::nullopt;
  return appup_reader{path, diags}.read(*root);
}

} // namespace relc::release
