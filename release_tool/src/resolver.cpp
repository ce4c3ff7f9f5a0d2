#include "relc/release/resolver.hpp"

#include <algorithm>
#include <filesystem>
#include <set>


namespace fs = std::filesystem;

namespace relc::release {

const resolved_app* resolved_release::find(const std::string& name) const {
  for (auto& app : apps)
    if (app.name() == name)
      return &app;
  return nullptr;
}

namespace {

class resolver {
public:
  resolver(const release_spec& spec, const app_index& index,
           diagnostics& diags)
    : spec_(spec), index_(index), diags_(diags) {
  }

  resolved_release run() {
    for (auto& entry : spec_.apps)
      load_listed(entry);
    if (loaded_.count("kernel") == 0 && failed_.count("kernel") == 0)
      load_added("kernel", "every application", {spec_.file});
    // Pull in dependencies and included apps, breadth first, in a stable order.
    for (size_t i = 0; i < order_loaded_.size(); ++i) {
      auto app = loaded_.at(order_loaded_[i]); // copy: the map grows below
      for (auto& dep : app.manifest.applications)
        require(dep, app, "applications");
      for (auto& inc : app.included)
        require(inc, app, "included_applications");
    }
    mark_included();
    for (auto& [name, app] : loaded_)
      for (auto& opt : app.manifest.optional_applications)
        if (loaded_.count(opt))
          app.present_optional.push_back(opt);
    order();
    resolved_release result;
    result.spec = spec_;
    for (auto& name : start_order_)
      result.apps.push_back(std::move(loaded_.at(name)));
    return result;
  }

private:
  // Loads a manifest and checks it against its directory (check 2 in docs/commands.md).
  std::optional<app_manifest> load_manifest(const app_location& loc) {
    auto path = (fs::path{loc.dir} / (loc.name + ".app")).string();
    if (!fs::exists(path)) {
      diags_.error({loc.dir}, "application directory has no manifest "
                                + loc.name + ".app");
      return std::nullopt;
    }
    auto m = load_app_manifest(path, diags_);
    if (!m)
      return std::nullopt;
    bool ok = true;
    if (m->name != loc.name) {
      diags_.error(m->where("application"),
                   "manifest names application '" + m->name
                     + "' but its directory says '" + loc.name + "'");
      ok = false;
    }
    if (m->vsn != loc.vsn) {
      diags_.error(m->where("vsn"), "manifest has vsn " + m->vsn.text()
                                      + " but its directory says "
                                      + loc.vsn.text());
      ok = false;
    }
    if (!ok)
      return std::nullopt;
    return std::move(*m);
  }

  std::string not_found(const std::string& name,
                        const std::optional<version>& vsn) {
    auto versions = index_.versions_of(name);
    if (!versions.empty()) {
      std::string found;
      for (auto* v : versions)
        found += (found.empty() ? "" : ", ") + v->vsn.text();
      return "application '" + name + "' version " + vsn->text()
             + " not found in the lib dirs (found: " + found + ")";
    }
    auto msg = "application '" + name + "' not found in the lib dirs";
    if (auto hint = index_.closest_name(name); !hint.empty())
      msg += " (did you mean '" + hint + "'?)";
    return msg;
  }

  void load_listed(const release_app& entry) {
    auto* loc = index_.find(entry.name, entry.vsn);
    if (!loc) {
      diags_.error(entry.where, not_found(entry.name, entry.vsn));
      failed_.insert(entry.name);
      return;
    }
    auto m = load_manifest(*loc);
    if (!m) {
      failed_.insert(entry.name);
      return;
    }
    resolved_app app;
    app.dir = loc->dir;
    app.type = entry.type;
    app.listed = true;
    app.where = entry.where;
    app.included = m->included_applications;
    if (entry.included) {
      for (auto& x : *entry.included)
        if (std::find(app.included.begin(), app.included.end(), x)
            == app.included.end())
          diags_.error(entry.where,
                       "application '" + entry.name + "': included '" + x
                         + "' is not in its manifest's included_applications");
      app.included = *entry.included;
    }
    app.manifest = std::move(*m);
    add(std::move(app));
  }

