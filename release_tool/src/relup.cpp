#include "relc/release/relup.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <filesystem>

#include "file_bytes.hpp"
#include "relc/release/elf_file.hpp"
#include "relc/release/release_error.hpp"
#include "relc/runtime/boot_file.hpp"
#include "relc/runtime/boot_schema.hpp"
#include "relc/runtime/export_names.hpp"
#include "relc/runtime/release_layout.hpp"
#include "relc/runtime/relup_schema.hpp"

namespace fs = std::filesystem;

namespace relc::release {

namespace {

caf::error bad(const std::string& text) {
  return make_error(release_errc::check_failed, text);
}

std::string str(const term& t, const char* key) {
  auto* x = t.find(key);
  return x && x->is_string() ? x->as_string() : std::string{};
}

bool is_tarball(const std::string& path) {
  auto ends = [&](const std::string& suffix) {
    return path.size() >= suffix.size()
           && path.compare(path.size() - suffix.size(), suffix.size(), suffix)
                == 0;
  };
  return ends(".tar.gz") || ends(".tgz");
}

} // namespace

// -- release_files -----------------------------------------------------------

caf::expected<release_files> release_files::open(const std::string& path) {
  release_files result;
  result.source_ = path;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    result.dir_ = path;
    return result;
  }
  if (!fs::exists(path, ec))
    return bad(path + ": no such release (expected a release directory or "
                      "its .tar.gz)");
  if (!is_tarball(path))
    return bad(path + ": expected a release directory or a .tar.gz, found "
                      "another file");
  struct reader_deleter {
    void operator()(archive* a) const { archive_read_free(a); }
  };
  std::unique_ptr<archive, reader_deleter> a{archive_read_new()};
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK)
    return bad(path + ": not a release tarball: "
               + std::string{archive_error_string(a.get())});
  archive_entry* e = nullptr;
  int rc;
  while ((rc = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
    std::string name = archive_entry_pathname(e);
    if (name.rfind("./", 0) == 0)
      name = name.substr(2);
    // Only what a relup reads: the releases and the apps' libraries.
    bool wanted = archive_entry_filetype(e) == AE_IFREG
                  && (name.rfind("releases/", 0) == 0 || name.rfind("lib/", 0) == 0);
    if (!wanted) {
      archive_read_data_skip(a.get());
      continue;
    }
    std::string data;
    char buf[1 << 16];
    la_ssize_t n;
    while ((n = archive_read_data(a.get(), buf, sizeof buf)) > 0)
      data.append(buf, static_cast<size_t>(n));
    if (n < 0)
      return bad(path + ": " + name + ": "
                 + std::string{archive_error_string(a.get())});
    result.entries_[name] = std::move(data);
  }
  if (rc != ARCHIVE_EOF)
    return bad(path + ": not a release tarball: "
               + std::string{archive_error_string(a.get())});
  return result;
}

std::optional<std::string> release_files::read(const std::string& relative) const {
  if (!dir_.empty())
    return read_file_bytes((fs::path{dir_} / relative).string());
  auto i = entries_.find(relative);
  if (i == entries_.end())
    return std::nullopt;
  return i->second;
}

// -- release_summary ----------------------------------------------------------

const release_summary::app* release_summary::find(const std::string& name) const {
  for (auto& a : apps)
    if (a.name == name)
      return &a;
  return nullptr;
}

caf::expected<release_summary> read_release_summary(const release_files& files) {
  release_summary result;
  result.source = files.source();
  auto& src = files.source();
  auto start = files.read(layout::start_data());
  auto entry = start ? layout::parse_start_data(*start) : std::nullopt;
  if (!entry)
    return bad(src + ": not a release: no " + layout::start_data()
               + " (expected '<runtime vsn> <release vsn>')");
  result.vsn = entry->release_vsn;
  result.runtime_vsn = entry->runtime_vsn;
  // The boot file's name is the release's: RELEASES names it.
  auto releases = files.read(layout::releases_file());
  std::string name;
  if (releases) {
    auto parsed = parse_yaml_term(*releases, src + "/" + layout::releases_file());
    if (parsed.ok && parsed.value.is_list() && !parsed.value.as_list().empty())
      name = str(parsed.value.as_list().front(), boot_keys::name);
  }
  if (name.empty())
    return bad(src + ": not a release: no release name in "
               + layout::releases_file());
  auto boot_path = layout::boot_file(result.vsn, name);
  auto bytes = files.read(boot_path);
  if (!bytes)
    return bad(src + ": not a release: no " + boot_path);
  auto script = decode_boot_file(*bytes);
  if (!script)
    return bad(src + "/" + boot_path + ": " + message_of(script.error()));
  auto* release = script->find(boot_keys::release);
  auto* apps = script->find(boot_keys::apps);
  if (!release || !apps || !apps->is_list())
    return bad(src + "/" + boot_path + ": missing release or apps");
  result.name = str(*release, boot_keys::name);
  for (auto& a : apps->as_list()) {
    release_summary::app app;
    app.name = str(a, boot_keys::name);
    app.vsn = str(a, boot_keys::vsn);
    if (auto* env = a.find(boot_keys::env); env && env->is_map())
      app.env = *env;
    if (auto* lib = a.find(boot_keys::library); lib && lib->is_map()) {
      app.sha256 = str(*lib, boot_keys::sha256);
      if (auto data = files.read(str(*lib, boot_keys::path)))
        if (auto elf = parse_elf(*data))
          app.exports = elf->exports;
    }
    result.apps.push_back(std::move(app));
  }
  if (auto cfg = files.read(layout::sys_config(result.vsn))) {
    auto parsed = parse_yaml_term(*cfg, src + "/" + layout::sys_config(result.vsn));
    if (parsed.ok && parsed.value.is_map())
      result.sys_config = parsed.value;
  }
  return result;
}

