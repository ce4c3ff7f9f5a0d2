#include "relc/runtime/node.hpp"

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <caf/all.hpp>

#include "app_library.hpp"
#include "boot_counter.hpp"
#include "boot_handler_runner.hpp"
#include "boot_plan.hpp"
#include "library_verifier.hpp"
#include "start_signal.hpp"
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
  void adopt(const caf::actor& actor) override;

private:
  node::impl& owner_;
  app_record& app_;
};

// Free-standing actors an app adopted (app_context::adopt), by id; shared
// with the functor each one carries, which drops it once it has died. CAF
// runs an actor's exit functors newest first; for an actor adopted as it
// was spawned (ctx.spawn) ours is the oldest, so when the actor has left
// this set, every exit functor of its own has run too.
struct adopted_actors {
  std::mutex mtx;
  std::condition_variable gone; // notified when an actor leaves `actors`
  std::map<caf::actor_id, caf::actor_addr> actors;

  void drop(caf::actor_id id) {
    {
      std::lock_guard<std::mutex> guard{mtx};
      actors.erase(id);
    }
    gone.notify_all();
  }

  // Kills every adopted actor still alive (OTP: the group leader's
  // processes die with the application). Returns their ids.
  std::vector<caf::actor_id> kill_all() {
    std::vector<caf::actor> alive;
    {
      std::lock_guard<std::mutex> guard{mtx};
      for (auto& [id, addr] : actors)
        if (auto h = caf::actor_cast<caf::actor>(addr))
          alive.push_back(std::move(h));
    }
    std::vector<caf::actor_id> ids;
    for (auto& h : alive) {
      ids.push_back(h.id());
      caf::anon_send_exit(h, caf::exit_reason::kill);
    }
    return ids;
  }

  // Kills them and waits until they are gone (or the deadline passed), as
  // OTP's application master does before the app's stop/1.
  void kill_all(std::chrono::steady_clock::time_point deadline) {
    auto ids = kill_all();
    std::unique_lock<std::mutex> guard{mtx};
    gone.wait_until(guard, deadline, [&] {
      for (auto id : ids)
        if (actors.count(id) > 0)
          return false;
      return true;
    });
  }
};

struct app_record {
  planned_app plan;
  std::shared_ptr<adopted_actors> adopted = std::make_shared<adopted_actors>();
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
  std::vector<std::unique_ptr<app_record>> retired; // apps before a restart
  caf::actor registry;
  mutable std::mutex mtx;
  std::condition_variable cv;
  bool stop_requested = false;
  bool restart_requested = false;
  std::string fatal; // why an app exit ends the node
  node_status status;
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  std::vector<app_record*> started_order; // primaries, in start order
  // Serialises boot, stop and starting/stopping single apps: the control
  // server calls the latter on its own thread while the host may be
  // stopping the node, and both walk started_order. Timed: the shoehorn
  // controller must notice a stop while it waits for it.
  std::timed_mutex lifecycle;
  std::vector<timeline_entry> timeline; // guarded by mtx
  static constexpr size_t max_timeline = 20000;

  // Shoehorn mode (plan.boot): the handler, the restart window, and the
  // controller thread that answers app exits (queued by on_app_exit).
  std::unique_ptr<boot_handler_runner> handler;
  std::unique_ptr<restart_window> restarts;
  std::deque<app_event> events; // guarded by mtx
  std::condition_variable controller_cv;
  bool controller_quit = false;
  std::thread controller;

  bool loaded = false;
  std::chrono::steady_clock::time_point boot_began; // load() began

  explicit impl(node_options o) : options(std::move(o)) {}

  caf::actor_system& sys() { return *sys_ptr; }

  app_record* find(const std::string& name) {
    for (auto& a : apps)
      if (a->plan.name == name)
        return a.get();
    return nullptr;
  }

  bool shoehorn() const {
    return plan.boot.has_value();
  }

