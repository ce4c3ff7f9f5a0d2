#include "relc/runtime/term.hpp"

#include <cmath>
#include <cstdio>

namespace relc {

term::term(const term&) = default;
term::term(term&&) noexcept = default;
term& term::operator=(const term&) = default;
term& term::operator=(term&&) noexcept = default;
term::~term() = default;

const term* term::find(const std::string& key) const {
  if (!is_map())
    return nullptr;
  for (auto& [k, v] : as_map())
    if (k == key)
      return &v;
  return nullptr;
}

void term::set(const std::string& key, term value) {
  if (is_null())
    value_ = map{};
  auto& m = as_map();
  for (auto& [k, v] : m)
    if (k == key) {
      v = std::move(value);
      return;
    }
  m.emplace_back(key, std::move(value));
}

namespace {

bool needs_quotes(const std::string& s) {
  if (s.empty())
    return true;
  for (char c : s)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'
          || c == '-' || c == '/'))
      return true;
  // Keep strings that look like other scalars readable as strings.
  if (s == "true" || s == "false" || s == "null" || s == "~")
    return true;
  return isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-'
         || s[0] == '.';
}

void quote(std::string& out, const std::string& s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void render(std::string& out, const term& x) {
  switch (x.type()) {
    case term::kind::null: out += "null"; break;
    case term::kind::boolean: out += x.as_bool() ? "true" : "false"; break;
    case term::kind::integer: out += std::to_string(x.as_integer()); break;
    case term::kind::real: {
      char buf[32];
      snprintf(buf, sizeof buf, "%.17g", x.as_real());
      std::string s = buf;
      if (s.find_first_of(".eEn") == std::string::npos)
        s += ".0"; // stays a real when read back
      out += s;
      break;
    }
    case term::kind::string:
      if (needs_quotes(x.as_string()))
        quote(out, x.as_string());
      else
        out += x.as_string();
      break;
    case term::kind::list: {
      out += '[';
      bool first = true;
      for (auto& y : x.as_list()) {
        if (!first)
          out += ", ";
        first = false;
        render(out, y);
      }
      out += ']';
      break;
    }
    case term::kind::map: {
      out += '{';
      bool first = true;
      for (auto& [k, v] : x.as_map()) {
        if (!first)
          out += ", ";
        first = false;
        if (needs_quotes(k))
          quote(out, k);
        else
          out += k;
        out += ": ";
        render(out, v);
      }
      out += '}';
      break;
    }
  }
}

} // namespace

std::string term::to_string() const {
  std::string out;
  render(out, *this);
  return out;
}

const char* to_string(term::kind x) {
  switch (x) {
    case term::kind::null: return "null";
    case term::kind::boolean: return "boolean";
    case term::kind::integer: return "integer";
    case term::kind::real: return "real";
    case term::kind::string: return "string";
    case term::kind::list: return "list";
    case term::kind::map: return "map";
  }
  return "?";
}

} // namespace relc
