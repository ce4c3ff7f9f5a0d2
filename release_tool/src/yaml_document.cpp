#include "yaml_document.hpp"

#include "relc/release/suggest.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace relc::release {

namespace {

// Bounds on what one YAML file may become: its size, and the number of
// nodes and the depth it has once aliases are expanded (an alias bomb of
// a few lines expands to billions of nodes).
constexpr uintmax_t max_yaml_bytes = 16 * 1024 * 1024;
constexpr size_t max_yaml_nodes = 1000000;
constexpr int max_yaml_depth = 64;

// Counts nodes as a reader that expands aliases would visit them; stops at
// the first bound crossed and says which.
std::string expansion_problem(const YAML::Node& root) {
  size_t count = 0;
  std::vector<std::pair<YAML::Node, int>> todo{{root, 0}};
  while (!todo.empty()) {
    auto [node, depth] = todo.back();
    todo.pop_back();
    if (++count > max_yaml_nodes)
      return "expands to more than " + std::to_string(max_yaml_nodes)
             + " values (YAML aliases?)";
    if (depth > max_yaml_depth)
      return "nests deeper than " + std::to_string(max_yaml_depth) + " levels";
    if (node.IsMap())
      for (const auto& kv : node)
        todo.emplace_back(kv.second, depth + 1);
    else if (node.IsSequence())
      for (const auto& x : node)
        todo.emplace_back(x, depth + 1);
  }
  return {};
}

} // namespace

std::optional<YAML::Node> parse_yaml_file(const std::string& path,
                                          diagnostics& diags) {
  std::error_code ec;
  auto st = std::filesystem::status(path, ec);
  if (!ec && !std::filesystem::is_regular_file(st)) {
    diags.error({path}, "expected a regular file, found "
                          + std::string{std::filesystem::is_directory(st)
                                          ? "a directory"
                                          : "a special file (FIFO, socket or device)"});
    return std::nullopt;
  }
  if (!ec && std::filesystem::file_size(path, ec) > max_yaml_bytes && !ec) {
    diags.error({path}, "larger than " + std::to_string(max_yaml_bytes >> 20)
                          + " MiB; expected a small YAML file");
    return std::nullopt;
  }
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    diags.error({path}, std::string{"cannot read file: "} + strerror(errno));
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  try {
    auto root = YAML::Load(buffer.str());
    if (auto problem = expansion_problem(root); !problem.empty()) {
      diags.error({path}, "invalid YAML: " + problem);
      return std::nullopt;
    }
    return root;
  } catch (const YAML::Exception& e) {
    diags.error({path, e.mark.line + 1, e.mark.column + 1},
                "invalid YAML: " + e.msg);
    return std::nullopt;
  }
}

source_location location_of(const std::string& file, const YAML::Node& node) {
  if (!node.IsDefined())
    return {file};
  auto mark = node.Mark();
  if (mark.line < 0)
    return {file};
  return {file, mark.line + 1, mark.column + 1};
}

std::string describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull())
    return "nothing (null)";
  if (node.IsSequence())
    return "a list";
  if (node.IsMap())
    return "a mapping";
  auto text = node.Scalar();
  if (text.size() > 40)
    text = text.substr(0, 37) + "...";
  return "'" + text + "'";
}

namespace {

bool plain(const YAML::Node& node) {
  return node.Tag() != "!";
}

} // namespace

term to_term(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull())
    return term{};
  if (node.IsSequence()) {
    term::list items;
    items.reserve(node.size());
    for (const auto& x : node)
      items.push_back(to_term(x));
    return term{std::move(items)};
  }
  if (node.IsMap()) {
    term::map items;
    for (const auto& kv : node)
      items.emplace_back(kv.first.Scalar(), to_term(kv.second));
    return term{std::move(items)};
  }
  if (!plain(node))
    return term{node.Scalar()};
  return plain_scalar(node.Scalar());
}