  void step(const std::string& text) {
    auto at = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - t0);
    {
      std::lock_guard<std::mutex> guard{mtx};
      status.last_step = text;
      if (timeline.size() < max_timeline)
        timeline.push_back({at, text});
    }
    if (!options.init_debug)
      return;
    auto ms = static_cast<double>(at.count()) / 1000.0;
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
      app->adopted->kill_all();
      for (auto& inc : app->plan.included)
        if (auto* child = find(inc))
          child->adopted->kill_all();
      report = shoehorn() ? queue_exit_event(*app, reason)
                          : judge_exit(*app, reason);
    }
    log(log_level::info, "application_controller", report);
    cv.notify_all();
  }

  // OTP's rule for an app that terminated (mtx held).
  std::string judge_exit(app_record& app, const caf::error& reason) {
    auto text = describe_error(reason);
    auto type = std::string{" (type "} + to_string(app.plan.type) + ")";
    if (app.plan.type == app_start_type::temporary)
      return "application " + app.plan.name + " exited: " + text + type;
    if (app.plan.type == app_start_type::transient && !reason)
      return "application " + app.plan.name + " exited normally" + type;
    if (fatal.empty())
      fatal = app.plan.name + ": exited: " + text + type;
    return "application " + app.plan.name + " exited: " + text + type
           + ": stopping the node";
  }

  // Shoehorn: every app is temporary and the boot handler decides (mtx held).
  std::string queue_exit_event(app_record& app, const caf::error& reason) {
    app_event e;
    e.type = reason ? app_event_type::crashed : app_event_type::exited;
    e.app = app.plan.name;
    e.reason = reason ? describe_error(reason) : std::string{};
    events.push_back(e);
    controller_cv.notify_all();
    return "application " + app.plan.name + " "
           + (reason ? "crashed: " + e.reason : std::string{"exited normally"})
           + " (the boot handler decides)";
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
    std::vector<app_record*> todo;
    std::vector<library_file> files;
    for (auto& a : apps)
      if (a->plan.type != app_start_type::none && a->plan.library) {
        todo.push_back(a.get());
        files.push_back({(fs::path{plan.release_root} / *a->plan.library).string(),
                         a->plan.sha256});
      }
    library_verifier verifier{files};
    for (size_t i = 0; i < todo.size(); ++i) {
      auto* a = todo[i];
      auto& path = files[i].path;
      step("load " + a->plan.name + " " + *a->plan.library);
      if (auto err = verifier.result(i))
        return failure(a->plan.name, "load", describe_error(err));
      auto handle = open_app_library(path);
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
      app.stopping_on_purpose = false;
    }
    forget_started(app);
    started_order.push_back(&app);
    if (app.top) {
      auto* self = this;
      auto* record = &app;
      app.top->attach_functor([self, record](const caf::error& reason) {
        self->on_app_exit(record, reason);
      });
    }
    for (auto& p : app.plan.phases)
      if (auto err = run_phase(app, p.name, p.args)) {
        // A start that failed half way leaves nothing running (OTP kills
        // the app's processes when its start fails).
        stop_one(app, std::chrono::steady_clock::now() + options.shutdown_time,
                 false);
        forget_started(app);
        return err;
      }
    log(log_level::info, "application_controller",
        "application " + app.plan.name + " started (type "
          + to_string(app.plan.type) + ")");
    return {};
  }

  void forget_started(app_record& app) {
    started_order.erase(
      std::remove(started_order.begin(), started_order.end(), &app),
      started_order.end());
  }

  // Stops `app` on purpose. With `report`, a shoehorn node tells its boot
  // handler (through the controller, after this returns).
  void stop_one(app_record& app, std::chrono::steady_clock::time_point deadline,
                bool report = true) {
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
      auto gone = std::make_shared<start_signal>();
      app.top->attach_functor([gone](const caf::error& r) { gone->set(r); });
      caf::anon_send_exit(app.top, caf::exit_reason::user_shutdown);
      if (!gone->wait(deadline)) {
        log(log_level::warning, "application_controller",
            "application " + app.plan.name
              + " did not stop within the shutdown time, killing its tree");
        caf::anon_send_exit(app.top, caf::exit_reason::kill);
      }
    }
    app.adopted->kill_all(deadline);
    for (auto& inc : app.plan.included)
      if (auto* child = find(inc))
        child->adopted->kill_all(deadline);
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
    if (report && shoehorn()) {
      std::lock_guard<std::mutex> guard{mtx};
      if (status.state == node_state::started) {
        app_event e;
        e.type = app_event_type::stopped;
        e.app = app.plan.name;
        events.push_back(std::move(e));
        controller_cv.notify_all();
      }
    }
  }

  void stop_all() {
    stop_controller();
    if (!sys_ptr)
      return;
    auto began = std::chrono::steady_clock::now();
    auto deadline = began + options.shutdown_time;
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
    log(log_level::info, "init", "stopped in " + ms_since(began));
  }

  static std::string ms_since(std::chrono::steady_clock::time_point t) {
    char text[32];
    snprintf(text, sizeof text, "%.1f ms",
             std::chrono::duration<double, std::milli>(
               std::chrono::steady_clock::now() - t)
               .count());
    return text;
  }

  // Back to a node that has loaded nothing (for restart; after stop_all).
  void reset() {
    handler.reset();
    restarts.reset();
    counter.reset();
    recovery = false;
    shoehorn_note.clear();
    started_order.clear();
    // Actors of the old apps may still hold their app_context: keep them.
    for (auto& a : apps)
      retired.push_back(std::move(a));
    apps.clear();
    plan = boot_plan{};
    loaded = false;
    std::lock_guard<std::mutex> guard{mtx};
    fatal.clear();
    auto boots = status.boots;
    status = node_status{};
    status.boots = boots;
    events.clear();
  }

  caf::error load() {
    if (loaded)
      return {};
    boot_began = std::chrono::steady_clock::now();
    step("read boot file of " + options.release_dir);
    auto read = load_boot_plan(options.release_dir);
    if (!read)
      return failure("kernel", "boot file", describe_error(read.error()));
    plan = std::move(*read);
    if (plan.boot) // shoehorn: all started as temporary, the handler decides
      for (auto& p : plan.apps)
        if (p.name != "kernel"
            && (p.type == app_start_type::permanent
                || p.type == app_start_type::transient))
          p.type = app_start_type::temporary;
    for (auto& p : plan.apps) { // the records own them from here on
      auto record = std::make_unique<app_record>();
      record->plan = std::move(p);
      apps.push_back(std::move(record));
    }
    plan.apps.clear();
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
    if (auto* kernel = find("kernel"); kernel && !kernel->callback) {
      std::lock_guard<std::mutex> guard{mtx};
      kernel->state = run_state::running;
    }
    auto err = shoehorn() ? boot_shoehorn() : boot_all();
    if (!err)
      err = interruption();
    if (err) {
      stop_all();
      return err;
    }
    {
      std::lock_guard<std::mutex> guard{mtx};
      status.state = node_state::started;
      status.note = shoehorn_note;
      ++status.boots;
    }
    if (counter && (shoehorn_note.empty() || recovery))
      reset_boot_counter();
    step("started " + plan.name + " " + plan.vsn);
    log(log_level::info, "init",
        "started " + plan.name + " " + plan.vsn + " in " + ms_since(boot_began)
          + " (apps started: " + std::to_string(started_order.size()) + ")");
    return {};
  }

  // The release's apps in start order, by type (OTP's boot).
  caf::error boot_all() {
    for (auto& a : apps) {
      if (should_abort())
        break;
      auto& app = *a;
      if (app.state == run_state::running)
        continue; // the kernel
      if (app.plan.type == app_start_type::none
          || app.plan.type == app_start_type::load || app.plan.included_by) {
        step("loaded " + app.plan.name);
        continue;
      }
      if (auto err = start_app(app)) {
        if (app.plan.type == app_start_type::permanent)
          return err;
        log(log_level::error, "application_controller",
            describe_error(err) + " (type " + to_string(app.plan.type)
              + ": the boot goes on)");
      }
    }
    return {};
  }

  // Why a boot that ran to its end must not count as started.
  caf::error interruption() {
    std::lock_guard<std::mutex> guard{mtx};
    if (!fatal.empty())
      return make_error(runtime_errc::boot_failed, fatal);
    if (stop_requested)
      return make_error(runtime_errc::interrupted, "stopped during boot");
    return {};
  }

  // -- shoehorn mode (SPEC §8) ----------------------------------------------

  std::optional<boot_counter> counter; // the reboot-loop guard
  bool recovery = false;
  std::string shoehorn_note; // why main does not run

  void reset_boot_counter() {
    if (!counter->write(0))
      log(log_level::warning, "boot_guard",
          "cannot write " + counter->path() + ": " + strerror(errno));
  }

  // Ends the node (mtx not held): the host stops it and exits 1.
  void halt(const std::string& why) {
    {
      std::lock_guard<std::mutex> guard{mtx};
      if (fatal.empty())
        fatal = why;
    }
    log(log_level::error, "boot_handler", why + ": halting the node");
    cv.notify_all();
  }

  static std::string describe(const app_event& e) {
    auto who = e.function.empty() ? e.app : e.app + "." + e.function;
    return who + " " + to_string(e.type)
           + (e.reason.empty() ? std::string{} : ": " + e.reason);
  }

  // Asks the handler about `e` and applies the restart window. A verdict
  // of halt (or no verdict in time) ends the node; a restart past the
  // window halts or gives up on the app.
  boot_verdict verdict_on(app_event e) {
    auto key = e.function.empty() ? e.app : e.app + "." + e.function;
    e.recent_restarts = restarts->recent(key);
    auto answer = handler->ask(e);
    if (!answer) {
      halt("boot handler gave no verdict on '" + describe(e) + "' within "
           + std::to_string(handler->shutdown_timer().count())
           + " ms (shutdown_timer)");
      return boot_verdict::halt;
    }
    log(log_level::info, "boot_handler",
        describe(e) + ": " + to_string(*answer));
    if (*answer == boot_verdict::halt) {
      halt("boot handler: halt on '" + describe(e) + "'");
      return boot_verdict::halt;
    }
    if (*answer != boot_verdict::restart || e.type == app_event_type::started)
      return boot_verdict::continue_boot;
    if (restarts->allow(key))
      return boot_verdict::restart;
    auto limit = std::to_string(restarts->max()) + " restarts within "
                 + std::to_string(restarts->period().count())
                 + " ms (boot restart_limit)";
    if (plan.boot->give_up) {
      log(log_level::warning, "boot_handler",
          "giving up on " + key + ": " + limit);
      return boot_verdict::continue_boot;
    }
    halt(key + ": " + limit);
    return boot_verdict::halt;
  }

  // Starts `app` after its dependencies (shoehorn's ensure_all_started);
  // every start and start failure goes to the handler.
  caf::error ensure_started(app_record& app) {
    if (app.state == run_state::running)
      return {};
    if (app.plan.included_by)
      return failure(app.plan.name, "start",
                     "included by " + *app.plan.included_by
                       + ", starts with its tree");
    for (auto* deps : {&app.plan.applications, &app.plan.optional_applications})
      for (auto& dep : *deps)
        if (auto* d = find(dep); d && dep != "kernel")
          if (auto err = ensure_started(*d))
            return failure(app.plan.name, "start",
                           "dependency '" + dep + "' did not start");
    for (;;) {
      if (should_abort())
        return failure(app.plan.name, "start", "the node is stopping");
      app_event e;
      e.app = app.plan.name;
      auto err = app.plan.type == app_start_type::none
                   ? failure(app.plan.name, "start",
                             "type none: its library is not loaded")
                   : start_app(app);
      if (!err) {
        e.type = app_event_type::started;
        if (verdict_on(e) == boot_verdict::halt)
          return failure(app.plan.name, "start", "halted by the boot handler");
        return {};
      }
      e.type = app_event_type::start_failed;
      e.reason = describe_error(err);
      log(log_level::error, "application_controller", e.reason);
      if (verdict_on(e) != boot_verdict::restart)
        return err;
    }
  }

  // A boot init `{call: APP.FUNCTION, args}`, repeated on a restart verdict.
  caf::error run_call(const planned_init& entry) {
    auto* app = find(entry.app);
    for (;;) {
      if (should_abort())
        return failure(entry.app, "call " + entry.function, "the node is stopping");
      step("call " + entry.app + "." + entry.function);
      caf::error err;
      auto symbol = export_names::call_prefix + entry.function;
      auto fn = app && app->library
                  ? reinterpret_cast<boot_call_function>(
                    find_symbol(app->library, symbol))
                  : nullptr;
      if (!fn) {
        err = failure(entry.app, "call " + entry.function,
                      "its library does not export " + symbol);
      } else {
        try {
          if (auto e = fn(*app->ctx, entry.args))
            err = failure(entry.app, "call " + entry.function, describe_error(e));
        } catch (const std::exception& ex) {
          err = failure(entry.app, "call " + entry.function, ex.what());
        }
      }
      if (!err)
        return {};
      app_event e;
      e.type = app_event_type::call_failed;
      e.app = entry.app;
      e.function = entry.function;
      e.reason = describe_error(err);
      log(log_level::error, "boot_handler", e.reason);
      if (verdict_on(e) != boot_verdict::restart)
        return err;
    }
  }

  caf::error make_handler() {
    auto& bc = *plan.boot;
    std::unique_ptr<boot_handler> custom;
    if (bc.handler) {
      auto symbol = export_names::boot_handler_prefix + *bc.handler;
      for (auto& a : apps)
        if (a->library && !custom)
          if (auto* f = find_symbol(a->library, symbol))
            custom.reset(reinterpret_cast<boot_handler_factory>(f)());
      if (!custom)
        return failure("kernel", "boot handler",
                       "no application library exports " + symbol);
    }
    handler = std::make_unique<boot_handler_runner>(std::move(custom),
                                                    bc.shutdown_timer);
    restarts = std::make_unique<restart_window>(bc.max_restarts,
                                                bc.restart_period);
    if (!handler->init(bc.handler_args))
      return failure("kernel", "boot handler",
                     "init did not return within "
                       + std::to_string(bc.shutdown_timer.count())
                       + " ms (shutdown_timer)");
    return {};
  }

  // Reads the reboot-loop guard and counts this boot as failed until it
  // reaches started.
  void arm_boot_counter() {
    auto& bc = *plan.boot;
    if (bc.recovery_after <= 0 || options.boot_counter_file.empty())
      return;
    counter.emplace(options.boot_counter_file);
    auto failed = counter->read();
    recovery = failed >= bc.recovery_after;
    if (recovery) {
      shoehorn_note = "recovery plan: " + std::to_string(failed)
                      + " boots in a row did not reach started (recovery_after "
                      + std::to_string(bc.recovery_after)
                      + "); only the init entries run";
      log(log_level::warning, "boot_guard", shoehorn_note);
    }
    if (!counter->write(failed + 1))
      log(log_level::warning, "boot_guard",
          "cannot write " + counter->path() + ": " + strerror(errno));
  }

  // kernel, each init entry in order, then main; all apps temporary.
  caf::error boot_shoehorn() {
    auto& bc = *plan.boot;
    if (auto err = make_handler())
      return err;
    arm_boot_counter();
    start_controller();
    for (auto& entry : bc.init) {
      if (should_abort())
        return {};
      if (!entry.function.empty()) {
        (void) run_call(entry);
      } else if (auto* app = find(entry.app)) {
        if (auto err = ensure_started(*app))
          log(log_level::error, "boot_handler",
              "init entry " + entry.app + " is not running: "
                + describe_error(err));
      }
    }
    if (!bc.main || should_abort() || recovery)
      return {};
    if (auto* app = find(*bc.main))
      if (auto err = ensure_started(*app)) {
        shoehorn_note = "main application " + *bc.main
                        + " is not running: " + describe_error(err);
        log(log_level::error, "boot_handler",
            shoehorn_note + "; the init apps keep running");
      }
    return {};
  }

  void start_controller() {
    {
      std::lock_guard<std::mutex> guard{mtx};
      controller_quit = false;
      events.clear();
    }
    controller = std::thread{[this] { controller_loop(); }};
  }

  void stop_controller() {
    if (!controller.joinable())
      return;
    {
      std::lock_guard<std::mutex> guard{mtx};
      controller_quit = true;
    }
    controller_cv.notify_all();
    controller.join();
  }

  // Answers app exits and stops with the handler's verdict, one at a time,
  // serialised with boot, stop and the admin's start/stop.
  void controller_loop() {
    for (;;) {
      app_event e;
      {
        std::unique_lock<std::mutex> guard{mtx};
        controller_cv.wait(guard,
                           [this] { return controller_quit || !events.empty(); });
        if (controller_quit)
          return;
        e = std::move(events.front());
        events.pop_front();
      }
      std::unique_lock<std::timed_mutex> life{lifecycle, std::defer_lock};
      while (!life.try_lock_for(std::chrono::milliseconds{10})) {
        std::lock_guard<std::mutex> guard{mtx};
        if (controller_quit)
          return;
      }
      {
        std::lock_guard<std::mutex> guard{mtx};
        if (controller_quit || status.state == node_state::stopping
            || status.state == node_state::stopped)
          continue;
      }
      if (verdict_on(e) != boot_verdict::restart)
        continue;
      if (auto* app = find(e.app))
        if (auto err = ensure_started(*app))
          log(log_level::error, "boot_handler",
              "restart of " + e.app + " failed: " + describe_error(err));
    }
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

void app_ctx::adopt(const caf::actor& actor) {
  if (!actor)
    return;
  auto set = app_.adopted;
  auto id = actor.id();
  {
    std::lock_guard<std::mutex> guard{set->mtx};
    set->actors.emplace(id, actor.address());
  }
  actor->attach_functor([set, id] { set->drop(id); });
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
  std::lock_guard<std::timed_mutex> guard{impl_->lifecycle};
  return impl_->boot(sys);
}

void node::request_stop() {
  {
    std::lock_guard<std::mutex> guard{impl_->mtx};
    impl_->stop_requested = true;
  }
  impl_->cv.notify_all();
}

void node::request_restart() {
  {
    std::lock_guard<std::mutex> guard{impl_->mtx};
    impl_->restart_requested = true;
  }
  impl_->cv.notify_all();
}

std::string node::wait() {
  std::unique_lock<std::mutex> guard{impl_->mtx};
  impl_->cv.wait(guard, [this] {
    return impl_->stop_requested || impl_->restart_requested
           || !impl_->fatal.empty();
  });
  return impl_->fatal;
}

bool node::take_restart_request() {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  auto result = impl_->restart_requested && !impl_->stop_requested
                && impl_->fatal.empty();
  impl_->restart_requested = false;
  return result;
}

caf::error node::restart(caf::actor_system& sys) {
  std::lock_guard<std::timed_mutex> guard{impl_->lifecycle};
  impl_->stop_all();
  impl_->reset();
  return impl_->boot(sys);
}

caf::actor node::application_top(const std::string& app) const {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  for (auto& a : impl_->apps)
    if (a->plan.name == app && a->state == run_state::running)
      return a->top;
  return nullptr;
}

void node::stop() {
  std::lock_guard<std::timed_mutex> guard{impl_->lifecycle};
  impl_->stop_all();
}

void node::set_boot_counter_file(std::string path) {
  impl_->options.boot_counter_file = std::move(path);
}

std::vector<timeline_entry> node::timeline() const {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  return impl_->timeline;
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
  std::lock_guard<std::timed_mutex> guard{impl_->lifecycle};
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
  std::lock_guard<std::timed_mutex> guard{impl_->lifecycle};
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
  return impl_->shoehorn() ? impl_->ensure_started(*record)
                           : impl_->start_app(*record);
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
