#include "relc/runtime/node.hpp"

#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>

#include <caf/all.hpp>

#include "app_library.hpp"
#include "boot_plan.hpp"
#include "env_config.hpp"
#include "relc/runtime/application.hpp"
#include "relc/runtime/export_names.hpp"
#include "relc/runtime/log.hpp"
#include "relc/runtime/registry.hpp"
#include "relc/runtime/runtime_error.hpp"

namespace fs = std::filesystem;

namespace relc {

const char* to_string(node_state x) {
  switch (x) {
    case node_state::starting: return "starting";
    case node_state::started: return "started";
    case node_state::stopping: return "stopping";
    case node_state::stopped: return "stopped";
  }
  return "?";
}

namespace {

enum class run_state { loaded, running, stopped };

struct app_record;

class app_ctx : public app_context {
public:
  app_ctx(node::impl& owner, app_record& app) : owner_(owner), app_(app) {}
  caf::actor_system& system() override;
  const std::string& app_name() const override;
  term get_env(const std::string& key) const override;
  void set_env(const std::string& key, term value) override;
  std::vector<std::pair<std::string, term>>
  find_env_vars(const std::string& key) const override;
  caf::expected<caf::actor> start_included(const std::string& app) override;
  caf::actor registry() override;

private:
  node::impl& owner_;
  app_record& app_;
};

struct app_record {
  planned_app plan;
  term env;
  void* library = nullptr;
  std::unique_ptr<application> callback;
  std::unique_ptr<app_ctx> ctx;
  caf::actor top;
  run_state state = run_state::loaded;
  bool stopping_on_purpose = false;
};

caf::error failure(const std::string& app, const std::string& step,
                   const std::string& reason) {
  return make_error(runtime_errc::boot_failed,
                    app + ": " + step + ": " + reason);
}

} // namespace

struct node::impl {
  caf::actor_system* sys_ptr = nullptr;
  node_options options;
  boot_plan plan;
  std::vector<std::unique_ptr<app_record>> apps; // start order
  caf::actor registry;
  mutable std::mutex mtx;
  std::condition_variable cv;
  bool stop_requested = false;
  std::string fatal; // why an app exit ends the node
  node_status status;
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  std::vector<app_record*> started_order; // primaries, in start order
  // Serialises boot, stop and starting/stopping single apps: the control
  // server calls the latter on its own thread while the host may be
  // stopping the node, and both walk started_order.
  std::mutex lifecycle;

  bool loaded = false;

  explicit impl(node_options o) : options(std::move(o)) {}

  caf::actor_system& sys() { return *sys_ptr; }

  app_record* find(const std::string& name) {
    for (auto& a : apps)
      if (a->plan.name == name)
        return a.get();
    return nullptr;
  }

  void step(const std::string& text) {
    {
      std::lock_guard<std::mutex> guard{mtx};
      status.last_step = text;
    }
    if (!options.init_debug)
      return;
    auto ms = std::chrono::duration<double, std::milli>(
                std::chrono::steady_clock::now() - t0)
                .count();
    char prefix[48];
    snprintf(prefix, sizeof prefix, "init: +%.3f ms ", ms);
    auto line = prefix + text;
    if (options.debug_sink)
      options.debug_sink(line);
    else
      fprintf(stderr, "%s\n", line.c_str());
  }

  bool should_abort() {
    std::lock_guard<std::mutex> guard{mtx};
    return stop_requested || !fatal.empty();
  }

  // Called in the terminating top actor's context: only flags and a notify.
  void on_app_exit(app_record* app, const caf::error& reason) {
    std::string report;
    {
      std::lock_guard<std::mutex> guard{mtx};
      if (app->stopping_on_purpose || status.state == node_state::stopping
          || status.state == node_state::stopped) {
        app->state = run_state::stopped;
        return;
      }
      app->state = run_state::stopped;
      auto text = describe_error(reason);
      switch (app->plan.type) {
        case app_start_type::temporary:
          report = "application " + app->plan.name + " exited: " + text
                   + " (type temporary)";
          break;
        case app_start_type::transient:
          if (!reason) {
            report = "application " + app->plan.name
                     + " exited normally (type transient)";
            break;
          }
          [[fallthrough]];
        default:
          if (fatal.empty())
            fatal = app->plan.name + ": exited: " + text + " (type "
                    + to_string(app->plan.type) + ")";
          report = "application " + app->plan.name + " exited: " + text
                   + " (type " + to_string(app->plan.type)
                   + "): stopping the node";
      }
    }
    log(log_level::info, "application_controller", report);
    cv.notify_all();
  }