// -- appups -------------------------------------------------------------------

std::map<std::string, appup> load_appups(const resolved_release& next,
                                         diagnostics& diags) {
  std::map<std::string, appup> result;
  for (auto& app : next.apps) {
    auto path = fs::path{app.dir} / (app.name() + ".appup");
    std::error_code ec;
    if (!fs::exists(path, ec))
      continue;
    if (auto x = load_appup(path.string(), diags))
      result.emplace(app.name(), std::move(*x));
  }
  return result;
}

// -- make_relup -------------------------------------------------------------

namespace {

namespace k = relup_keys;

term args_of(std::initializer_list<std::pair<std::string, term>> xs) {
  term::map m;
  for (auto& x : xs)
    m.emplace_back(x.first, x.second);
  return m;
}

relup_step step(std::string action, term args = term::map{}) {
  return {std::move(action), std::move(args)};
}

// An app's env as the node would see it: the manifest's, then sys.config's
// keys over it (sys.config overrides key by key, as in OTP).
term effective_env(const term& env, const term& sys_config,
                   const std::string& app) {
  term result = env.is_map() ? env : term{term::map{}};
  if (auto* over = sys_config.find(app); over && over->is_map())
    for (auto& [k, v] : over->as_map())
      result.set(k, v);
  return result;
}

// `config_change` of OTP: the keys changed, added and removed.
std::optional<relup_step> config_change(const std::string& app,
                                        const term& before, const term& after) {
  term::list changed, added, removed;
  for (auto& [k, v] : after.as_map()) {
    auto* old = before.find(k);
    if (!old)
      added.push_back(k);
    else if (*old != v)
      changed.push_back(k);
  }
  for (auto& [k, v] : before.as_map())
    if (!after.find(k))
      removed.push_back(k);
  if (changed.empty() && added.empty() && removed.empty())
    return std::nullopt;
  return step(k::config_change, args_of({{k::app, app},
                                        {k::changed, changed},
                                        {k::added, added},
                                        {k::removed, removed}}));
}

class relup_maker {
public:
  relup_maker(const relup_inputs& in, diagnostics& diags)
    : in_(in), diags_(diags) {
    next_.name = in.next->spec.name;
    next_.vsn = in.next->spec.vsn.text();
    next_.runtime_vsn = in.runtime_vsn;
    next_.source = in.next->spec.file;
    for (auto& a : in.next->apps) {
      release_summary::app x;
      x.name = a.name();
      x.vsn = a.manifest.vsn.text();
      x.env = a.manifest.env;
      if (auto i = in.libraries->find(x.name); i != in.libraries->end()) {
        x.sha256 = i->second.sha256;
        x.exports = i->second.elf.exports;
      }
      next_.apps.push_back(std::move(x));
    }
    next_.sys_config = in.sys_config;
    next_ = effective(std::move(next_));
  }

  // The apps' env as the node sees it (manifest, then sys.config).
  static release_summary effective(release_summary r) {
    for (auto& a : r.apps)
      a.env = effective_env(a.env, r.sys_config, a.name);
    return r;
  }

