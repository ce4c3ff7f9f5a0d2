#include "env_config.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <optional>
#include <fstream>
#include <sstream>

#include "relc/runtime/runtime_error.hpp"

namespace relc {

namespace {

// Expands ${VAR} and ${VAR:-default} in a string; the whole-string case
// `${PORT}` is typed again, so a number stays a number.
caf::expected<term> expand(const std::string& s, const std::string& file,
                           const std::string& where) {
  if (s.find("${") == std::string::npos)
    return term{s};
  std::string out;
  bool whole = s.rfind("${", 0) == 0 && s.find('}') == s.size() - 1;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 2, "${") != 0) {
      out += s[i];
      continue;
    }
    auto close = s.find('}', i);
    if (close == std::string::npos)
      return make_error(runtime_errc::bad_boot_file,
                        where + ": " + file + ": unterminated ${ in '" + s
                          + "'");
    auto inner = s.substr(i + 2, close - i - 2);
    std::string name = inner;
    std::optional<std::string> fallback;
    if (auto dash = inner.find(":-"); dash != std::string::npos) {
      name = inner.substr(0, dash);
      fallback = inner.substr(dash + 2);
    }
    if (auto v = getenv(name.c_str()))
      out += v;
    else if (fallback)
      out += *fallback;
    else
      return make_error(runtime_errc::bad_boot_file,
                        where + ": " + file + ": environment variable " + name
                          + " is not set and has no default (${" + name
                          + ":-default})");
    i = close;
  }
  return whole ? plain_scalar(out) : term{out};
}

caf::error expand_all(term& t, const std::string& file,
                      const std::string& where) {
  switch (t.type()) {
    case term::kind::string: {
      auto x = expand(t.as_string(), file, where);
      if (!x)
        return x.error();
      t = std::move(*x);
      return {};
    }
    case term::kind::list:
      for (auto& y : t.as_list())
        if (auto err = expand_all(y, file, where))
          return err;
      return {};
    case term::kind::map:
      for (auto& [k, v] : t.as_map())
        if (auto err = expand_all(v, file, where + "." + k))
          return err;
      return {};
    default: return {};
  }
}

} // namespace

caf::expected<std::map<std::string, term>>
load_sys_config(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    return make_error(runtime_errc::bad_boot_file,
                      path + ": expected a regular file");
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return make_error(runtime_errc::bad_boot_file, path + ": cannot read");
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto parsed = parse_yaml_term(buffer.str(), path);
  if (!parsed.ok)
    return make_error(runtime_errc::bad_boot_file, parsed.error);
  std::map<std::string, term> result;
  if (parsed.value.is_null())
    return result;
  if (!parsed.value.is_map())
    return make_error(runtime_errc::bad_boot_file,
                      path + ": expected a mapping {app: {key: value}}");
  for (auto& [app, env] : parsed.value.as_map()) {
    if (env.is_null())
      continue;
    if (!env.is_map())
      return make_error(runtime_errc::bad_boot_file,
                        path + ": app '" + app + "': expected a mapping");
    term copy = env;
    if (auto err = expand_all(copy, path, app))
      return err;
    result[app] = std::move(copy);
  }
  return result;
}

caf::expected<std::pair<std::string, std::pair<std::string, term>>>
parse_env_override(const std::string& text) {
  auto dot = text.find('.');
  auto eq = text.find('=');
  if (dot == std::string::npos || eq == std::string::npos || dot > eq
      || dot == 0 || eq == dot + 1)
    return make_error(runtime_errc::bad_boot_file,
                      "--env " + text + ": expected APP.KEY=VALUE");
  auto value = text.substr(eq + 1);
  auto parsed = parse_yaml_term(value, "--env");
  term typed = parsed.ok ? parsed.value : term{value};
  return std::make_pair(text.substr(0, dot),
                        std::make_pair(text.substr(dot + 1, eq - dot - 1),
                                       std::move(typed)));
}

void merge_env(term& env, const term& overrides) {
  if (!overrides.is_map())
    return;
  for (auto& [k, v] : overrides.as_map())
    env.set(k, v);
}

} // namespace relc