  caf::error load_env() {
    std::map<std::string, term> sys_config;
    auto path = options.config_file.empty()
                  ? (fs::path{plan.release_root} / plan.sys_config).string()
                  : options.config_file;
    std::error_code ec;
    if (!options.config_file.empty() || fs::exists(path, ec)) {
      step("read " + path);
      auto cfg = load_sys_config(path);
      if (!cfg) {
        auto text = describe_error(cfg.error());
        // "app.key: file: ..." errors name their app; others the kernel.
        auto end = text.find_first_of(".:");
        auto app = end != std::string::npos && find(text.substr(0, end))
                     ? text.substr(0, end)
                     : std::string{"kernel"};
        return failure(app, "config", text);
      }
      sys_config = std::move(*cfg);
    }
    std::map<std::string, term> overrides;
    for (auto& text : options.env_overrides) {
      auto x = parse_env_override(text);
      if (!x)
        return failure("kernel", "config", describe_error(x.error()));
      overrides[x->first].set(x->second.first, x->second.second);
    }
    for (auto& a : apps) {
      a->env = a->plan.env;
      if (auto i = sys_config.find(a->plan.name); i != sys_config.end())
        merge_env(a->env, i->second);
      if (auto i = overrides.find(a->plan.name); i != overrides.end())
        merge_env(a->env, i->second);
    }
    for (auto& [app, env] : overrides)
      if (!find(app))
        return failure("kernel", "config",
                       "--env names application '" + app
                         + "', which is not in the release");
    return {};
  }

  caf::error load_libraries() {
    for (auto& a : apps) {
      if (a->plan.type == app_start_type::none || !a->plan.library)
        continue;
      auto path = (fs::path{plan.release_root} / *a->plan.library).string();
      step("load " + a->plan.name + " " + *a->plan.library);
      auto handle = load_app_library(path, a->plan.sha256);
      if (!handle)
        return failure(a->plan.name, "load", describe_error(handle.error()));
      a->library = *handle;
      if (a->plan.mod) {
        auto symbol = export_names::application_prefix + *a->plan.mod;
        auto factory = reinterpret_cast<application_factory>(
          find_symbol(a->library, symbol));
        if (!factory)
          return failure(a->plan.name, "load",
                         path + " does not export " + symbol);
        a->callback.reset(factory());
      }
      a->ctx = std::make_unique<app_ctx>(*this, *a);
    }
    for (auto& a : apps)
      if (!a->ctx)
        a->ctx = std::make_unique<app_ctx>(*this, *a);
    return {};
  }

  // application_starter order: P on the app, then on each included app that
  // has P (recursively); phases only included apps have never run.
  caf::error run_phase(app_record& app, const std::string& phase,
                       const term& args) {
    step("start_phase " + app.plan.name + " " + phase);
    if (app.callback)
      if (auto err = app.callback->start_phase(*app.ctx, phase, args))
        return failure(app.plan.name, "start_phase " + phase,
                       describe_error(err));
    for (auto& inc : app.plan.included) {
      auto* child = find(inc);
      if (!child)
        continue;
      for (auto& p : child->plan.phases)
        if (p.name == phase)
          if (auto err = run_phase(*child, phase, p.args))
            return err;
    }
    return {};
  }

  caf::error start_app(app_record& app) {
    for (auto* deps : {&app.plan.applications, &app.plan.optional_applications})
      for (auto& dep : *deps) {
        auto* d = find(dep);
        if (dep == "kernel")
          continue;
        if (!d || d->state != run_state::running)
          return failure(app.plan.name, "start",
                         "dependency '" + dep + "' is not started");
      }
    step("start " + app.plan.name);
    if (app.callback) {
      auto top = app.callback->start(*app.ctx, app.plan.mod_args);
      if (!top)
        return failure(app.plan.name, "start", describe_error(top.error()));
      app.top = *top;
    }
    {
      std::lock_guard<std::mutex> guard{mtx};
      app.state = run_state::running;
    }
    started_order.push_back(&app);
    if (app.top) {
      auto* self = this;
      auto* record = &app;
      app.top->attach_functor([self, record](const caf::error& reason) {
        self->on_app_exit(record, reason);
      });
    }
    for (auto& p : app.plan.phases)
      if (auto err = run_phase(app, p.name, p.args))
        return err;
    log(log_level::info, "application_controller",
        "application " + app.plan.name + " started (type "
          + to_string(app.plan.type) + ")");
    return {};
  }