  // The steps from `now` to `then`; `up` tells which appup list applies
  // (the new version's appup holds both directions).
  relup_script script(const release_summary& now, const release_summary& then, bool up,
                      const std::string& source) {
    relup_script result;
    result.vsn = up ? now.vsn : then.vsn;
    auto& steps = result.steps;
    std::vector<const release_summary::app*> added, removed, changed;
    for (auto& a : then.apps)
      if (a.name != "kernel") {
        auto* old = now.find(a.name);
        if (!old)
          added.push_back(&a);
        else if (old->vsn != a.vsn)
          changed.push_back(&a);
        else if (up && !old->sha256.empty() && !a.sha256.empty()
                 && old->sha256 != a.sha256)
          diags_.error({in_.next->spec.file},
                       "relup from " + source + ": " + a.name + " " + a.vsn
                         + ": its library differs from the one in " + now.vsn
                         + " but its version does not (give the new build a "
                           "new vsn)");
      }
    for (auto& a : now.apps)
      if (a.name != "kernel" && !then.find(a.name))
        removed.push_back(&a);
    // A new runtime, or an appup that asks for it: the node restarts into
    // the new release first, then the rest runs.
    bool restart_node = now.runtime_vsn != then.runtime_vsn;
    std::vector<relup_step> changes;
    for (auto* a : changed) {
      auto* old = now.find(a->name);
      // The appup is the new version's, in both directions.
      auto& new_app = up ? *a : *old;
      auto& old_app = up ? *old : *a;
      auto i = in_.appups->find(new_app.name);
      if (i == in_.appups->end()) {
        changes.push_back(step(k::restart_application,
                               args_of({{k::app, a->name},
                                        {k::from, old->vsn},
                                        {k::to, a->vsn}})));
        continue;
      }
      auto& entries = up ? i->second.up : i->second.down;
      auto* entry = appup::match(entries, old_app.vsn);
      if (!entry) {
        diags_.error({i->second.file},
                     new_app.name + " " + new_app.vsn + ": no '"
                       + (up ? "up" : "down") + "' entry "
                       + (up ? "from " : "to ") + old_app.vsn
                       + " (expected an entry whose '" + (up ? "from" : "to")
                       + "' matches it; relup from " + source + ")");
        continue;
      }
      for (auto& x : entry->instructions)
        if (x.what == appup_instruction::kind::restart_node)
          restart_node = true;
        else
          changes.push_back(instruction(x, new_app, *a, *old));
    }
    if (restart_node)
      steps.push_back(step(k::restart_node));
    // Before the point of no return: only loading, which changes nothing
    // that runs; a failure there leaves the node as it was.
    for (auto* a : changed)
      steps.push_back(step(k::load, args_of({{k::app, a->name}, {k::vsn, a->vsn}})));
    for (auto* a : added)
      steps.push_back(step(k::load, args_of({{k::app, a->name}, {k::vsn, a->vsn}})));
    steps.push_back(step(k::point_of_no_return));
    for (auto it = removed.rbegin(); it != removed.rend(); ++it)
      steps.push_back(step(k::stop, args_of({{k::app, (*it)->name}})));
    steps.insert(steps.end(), changes.begin(), changes.end());
    for (auto* a : added)
      steps.push_back(step(k::start, args_of({{k::app, a->name}})));
    for (auto& a : then.apps)
      if (auto* old = now.find(a.name); old && a.name != "kernel")
        if (auto cc = config_change(a.name, old->env, a.env))
          steps.push_back(std::move(*cc));
    for (auto* a : removed)
      steps.push_back(step(k::unload, args_of({{k::app, a->name}, {k::vsn, a->vsn}})));
    for (auto* a : changed)
      steps.push_back(step(k::unload, args_of({{k::app, a->name},
                                              {k::vsn, now.find(a->name)->vsn}})));
    return result;
  }

