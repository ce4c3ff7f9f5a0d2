#include "boot_plan.hpp"

#include "relc/runtime/log.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "relc/runtime/boot_file.hpp"
#include "relc/runtime/boot_schema.hpp"
#include "relc/runtime/release_layout.hpp"
#include "relc/runtime/runtime_error.hpp"

namespace fs = std::filesystem;

namespace relc {

const char* to_string(app_start_type x) {
  switch (x) {
    case app_start_type::permanent: return "permanent";
    case app_start_type::transient: return "transient";
    case app_start_type::temporary: return "temporary";
    case app_start_type::load: return "load";
    case app_start_type::none: return "none";
  }
  return "?";
}

namespace {

caf::error bad(const std::string& what) {
  return make_error(runtime_errc::bad_boot_file, what);
}

std::string str(const term& t, const char* key) {
  auto* x = t.find(key);
  return x && x->is_string() ? x->as_string() : std::string{};
}

std::vector<std::string> names(const term& t, const char* key) {
  std::vector<std::string> result;
  if (auto* x = t.find(key); x && x->is_list())
    for (auto& y : x->as_list())
      if (y.is_string())
        result.push_back(y.as_string());
  return result;
}

int64_t integer(const term& t, const char* key, int64_t fallback) {
  auto* x = t.find(key);
  return x && x->type() == term::kind::integer ? x->as_integer() : fallback;
}

planned_boot_control read_boot_control(const term& t) {
  planned_boot_control result;
  if (auto* init = t.find(boot_keys::init); init && init->is_list())
    for (auto& entry : init->as_list()) {
      planned_init item;
      if (auto* call = entry.find(boot_keys::call); call && call->is_map()) {
        item.app = str(*call, boot_keys::app);
        item.function = str(*call, boot_keys::function);
        if (auto* args = entry.find(boot_keys::args))
          item.args = *args;
      } else {
        item.app = str(entry, boot_keys::app);
      }
      result.init.push_back(std::move(item));
    }
  if (auto main = str(t, boot_keys::main); !main.empty())
    result.main = main;
  if (auto* h = t.find(boot_keys::handler); h && h->is_map()) {
    result.handler = str(*h, boot_keys::module);
    if (auto* args = h->find(boot_keys::args))
      result.handler_args = *args;
  }
  result.shutdown_timer
    = std::chrono::milliseconds{integer(t, boot_keys::shutdown_timer, 30000)};
  if (auto* limit = t.find(boot_keys::restart_limit); limit && limit->is_map()) {
    result.max_restarts = static_cast<int>(integer(*limit, boot_keys::max, 3));
    result.restart_period
      = std::chrono::milliseconds{integer(*limit, boot_keys::period, 5000)};
    result.give_up = str(*limit, boot_keys::exceeded) == boot_keys::give_up;
  }
  result.recovery_after = static_cast<int>(integer(t, boot_keys::recovery_after, 3));
  return result;
}

} // namespace

caf::expected<boot_plan> load_boot_plan(const std::string& root,
                                       const std::string& vsn) {
  boot_plan plan;
  plan.release_root = root;
  auto start = layout::read_start_data(root);
  if (!start)
    return bad("cannot read " + (fs::path{root} / layout::start_data()).string()
               + " (expected '<runtime vsn> <release vsn>')");
  plan.runtime = start->runtime_vsn;
  plan.vsn = vsn.empty() ? start->release_vsn : vsn;
  auto dir = fs::path{root} / layout::release_dir(plan.vsn);
  // releases/<vsn>/ holds one release's files: <rel>.boot beside
  // <rel>.rel (relc build writes both). Other .boot files (OTP and relx
  // releases carry start.boot, start_clean.boot, ...) are ignored, with a
  // warning. Directory order is arbitrary: two candidates are an error,
  // not a pick.
  std::vector<std::string> found;
  std::error_code ec;
  for (fs::directory_iterator it{dir, ec}, end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == layout::boot_extension)
      found.push_back(it->path().filename().string());
  std::sort(found.begin(), found.end());
  if (found.empty())
    return bad("no <release>.boot file in " + dir.string());
  if (found.size() > 1) {
    std::vector<std::string> with_rel;
    for (auto& f : found)
      if (fs::exists(dir / (fs::path{f}.stem().string() + ".rel")))
        with_rel.push_back(f);
    if (with_rel.size() != 1) {
      std::string list;
      for (auto& f : found)
        list += (list.empty() ? "" : ", ") + f;
      return bad(dir.string() + ": expected one <release>.boot beside its "
                 "<release>.rel, found " + list);
    }
    for (auto& f : found)
      if (f != with_rel.front())
        log(log_level::warning, "init",
            (dir / f).string() + ": ignored (the release boots "
              + with_rel.front() + ")");
    found = with_rel;
  }
  auto boot_path = (dir / found.front()).string();
  auto stem = fs::path{found.front()}.stem().string();
  std::ifstream in{boot_path, std::ios::binary};
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto script = decode_boot_file(buffer.str());
  if (!script)
    return bad(boot_path + ": " + describe_error(script.error()));
  auto* release = script->find(boot_keys::release);
  auto* apps = script->find(boot_keys::apps);
  if (!release || !apps || !apps->is_list())
    return bad(boot_path + ": missing release or apps");
  plan.name = str(*release, boot_keys::name);
  if (plan.name != stem)
    return bad(boot_path + ": holds release '" + plan.name
               + "', expected '" + stem + "' (the file's name)");
  // The runtime this version needs: its own boot file says (start.data's
  // names the permanent one's).
  if (auto rt = str(*release, boot_keys::runtime); !rt.empty())
    plan.runtime = rt;
  plan.sys_config = str(*script, boot_keys::sys_config);
  plan.node_args = str(*script, boot_keys::node_args);
  plan.parallel_start = str(*script, boot_keys::start) == boot_keys::parallel;
  if (auto* health = script->find(boot_keys::health); health && health->is_list())
    for (auto& n : health->as_list())
      if (n.is_string())
        plan.health_await.push_back(n.as_string());
  if (auto* boot = script->find(boot_keys::boot); boot && boot->is_map())
    plan.boot = read_boot_control(*boot);
  for (auto& a : apps->as_list()) {
    planned_app app;
    app.name = str(a, boot_keys::name);
    app.vsn = str(a, boot_keys::vsn);
    auto type = str(a, boot_keys::type);
    for (auto t : {app_start_type::permanent, app_start_type::transient,
                   app_start_type::temporary, app_start_type::load,
                   app_start_type::none})
      if (type == to_string(t))
        app.type = t;
    if (auto* lib = a.find(boot_keys::library); lib && lib->is_map()) {
      app.library = str(*lib, boot_keys::path);
      app.sha256 = str(*lib, boot_keys::sha256);
    }
    if (auto* mod = a.find(boot_keys::mod); mod && mod->is_map()) {
      app.mod = str(*mod, boot_keys::module);
      if (auto* args = mod->find(boot_keys::args))
        app.mod_args = *args;
    }
    if (auto* phases = a.find(boot_keys::start_phases); phases && phases->is_list())
      for (auto& p : phases->as_list()) {
        planned_phase phase;
        phase.name = str(p, boot_keys::name);
        if (auto* args = p.find(boot_keys::args))
          phase.args = *args;
        app.phases.push_back(std::move(phase));
      }
    app.applications = names(a, boot_keys::applications);
    app.optional_applications = names(a, boot_keys::optional_applications);
    app.included = names(a, boot_keys::included_applications);
    if (auto by = str(a, boot_keys::included_by); !by.empty())
      app.included_by = by;
    if (auto* env = a.find(boot_keys::env))
      app.env = *env;
    if (!app.env.is_map())
      app.env = term::map{};
    if (app.name.empty())
      return bad(boot_path + ": an app entry without a name");
    plan.apps.push_back(std::move(app));
  }
  return plan;
}

} // namespace relc