  void stop_one(app_record& app, std::chrono::steady_clock::time_point deadline) {
    {
      std::lock_guard<std::mutex> guard{mtx};
      if (app.state != run_state::running)
        return;
      app.stopping_on_purpose = true;
    }
    step("stop " + app.plan.name);
    if (app.callback)
      app.callback->prep_stop(*app.ctx);
    if (app.top) {
      caf::scoped_actor self{sys(), true};
      self->monitor(app.top);
      self->send_exit(app.top, caf::exit_reason::user_shutdown);
      auto now = std::chrono::steady_clock::now();
      auto left = deadline > now ? deadline - now
                                 : std::chrono::steady_clock::duration::zero();
      bool timed_out = false;
      self->receive(
        [&](caf::down_msg&) {},
        caf::after(std::chrono::duration_cast<std::chrono::milliseconds>(left))
          >> [&] { timed_out = true; });
      if (timed_out) {
        log(log_level::warning, "application_controller",
            "application " + app.plan.name
              + " did not stop within the shutdown time, killing its tree");
        self->send_exit(app.top, caf::exit_reason::kill);
      }
    }
    if (app.callback)
      app.callback->stop(*app.ctx);
    {
      std::lock_guard<std::mutex> guard{mtx};
      app.state = run_state::stopped;
      // Included apps went down with their includer's tree.
      for (auto& inc : app.plan.included)
        if (auto* child = find(inc))
          child->state = run_state::stopped;
    }
    log(log_level::info, "application_controller",
        "application " + app.plan.name + " stopped");
  }

  void stop_all() {
    if (!sys_ptr)
      return;
    auto deadline = std::chrono::steady_clock::now() + options.shutdown_time;
    {
      std::lock_guard<std::mutex> guard{mtx};
      if (status.state == node_state::stopped)
        return;
      status.state = node_state::stopping;
    }
    for (auto i = started_order.rbegin(); i != started_order.rend(); ++i)
      stop_one(**i, deadline);
    started_order.clear();
    if (registry) {
      caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
      registry = nullptr;
    }
    {
      std::lock_guard<std::mutex> guard{mtx};
      for (auto& a : apps) // kernel and anything else still marked running
        a->state = run_state::stopped;
      status.state = node_state::stopped;
    }
    step("stopped");
  }

  caf::error load() {
    if (loaded)
      return {};
    step("read boot file of " + options.release_dir);
    auto read = load_boot_plan(options.release_dir);
    if (!read)
      return failure("kernel", "boot file", describe_error(read.error()));
    plan = std::move(*read);
    for (auto& p : plan.apps) {
      auto record = std::make_unique<app_record>();
      record->plan = p;
      apps.push_back(std::move(record));
    }
    if (auto err = load_env())
      return err;
    if (auto err = load_libraries())
      return err;
    loaded = true;
    return {};
  }