  std::optional<relup> run(const std::vector<release_summary>& from) {
    auto errors = diags_.error_count();
    relup result;
    result.name = in_.next->spec.name;
    result.vsn = next_.vsn;
    for (auto& r : from) {
      if (r.name != result.name) {
        diags_.error({in_.next->spec.file},
                     "relup from " + r.source + ": it is release '" + r.name
                       + "', expected '" + result.name + "'");
        continue;
      }
      if (r.vsn == next_.vsn) {
        diags_.error({in_.next->spec.file},
                     "relup from " + r.source + ": it is " + r.name + " "
                       + r.vsn + ", the version being built (expected an "
                       "earlier one)");
        continue;
      }
      auto old = effective(r);
      result.up.push_back(script(old, next_, true, r.source));
      result.down.push_back(script(next_, old, false, r.source));
      if (old.runtime_vsn != next_.runtime_vsn)
        diags_.note({in_.next->spec.file},
                    "relup from " + r.vsn + ": runtime " + old.runtime_vsn
                      + " -> " + next_.runtime_vsn
                      + ": the upgrade restarts the node (restart_node)");
    }
    if (diags_.error_count() > errors)
      return std::nullopt;
    return result;
  }

private:
  // One appup instruction as a step, checked against the libraries: what
  // it names must be exported where it runs.
  // `new_app` is the version whose appup it is; the step goes from
  // `current` to `target`.
  relup_step instruction(const appup_instruction& x,
                         const release_summary::app& new_app,
                         const release_summary::app& target,
                         const release_summary::app& current) {
    using kind = appup_instruction::kind;
    auto here = [&] {
      return new_app.name + " " + new_app.vsn + ": " + to_string(x.what) + " ";
    };
    auto exports = [](const release_summary::app& a, const std::string& symbol) {
      return a.exports.count(symbol) > 0;
    };
    auto module_symbol = std::string{export_names::module_prefix} + x.module;
    switch (x.what) {
      case kind::restart_application:
        return step(k::restart_application, args_of({{k::app, target.name},
                                                   {k::from, current.vsn},
                                                   {k::to, target.vsn}}));
      case kind::load_module:
      case kind::add_module:
        if (!exports(target, module_symbol))
          diags_.error(x.where, here() + x.module + ": the library of "
                                  + target.name + " " + target.vsn
                                  + " does not export " + module_symbol);
        return step(to_string(x.what),
                    args_of({{k::app, target.name}, {k::module, x.module}}));
      case kind::delete_module:
        if (!current.exports.empty() && !exports(current, module_symbol))
          diags_.error(x.where, here() + x.module + ": the library of "
                                  + current.name + " " + current.vsn
                                  + " does not export " + module_symbol);
        return step(k::delete_module,
                    args_of({{k::app, target.name}, {k::module, x.module}}));
      case kind::update: {
        auto handoff = std::string{export_names::code_change_prefix} + x.module;
        if (!exports(target, module_symbol))
          diags_.error(x.where, here() + x.module + ": the library of "
                                  + target.name + " " + target.vsn
                                  + " does not export " + module_symbol);
        // The handoff runs in the new version's code, both ways (OTP calls
        // code_change in the code being upgraded to, or downgraded from).
        if (!exports(new_app, handoff))
          diags_.error(x.where, here() + x.module + ": the library of "
                                  + new_app.name + " " + new_app.vsn
                                  + " does not export " + handoff
                                  + " (an actor type that declares no "
                                    "handoff cannot be updated; "
                                    "RELC_CODE_CHANGE)");
        term change = x.advanced ? term{args_of({{k::advanced, x.extra}})}
                                 : term{k::soft};
        return step(k::update, args_of({{k::app, target.name},
                                       {k::module, x.module},
                                       {k::change, change},
                                       {k::timeout, x.timeout_ms},
                                       {k::from, current.vsn},
                                       {k::to, target.vsn}}));
      }
      case kind::apply: {
        auto* owner = next_.find(x.call_app);
        auto symbol = std::string{export_names::call_prefix} + x.function;
        if (!owner)
          diags_.error(x.where, here() + x.call_app + "." + x.function
                                  + ": no app " + x.call_app + " in "
                                  + in_.next->spec.name + " " + next_.vsn);
        else if (!exports(*owner, symbol))
          diags_.error(x.where, here() + x.call_app + "." + x.function
                                  + ": the library of " + owner->name
                                  + " does not export " + symbol);
        return step(k::apply, args_of({{k::app, x.call_app},
                                      {k::function, x.function},
                                      {k::args, x.args}}));
      }
      case kind::restart_node:
        break;
    }
    return step(k::restart_node);
  }

  const relup_inputs& in_;
  diagnostics& diags_;
  release_summary next_;
};

void render_script(std::string& out, const relup_script& s, const char* key) {
  out += "  - " + std::string{key} + ": \"" + s.vsn + "\"\n    "
         + relup_keys::steps + ":\n";
  for (auto& st : s.steps) {
    out += "      - " + st.action;
    if (st.args.is_map() && !st.args.as_map().empty())
      out += ": " + st.args.to_string();
    out += "\n";
  }
}

} // namespace

std::optional<relup> make_relup(const relup_inputs& in,
                                const std::vector<release_summary>& from,
                                diagnostics& diags) {
  return relup_maker{in, diags}.run(from);
}

std::string render_relup(const relup& x) {
  std::string out = "# relup of " + x.name + " " + x.vsn
                    + ": the steps up from and down to each earlier version "
                      "(written by relc relup; docs/formats.md)\n"
                    + relup_keys::up + ":\n";
  if (x.up.empty())
    out.pop_back(), out += " []\n";
  for (auto& s : x.up)
    render_script(out, s, relup_keys::from);
  out += relup_keys::down;
  out += ":";
  out += x.down.empty() ? " []\n" : "\n";
  for (auto& s : x.down)
    render_script(out, s, relup_keys::to);
  return out;
}

} // namespace relc::release
