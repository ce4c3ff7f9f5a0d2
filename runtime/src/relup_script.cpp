#include "relup_script.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "relc/runtime/release_layout.hpp"
#include "relc/runtime/relup_schema.hpp"
#include "relc/runtime/runtime_error.hpp"

namespace fs = std::filesystem;

namespace relc {

namespace {

caf::error bad(const std::string& file, const std::string& what) {
  return make_error(runtime_errc::release_handling, file + ": " + what);
}

std::string text_of(const term* x) {
  if (!x)
    return {};
  if (x->is_string())
    return x->as_string();
  return x->to_string();
}

caf::expected<relup_step> parse_step(const term& x, const std::string& where) {
  relup_step s;
  if (x.is_string()) {
    s.kind = x.as_string();
    if (s.kind != relup_keys::point_of_no_return
        && s.kind != relup_keys::restart_node)
      return bad(where, "expected a step, found '" + s.kind + "'");
    return s;
  }
  if (!x.is_map() || x.as_map().size() != 1 || !x.as_map()[0].second.is_map())
    return bad(where, "expected a step {KIND: {ARGS}}, found " + x.to_string());
  s.kind = x.as_map()[0].first;
  auto& a = x.as_map()[0].second;
  namespace k = relup_keys;
  s.app = text_of(a.find(k::app));
  s.vsn = text_of(a.find(k::vsn));
  s.module = text_of(a.find(k::module));
  s.from = text_of(a.find(k::from));
  s.to = text_of(a.find(k::to));
  s.function = text_of(a.find(k::function));
  if (auto* v = a.find(k::args))
    s.args = *v;
  if (auto* v = a.find(k::changed))
    s.changed = *v;
  if (auto* v = a.find(k::added))
    s.added = *v;
  if (auto* v = a.find(k::removed))
    s.removed = *v;
  if (auto* v = a.find(k::timeout); v && v->type() == term::kind::integer)
    s.timeout = std::chrono::milliseconds{v->as_integer()};
  if (auto* v = a.find(k::change); v && v->is_map())
    if (auto* e = v->find(k::advanced))
      s.extra = *e;
  static const char* known[]
    = {k::load,        k::stop,   k::restart_application, k::load_module,
       k::add_module,  k::delete_module, k::update,       k::apply,
       k::start,       k::config_change, k::unload};
  bool ok = false;
  for (auto* name : known)
    ok = ok || s.kind == name;
  if (!ok)
    return bad(where, "unknown step '" + s.kind + "'");
  if (s.app.empty())
    return bad(where, "step " + s.kind + " names no app");
  return s;
}

} // namespace

caf::expected<relup_script>
parse_relup_script(const std::string& text, const std::string& file, bool down,
                   const std::string& vsn) {
  auto parsed = parse_yaml_term(text, file);
  if (!parsed.ok)
    return make_error(runtime_errc::release_handling, parsed.error);
  auto& doc = parsed.value;
  auto* scripts = doc.is_map() ? doc.find(down ? relup_keys::down
                                                : relup_keys::up)
                               : nullptr;
  if (!scripts || !scripts->is_list())
    return bad(file, std::string{"expected a list under '"}
                       + (down ? relup_keys::down : relup_keys::up) + "'");
  auto key = down ? relup_keys::to : relup_keys::from;
  for (auto& script : scripts->as_list()) {
    if (!script.is_map() || text_of(script.find(key)) != vsn)
      continue;
    relup_script result;
    result.down = down;
    auto* steps = script.find(relup_keys::steps);
    if (!steps || !steps->is_list())
      return bad(file, std::string{"the script "} + key + " " + vsn
                         + " has no '" + relup_keys::steps + "' list");
    size_t n = 0;
    for (auto& x : steps->as_list()) {
      auto step = parse_step(x, file + ": " + key + " " + vsn + ": step "
                                  + std::to_string(++n));
      if (!step)
        return step.error();
      result.steps.push_back(std::move(*step));
    }
    return result;
  }
  return bad(file, std::string{"no script "} + (down ? "down to " : "up from ")
                     + vsn);
}

caf::expected<relup_script>
read_relup_script(const std::string& root, const std::string& running,
                  const std::string& target) {
  auto read = [&](const std::string& vsn, std::string& text) {
    std::ifstream in{fs::path{root} / layout::relup_file(vsn)};
    if (!in)
      return false;
    std::ostringstream buf;
    buf << in.rdbuf();
    text = buf.str();
    return true;
  };
  // The newer release carries both scripts: up in the target's relup,
  // down in the running one's.
  struct candidate {
    std::string file_vsn;
    bool down;
    std::string vsn;
  };
  for (auto& c : {candidate{target, false, running},
                  candidate{running, true, target}}) {
    std::string text;
    if (!read(c.file_vsn, text))
      continue;
    auto script = parse_relup_script(text, layout::relup_file(c.file_vsn),
                                     c.down, c.vsn);
    if (script) {
      script->from_vsn = running;
      script->to_vsn = target;
      return script;
    }
  }
  return make_error(runtime_errc::release_handling,
                    "no relup from " + running + " to " + target
                      + " (neither " + layout::relup_file(target)
                      + " up from " + running + " nor "
                      + layout::relup_file(running) + " down to " + target
                      + ")");
}

} // namespace relc