  void load_added(const std::string& name, const std::string& required_by,
                  const source_location& where) {
    auto* loc = index_.find(name, std::nullopt);
    if (!loc) {
      diags_.error(where, not_found(name, std::nullopt) + ", needed by "
                            + required_by);
      failed_.insert(name);
      return;
    }
    auto m = load_manifest(*loc);
    if (!m) {
      failed_.insert(name);
      return;
    }
    resolved_app app;
    app.dir = loc->dir;
    app.required_by = required_by;
    app.where = where;
    app.included = m->included_applications;
    diags_.note({spec_.file}, "added '" + name + "' " + m->vsn.text()
                                + " (needed by " + required_by + ")");
    app.manifest = std::move(*m);
    add(std::move(app));
  }

  void add(resolved_app app) {
    auto name = app.name();
    order_loaded_.push_back(name);
    loaded_.emplace(name, std::move(app));
  }

  void require(const std::string& name, const resolved_app& by,
               const std::string& key) {
    if (loaded_.count(name) || failed_.count(name))
      return;
    load_added(name, "'" + by.name() + "'", by.manifest.where(key));
  }

  // Included apps are loaded, not started: an unlisted one gets type load.
  void mark_included() {
    for (auto& name : order_loaded_) {
      auto& app = loaded_.at(name);
      for (auto& inc : app.included) {
        auto i = loaded_.find(inc);
        if (i == loaded_.end())
          continue;
        auto& target = i->second;
        if (target.included_by) {
          diags_.error(app.where, "application '" + inc
                                    + "' is included by both '"
                                    + *target.included_by + "' and '"
                                    + app.name()
                                    + "' (an app has one includer)");
          continue;
        }
        target.included_by = app.name();
        if (!target.listed)
          target.type = app_type::load;
      }
    }
  }

  std::vector<std::string> edges(const resolved_app& app) {
    std::vector<std::string> result{};
    if (app.name() != "kernel" && loaded_.count("kernel"))
      result.push_back("kernel"); // a missing kernel is reported already
    for (auto* list : {&app.manifest.applications, &app.present_optional,
                       &app.included})
      for (auto& x : *list)
        if (loaded_.count(x))
          result.push_back(x);
    return result;
  }

  void visit(const std::string& name) {
    if (placed_.count(name))
      return;
    auto on_stack = std::find(stack_.begin(), stack_.end(), name);
    if (on_stack != stack_.end()) {
      std::string path;
      for (auto i = on_stack; i != stack_.end(); ++i)
        path += *i + " -> ";
      path += name;
      if (reported_cycles_.insert(path).second)
        diags_.error(loaded_.at(*on_stack).manifest.where("applications"),
                     "dependency cycle: " + path);
      return;
    }
    stack_.push_back(name);
    for (auto& dep : edges(loaded_.at(name)))
      visit(dep);
    stack_.pop_back();
    placed_.insert(name);
    start_order_.push_back(name);
  }

  // docs/commands.md: kernel, then each listed app after its unplaced dependencies.
  void order() {
    if (loaded_.count("kernel"))
      visit("kernel");
    for (auto& entry : spec_.apps)
      if (loaded_.count(entry.name))
        visit(entry.name);
    for (auto& name : order_loaded_) // added apps reachable only via failures
      visit(name);
  }

  const release_spec& spec_;
  const app_index& index_;
  diagnostics& diags_;
  std::map<std::string, resolved_app> loaded_;
  std::vector<std::string> order_loaded_;
  std::set<std::string> failed_;
  std::set<std::string> placed_;
  std::set<std::string> reported_cycles_;
  std::vector<std::string> stack_;
  std::vector<std::string> start_order_;
};

} // namespace

resolved_release resolve_release(const release_spec& spec,
                                                const app_index& index,
                                                diagnostics& diags) {
  return resolver{spec, index, diags}.run();
}

} // namespace relc::release
