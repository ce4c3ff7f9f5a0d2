#pragma once

#include <caf/allowed_unsafe_message_type.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace relc {

/// A dynamically typed configuration value: what an app's `env`, a start
/// phase's arguments and the boot script are made of (a YAML value, typed).
class term {
public:
  using list = std::vector<term>;
  /// A map keeps its keys in insertion order, so output is deterministic.
  using map = std::vector<std::pair<std::string, term>>;

  enum class kind : uint8_t { null, boolean, integer, real, string, list, map };

  term() = default;
  term(std::nullptr_t) {}
  term(bool x) : value_(x) {}
  term(int x) : value_(static_cast<int64_t>(x)) {}
  term(int64_t x) : value_(x) {}
  term(double x) : value_(x) {}
  term(const char* x) : value_(std::string{x}) {}
  term(std::string x) : value_(std::move(x)) {}
  term(list x) : value_(std::move(x)) {}
  term(map x) : value_(std::move(x)) {}

  // Out of line, so that an app library does not carry its own copy of
  // the variant's copy, move and destroy code (about 3 KB each).
  term(const term&);
  term(term&&) noexcept;
  term& operator=(const term&);
  term& operator=(term&&) noexcept;
  ~term();

  kind type() const { return static_cast<kind>(value_.index()); }
  bool is_null() const { return type() == kind::null; }
  bool is_string() const { return type() == kind::string; }
  bool is_list() const { return type() == kind::list; }
  bool is_map() const { return type() == kind::map; }

  bool as_bool() const { return std::get<bool>(value_); }
  int64_t as_integer() const { return std::get<int64_t>(value_); }
  double as_real() const { return std::get<double>(value_); }
  const std::string& as_string() const { return std::get<std::string>(value_); }
  const list& as_list() const { return std::get<list>(value_); }
  list& as_list() { return std::get<list>(value_); }
  const map& as_map() const { return std::get<map>(value_); }
  map& as_map() { return std::get<map>(value_); }

  /// Looks up `key` in a map; null when this is not a map or has no such key.
  const term* find(const std::string& key) const;

  /// Sets `key` in a map (appending when new); turns a null term into a map.
  void set(const std::string& key, term value);

  /// A one-line rendering in YAML flow style, for messages and the script.
  std::string to_string() const;

  friend bool operator==(const term& x, const term& y) {
    return x.value_ == y.value_;
  }
  friend bool operator!=(const term& x, const term& y) { return !(x == y); }

private:
  std::variant<std::monostate, bool, int64_t, double, std::string, list, map>
    value_;
};

/// Name of a term kind, for messages ("string", "map", ...).
const char* to_string(term::kind x);

/// Types a plain (unquoted) YAML scalar: null (`~`, `null`, empty), boolean
/// (`true`/`false`), integer (decimal or 0x hex), real (decimal), otherwise
/// string. Quoted scalars are strings and never come here.
term plain_scalar(const std::string& text);

/// Parses a YAML document into a term (the node reads sys.config with it).
/// Errors name `file`, line and column.
struct yaml_parse_result {
  bool ok = false;
  term value;
  std::string error; ///< `file:line:col: message` when !ok
};
yaml_parse_result parse_yaml_term(const std::string& text,
                                  const std::string& file);

} // namespace relc

// Terms travel in messages inside one node (env values, child args).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(relc::term)