mapping_reader::mapping_reader(std::string file, YAML::Node node,
                               diagnostics& diags, std::string context)
  : file_(std::move(file)),
    node_(std::move(node)),
    diags_(diags),
    context_(std::move(context)) {
  // yaml-cpp keeps duplicate keys silently; YAML forbids them, and a user
  // who writes a key twice means one of them.
  if (!node_.IsMap())
    return;
  std::vector<std::string> seen;
  for (const auto& kv : node_) {
    auto& key = kv.first.Scalar();
    if (std::find(seen.begin(), seen.end(), key) != seen.end())
      diags_.error(location_of(file_, kv.first),
                   context_ + "key '" + key + "' appears twice");
    else
      seen.push_back(key);
  }
}

YAML::Node mapping_reader::get(const std::string& key) const {
  // A const lookup never inserts the key.
  const YAML::Node& n = node_;
  return n[key];
}

source_location mapping_reader::where(const std::string& key) const {
  auto value = get(key);
  return location_of(file_, value.IsDefined() ? value : node_);
}

void mapping_reader::missing(const std::string& key) {
  diags_.error(location_of(file_, node_),
               context_ + "missing required key '" + key + "'");
}

void mapping_reader::wrong(const std::string& key, const YAML::Node& value,
                           const std::string& expected) {
  diags_.error(location_of(file_, value), context_ + "key '" + key
                                            + "': expected " + expected
                                            + ", found " + describe(value));
}

std::optional<std::string> mapping_reader::string(const std::string& key,
                                                  bool required) {
  auto value = get(key);
  if (!value.IsDefined()) {
    if (required)
      missing(key);
    return std::nullopt;
  }
  if (!value.IsScalar()) {
    wrong(key, value, "a string");
    return std::nullopt;
  }
  return value.Scalar();
}

std::optional<std::string> mapping_reader::name(const std::string& key,
                                                bool required) {
  auto value = get(key);
  auto s = string(key, required);
  if (s && !is_valid_name(*s)) {
    wrong(key, value, "a name matching [a-z][a-z0-9_]* (at most 64 chars)");
    return std::nullopt;
  }
  return s;
}

std::optional<std::vector<std::string>>
mapping_reader::name_list(const std::string& key) {
  auto value = get(key);
  if (!value.IsDefined() || value.IsNull())
    return std::vector<std::string>{};
  if (!value.IsSequence()) {
    wrong(key, value, "a list of names");
    return std::nullopt;
  }
  std::vector<std::string> result;
  bool ok = true;
  for (const auto& item : value) {
    if (!item.IsScalar() || !is_valid_name(item.Scalar())) {
      wrong(key, item, "a name matching [a-z][a-z0-9_]* (at most 64 chars)");
      ok = false;
      continue;
    }
    result.push_back(item.Scalar());
  }
  if (!ok)
    return std::nullopt;
  return result;
}

std::optional<bool> mapping_reader::boolean(const std::string& key) {
  auto value = get(key);
  if (!value.IsDefined())
    return std::nullopt;
  auto t = to_term(value);
  if (t.type() != term::kind::boolean) {
    wrong(key, value, "true or false");
    return std::nullopt;
  }
  return t.as_bool();
}

std::optional<int64_t> mapping_reader::integer(const std::string& key) {
  auto value = get(key);
  if (!value.IsDefined())
    return std::nullopt;
  auto t = to_term(value);
  if (t.type() != term::kind::integer) {
    wrong(key, value, "an integer");
    return std::nullopt;
  }
  return t.as_integer();
}

void mapping_reader::warn_unknown(const std::vector<std::string>& known) {
  for (const auto& kv : node_) {
    auto& key = kv.first.Scalar();
    if (std::find(known.begin(), known.end(), key) != known.end())
      continue;
    // A near miss of a known key is a typo whose value would be lost
    // (`sys_confg: ...`): an error. Other unknown keys warn, for files
    // written for a newer relc.
    auto match = closest_match(key, known);
    if (!match.empty())
      diags_.error(location_of(file_, kv.first),
                   context_ + "unknown key '" + key + "'; did you mean '"
                     + match + "'?");
    else
      diags_.warning(location_of(file_, kv.first),
                     context_ + "unknown key '" + key + "' (ignored)");
  }
}

} // namespace relc::release
