// YAML to term: scalar typing shared by manifests (release tool) and
// sys.config (read by the node at boot).
#include "relc/runtime/term.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include <yaml-cpp/yaml.h>

namespace relc {

namespace {

bool parse_integer(const std::string& s, int64_t& out) {
  if (s.empty())
    return false;
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i == s.size())
    return false;
  int base = 10;
  if (s.size() > i + 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
    base = 16;
  else
    for (size_t j = i; j < s.size(); ++j)
      if (s[j] < '0' || s[j] > '9')
        return false;
  errno = 0;
  char* end = nullptr;
  auto v = strtoll(s.c_str(), &end, base);
  if (errno != 0 || end != s.c_str() + s.size())
    return false;
  out = static_cast<int64_t>(v);
  return true;
}

bool parse_real(const std::string& s, double& out) {
  if (s == ".inf" || s == "+.inf") {
    out = HUGE_VAL;
    return true;
  }
  if (s == "-.inf") {
    out = -HUGE_VAL;
    return true;
  }
  if (s.find_first_of("0123456789") == std::string::npos)
    return false;
  // Only decimal notation: strtod would also take "0x1p3", "nan", "inf".
  for (char c : s)
    if (!(isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e'
          || c == 'E' || c == '-' || c == '+'))
      return false;
  errno = 0;
  char* end = nullptr;
  auto v = strtod(s.c_str(), &end);
  if (errno != 0 || end != s.c_str() + s.size())
    return false;
  out = v;
  return true;
}

// What one document may expand to once aliases are followed: an alias
// bomb of a few lines would otherwise take all memory at boot.
constexpr size_t max_values = 1000000;
constexpr int max_depth = 64;

struct too_big {
  std::string what;
};

term convert(const YAML::Node& node, size_t& budget, int depth) {
  if (budget-- == 0)
    throw too_big{"expands to more than " + std::to_string(max_values)
                  + " values (YAML aliases?)"};
  if (depth > max_depth)
    throw too_big{"nests deeper than " + std::to_string(max_depth) + " levels"};
  if (!node.IsDefined() || node.IsNull())
    return term{};
  if (node.IsSequence()) {
    term::list items;
    for (const auto& x : node)
      items.push_back(convert(x, budget, depth + 1));
    return term{std::move(items)};
  }
  if (node.IsMap()) {
    term::map items;
    for (const auto& kv : node)
      items.emplace_back(kv.first.Scalar(), convert(kv.second, budget, depth + 1));
    return term{std::move(items)};
  }
  if (node.Tag() == "!")
    return term{node.Scalar()};
  return plain_scalar(node.Scalar());
}

} // namespace

term plain_scalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL")
    return term{};
  if (s == "true" || s == "True" || s == "TRUE")
    return term{true};
  if (s == "false" || s == "False" || s == "FALSE")
    return term{false};
  int64_t i;
  if (parse_integer(s, i))
    return term{i};
  double d;
  if (parse_real(s, d))
    return term{d};
  return term{s};
}

yaml_parse_result parse_yaml_term(const std::string& text,
                                  const std::string& file) {
  yaml_parse_result result;
  try {
    size_t budget = max_values;
    result.value = convert(YAML::Load(text), budget, 0);
    result.ok = true;
  } catch (const too_big& e) {
    result.error = file + ": invalid YAML: " + e.what;
  } catch (const YAML::Exception& e) {
    result.error = file + ":" + std::to_string(e.mark.line + 1) + ":"
                   + std::to_string(e.mark.column + 1) + ": invalid YAML: "
                   + e.msg;
  }
  return result;
}

} // namespace relc