  caf::error boot(caf::actor_system& system) {
    sys_ptr = &system;
    if (auto err = load())
      return err;
    step("start kernel services");
    registry = spawn_registry(sys());
    for (auto& a : apps) {
      if (should_abort())
        break;
      auto& app = *a;
      if (app.plan.name == "kernel" && !app.callback) {
        std::lock_guard<std::mutex> guard{mtx};
        app.state = run_state::running;
        continue;
      }
      if (app.plan.type == app_start_type::none
          || app.plan.type == app_start_type::load || app.plan.included_by) {
        step("loaded " + app.plan.name);
        continue;
      }
      if (auto err = start_app(app)) {
        if (app.plan.type == app_start_type::permanent) {
          stop_all();
          return err;
        }
        log(log_level::error, "application_controller",
            describe_error(err) + " (type " + to_string(app.plan.type)
              + ": the boot goes on)");
      }
    }
    std::string fatal_copy;
    bool stop = false;
    {
      std::lock_guard<std::mutex> guard{mtx};
      fatal_copy = fatal;
      stop = stop_requested;
    }
    if (!fatal_copy.empty()) {
      stop_all();
      return make_error(runtime_errc::boot_failed, fatal_copy);
    }
    if (stop) {
      stop_all();
      return make_error(runtime_errc::interrupted, "stopped during boot");
    }
    {
      std::lock_guard<std::mutex> guard{mtx};
      status.state = node_state::started;
    }
    step("started " + plan.name + " " + plan.vsn);
    return {};
  }
};

namespace {

caf::actor_system& app_ctx::system() {
  return owner_.sys();
}

const std::string& app_ctx::app_name() const {
  return app_.plan.name;
}

term app_ctx::get_env(const std::string& key) const {
  std::lock_guard<std::mutex> guard{owner_.mtx};
  auto* x = app_.env.find(key);
  return x ? *x : term{};
}

void app_ctx::set_env(const std::string& key, term value) {
  std::lock_guard<std::mutex> guard{owner_.mtx};
  app_.env.set(key, std::move(value));
}

std::vector<std::pair<std::string, term>>
app_ctx::find_env_vars(const std::string& key) const {
  std::lock_guard<std::mutex> guard{owner_.mtx};
  std::vector<std::pair<std::string, term>> result;
  for (auto& a : owner_.apps)
    if (a->plan.type != app_start_type::none)
      if (auto* x = a->env.find(key))
        result.emplace_back(a->plan.name, *x);
  return result;
}

caf::expected<caf::actor> app_ctx::start_included(const std::string& name) {
  auto* child = owner_.find(name);
  if (!child || child->plan.included_by != app_.plan.name)
    return make_error(runtime_errc::not_found,
                      "'" + name + "' is not included by '" + app_.plan.name
                        + "'");
  owner_.step("start " + name + " (included by " + app_.plan.name + ")");
  caf::actor top;
  if (child->callback) {
    auto r = child->callback->start(*child->ctx, child->plan.mod_args);
    if (!r)
      return r.error();
    top = *r;
  }
  std::lock_guard<std::mutex> guard{owner_.mtx};
  child->top = top;
  child->state = run_state::running;
  return top;
}

caf::actor app_ctx::registry() {
  return owner_.registry;
}

} // namespace

node::node(node_options options)
  : impl_(std::make_unique<impl>(std::move(options))) {
}

node::~node() {
  stop();
}

caf::error node::load() {
  return impl_->load();
}

caf::error node::boot(caf::actor_system& sys) {
  std::lock_guard<std::mutex> guard{impl_->lifecycle};
  return impl_->boot(sys);
}

void node::request_stop() {
  {
    std::lock_guard<std::mutex> guard{impl_->mtx};
    impl_->stop_requested = true;
  }
  impl_->cv.notify_all();
}

std::string node::wait() {
  std::unique_lock<std::mutex> guard{impl_->mtx};
  impl_->cv.wait(guard, [this] {
    return impl_->stop_requested || !impl_->fatal.empty();
  });
  return impl_->fatal;
}

void node::stop() {
  std::lock_guard<std::mutex> guard{impl_->lifecycle};
  impl_->stop_all();
}

node_status node::status() const {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  return impl_->status;
}

std::vector<running_app> node::which_applications() const {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  std::vector<running_app> result;
  for (auto& a : impl_->apps)
    if (a->state == run_state::running)
      result.push_back({a->plan.name, a->plan.vsn, to_string(a->plan.type)});
  return result;
}

caf::error node::stop_application(const std::string& app) {
  std::lock_guard<std::mutex> guard{impl_->lifecycle};
  auto* record = impl_->find(app);
  if (!record)
    return make_error(runtime_errc::not_found, "no application " + app);
  impl_->stop_one(*record, std::chrono::steady_clock::now()
                             + impl_->options.shutdown_time);
  auto& order = impl_->started_order;
  order.erase(std::remove(order.begin(), order.end(), record), order.end());
  return {};
}

caf::error node::start_application(const std::string& app) {
  std::lock_guard<std::mutex> guard{impl_->lifecycle};
  auto* record = impl_->find(app);
  if (!record)
    return make_error(runtime_errc::not_found, "no application " + app);
  if (record->plan.included_by)
    return make_error(runtime_errc::wrong_strategy,
                      app + " is included by " + *record->plan.included_by
                        + " and starts with its tree");
  if (record->plan.type == app_start_type::none
      || record->plan.type == app_start_type::load)
    return make_error(runtime_errc::wrong_strategy,
                      app + " has type " + to_string(record->plan.type));
  {
    std::lock_guard<std::mutex> guard{impl_->mtx};
    if (record->state == run_state::running)
      return make_error(runtime_errc::running, app + " is already running");
    if (impl_->status.state != node_state::started)
      return make_error(runtime_errc::wrong_strategy, "the node is not started");
    record->stopping_on_purpose = false;
  }
  return impl_->start_app(*record);
}

caf::error node::set_env(const std::string& app, const std::string& key,
                         term value) {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  for (auto& a : impl_->apps)
    if (a->plan.name == app) {
      a->env.set(key, std::move(value));
      return {};
    }
  return make_error(runtime_errc::not_found, "no application " + app);
}

term node::get_env(const std::string& app, const std::string& key) const {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  for (auto& a : impl_->apps)
    if (a->plan.name == app)
      if (auto* x = a->env.find(key))
        return *x;
  return term{};
}

caf::actor node::registry() const {
  return impl_->registry;
}

std::string node::release_name() const {
  return impl_->plan.name;
}

std::string node::release_version() const {
  return impl_->plan.vsn;
}

} // namespace relc
