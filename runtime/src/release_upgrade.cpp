#include "release_upgrade.hpp"

#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <tuple>
#include <algorithm>

#include <caf/all.hpp>

#include "app_library.hpp"
#include "blocking_call.hpp"
#include "release_loader.hpp"
#include "relc/runtime/boot_handler.hpp"
#include "relc/runtime/export_names.hpp"
#include "relc/runtime/handoff.hpp"
#include "relc/runtime/log.hpp"
#include "relc/runtime/registry.hpp"
#include "relc/runtime/relup_schema.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "relc/runtime/supervisor.hpp"
#include "library_reaper.hpp"
#include "relup_script.hpp"

namespace relc {

namespace {

using clock_type = std::chrono::steady_clock;
namespace k = relup_keys;

caf::error failure(const std::string& text) {
  return make_error(runtime_errc::release_handling, text);
}

// Visits every child in the tree under `top`, breadth first, with its
// supervisor (blocking calls from `self`, on a master); the error of the
// first supervisor that could not list its children.
caf::error walk_tree(
  caf::blocking_actor& self, const caf::actor& top,
  std::chrono::milliseconds timeout,
  const std::function<void(const caf::actor&, const child_info&)>& visit) {
  std::deque<caf::actor> sups{top};
  while (!sups.empty()) {
    auto sup = sups.front();
    sups.pop_front();
    auto kids = reply_as<std::vector<child_info>>(blocking_call(
      self, sup, caf::make_message(sup_atoms::which_children::value), timeout));
    if (!kids)
      return kids.error();
    for (auto& c : *kids) {
      if (!c.handle)
        continue;
      visit(sup, c);
      if (c.is_supervisor)
        sups.push_back(c.handle);
    }
  }
  return {};
}

// Every running worker of `module` under `top`, with its supervisor
// (blocking calls from `self`, on a master).
caf::expected<std::vector<std::pair<caf::actor, caf::actor>>>
find_workers(caf::blocking_actor& self, const caf::actor& top,
             const std::string& module, std::chrono::milliseconds timeout) {
  std::vector<std::pair<caf::actor, caf::actor>> found;
  auto err = walk_tree(self, top, timeout,
                       [&](const caf::actor& sup, const child_info& c) {
                         if (!c.is_supervisor && c.module == module)
                           found.emplace_back(sup, c.handle);
                       });
  if (err)
    return failure("update " + module + ": cannot list the children of a "
                   "supervisor: " + describe_error(err));
  if (found.empty())
    return failure("update " + module + ": no running actor of module " + module
                   + " in the application's tree");
  return found;
}

// Before anything changes: every actor an `update` will hand over answers
// the handoff protocol (it uses relc::updatable).
struct probe_job {
  caf::actor_system* sys;
  std::vector<std::tuple<caf::actor, std::string, std::chrono::milliseconds>> updates;

  job_result operator()() const {
    job_result r;
    caf::scoped_actor self{*sys};
    for (auto& [top, module, timeout] : updates) {
      auto workers = find_workers(*self, top, module, timeout);
      if (!workers) {
        r.error = workers.error();
        return r;
      }
      for (auto& w : *workers) {
        auto& actor = w.second;
        auto ok = blocking_call(*self, actor,
                                caf::make_message(handoff_atoms::probe::value),
                                timeout);
        if (!ok) {
          r.error = failure("update " + module + ": actor "
                            + std::to_string(actor.id())
                            + " cannot hand over its state ("
                            + describe_error(ok.error())
                            + "; does it use relc::updatable?)");
          return r;
        }
      }
    }
    return r;
  }
};

// Every actor of an app's tree (supervisors, workers), weakly, on a
// master: what ran the app's code before an upgrade replaced it.
struct tree_job {
  caf::actor_system* sys;
  caf::actor top;
  std::chrono::milliseconds timeout;
  std::shared_ptr<std::vector<caf::actor_addr>> found;

  job_result operator()() const {
    job_result r;
    caf::scoped_actor self{*sys};
    found->push_back(top.address());
    bool visited = false;
    auto err = walk_tree(*self, top, timeout,
                         [&](const caf::actor&, const child_info& c) {
                           visited = true;
                           found->push_back(c.handle.address());
                         });
    // The top itself did not list (nothing visited): a plain actor, not a
    // supervisor, and it is the whole tree.
    if (err && !(err == caf::sec::unexpected_message && !visited))
      r.error = err;
    return r;
  }
};

// One `update` of module M in one app's tree, on a master: every running
// worker of M hands its state to the next version (handoff.hpp).
struct update_job {
  caf::actor_system* sys;
  caf::actor top;
  registry_actor registry;
  std::string module;
  code_change_fn convert;
  module_factory factory;
  app_context* ctx;
  code_change_info info;
  std::chrono::milliseconds timeout;

  job_result operator()() const {
    job_result r;
    caf::scoped_actor self{*sys};
    auto call = [&](const caf::actor& whom, caf::message msg) {
      return blocking_call(*self, whom, std::move(msg), timeout);
    };
    auto workers = find_workers(*self, top, module, timeout);
    if (!workers) {
      r.error = workers.error();
      return r;
    }
    auto& found = *workers;
    auto start = [factory = factory, ctx = ctx](caf::actor_system&,
                                                const term& args)
      -> caf::expected<caf::actor> { return factory(*ctx, args); };
    for (auto& [sup, old] : found) {
      auto what = "update " + module + " (actor " + std::to_string(old.id())
                  + "): ";
      auto state = reply_as<term>(
        call(old, caf::make_message(handoff_atoms::give::value)));
      if (!state) {
        r.error = failure(what + "it did not hand over its state: "
                          + describe_error(state.error())
                          + " (does it use relc::updatable?)");
        return r;
      }
      auto converted = convert(info, *state);
      if (!converted) {
        r.error = failure(what + "code_change refused: "
                          + describe_error(converted.error()));
        return r;
      }
      handoff_offer offer{module, std::move(*converted)};
      auto fresh = reply_as<caf::actor>(
        call(sup, caf::make_message(sup_atoms::replace_child::value, old,
                                    child_start_fn{start})));
      if (!fresh) {
        r.error = failure(what + "the supervisor did not start the new "
                          "version: " + describe_error(fresh.error()));
        return r;
      }
      if (auto err = offer.wait_taken(timeout)) {
        r.error = failure(what + describe_error(err));
        return r;
      }
      auto moved = reply_as<int64_t>(
        call(caf::actor_cast<caf::actor>(registry),
             caf::make_message(reg_atoms::move::value, old, *fresh)));
      if (!moved) {
        r.error = failure(what + "its names did not move: "
                          + describe_error(moved.error()));
        return r;
      }
      caf::anon_send(old, handoff_atoms::forward::value, *fresh);
      ++r.value;
    }
    return r;
  }
};

class install_run : public std::enable_shared_from_this<install_run> {
public:
  install_run(controller_ops& ops, std::string target,
              std::function<void(install_outcome)> done)
    : ops_(ops), target_(std::move(target)), done_(std::move(done)),
      t0_(clock_type::now()) {
  }

  void begin() {
    auto& rel = ops_.release();
    running_ = rel.plan.vsn;
    if (target_ == running_)
      return refuse(failure("release " + target_ + " is already running"));
    auto options = ops_.options();
    options.release_vsn = target_;
    auto running = running_;
    auto target = target_;
    auto loaded = std::make_shared<
      caf::expected<std::shared_ptr<loaded_release>>>(caf::error{});
    auto script = std::make_shared<caf::expected<relup_script>>(caf::error{});
    auto runtime = std::make_shared<std::string>();
    auto self = shared_from_this();
    auto* beside = &rel;
    auto my_runtime = rel.plan.runtime;
    note("load release " + target_);
    ops_.run_job(
      [options, running, target, loaded, script, beside, runtime, my_runtime] {
        *script = read_relup_script(options.release_dir, running, target);
        if (!*script)
          return job_result{};
        // A release on another runtime is not loaded here: its libraries
        // are built for that runtime, which this process does not run.
        auto plan = load_boot_plan(options.release_dir, target);
        if (plan && !plan->runtime.empty() && plan->runtime != my_runtime) {
          *runtime = plan->runtime;
          return job_result{};
        }
        *loaded = load_release(options, [](const std::string&) {}, beside);
        return job_result{};
      },
      std::chrono::milliseconds{0},
      [self, loaded, script, runtime, my_runtime](job_result r, bool) {
        if (r.error)
          return self->refuse(r.error);
        if (!*script)
          return self->refuse(script->error());
        if (!runtime->empty())
          return self->exec_runtime(**script, *runtime, my_runtime);
        if (!*loaded)
          return self->refuse(loaded->error());
        self->next_ = std::move(**loaded);
        self->script_ = std::move(**script);
        if (auto err = self->check())
          return self->refuse(err);
        self->probe_updates();
      });
  }

private:
  // Everything a step needs is there, before anything changes.
  caf::error check() {
    auto& rel = ops_.release();
    if (next_->plan.name != rel.plan.name)
      return failure("release " + target_ + " is of release "
                     + next_->plan.name + ", the node runs " + rel.plan.name);
    next_->sys = rel.sys;
    next_->registry = rel.registry;
    for (auto& a : next_->apps)
      order_.push_back(a->plan.name);
    for (auto& s : script_.steps) {
      bool in_next = !s.app.empty() && next_->find(s.app) != nullptr;
      bool in_running = !s.app.empty() && rel.find(s.app) != nullptr;
      auto needs = [&](bool ok, const std::string& where) -> caf::error {
        if (ok)
          return {};
        return failure("relup step " + s.kind + " names app " + s.app
                       + ", which is not in " + where);
      };
      caf::error err;
      if (s.kind == k::load || s.kind == k::start || s.kind == k::apply
          || s.kind == k::config_change || s.kind == k::load_module
          || s.kind == k::add_module)
        err = needs(in_next, "release " + target_);
      else if (s.kind == k::stop)
        err = needs(in_running, "the running release");
      else if (s.kind == k::restart_application || s.kind == k::update)
        err = needs(in_next && in_running,
                    "both the running release and " + target_);
      if (err)
        return err;
      if (s.kind == k::update) {
        auto* from = script_.down ? rel.find(s.app) : next_->find(s.app);
        if (!find_symbol(from->library, k_change(s.module)))
          return failure("update " + s.app + " " + s.module + ": "
                         + *from->plan.library + " exports no "
                         + k_change(s.module));
        if (!find_symbol(next_->find(s.app)->library, k_module(s.module)))
          return failure("update " + s.app + " " + s.module + ": "
                         + *next_->find(s.app)->plan.library
                         + " exports no " + k_module(s.module));
        if (!ops_.is_running(s.app))
          return failure("update " + s.app + ": the application is not "
                         "running");
      }
    }
    return {};
  }

  // The actors `update` steps will hand over, asked before any change.
  void probe_updates() {
    probe_job job;
    job.sys = ops_.release().sys;
    for (auto& s : script_.steps)
      if (s.kind == k::update)
        job.updates.emplace_back(ops_.top_of(s.app), s.module, s.timeout);
    if (job.updates.empty())
      return next_step();
    auto self = shared_from_this();
    ops_.run_job(job, ops_.options().shutdown_time,
                 [self](job_result r, bool timed_out) {
                   if (timed_out)
                     return self->refuse(failure("the actors to update did not "
                                                 "answer within the shutdown time"));
                   if (r.error)
                     return self->refuse(r.error);
                   self->next_step();
                 });
  }

  // The target needs another runtime: its relup restarts the node first
  // (relc relup makes sure), which here is an exec of that runtime's
  // executable into the target, done by the node host. Nothing changed.
  void exec_runtime(const relup_script& script, const std::string& runtime,
                    const std::string& mine) {
    if (script.steps.empty() || script.steps.front().kind != k::restart_node)
      return refuse(failure("release " + target_ + " needs runtime " + runtime
                            + " (this node runs " + mine + ") but its relup "
                            "from " + running_ + " does not begin with "
                            "restart_node"));
    note("restart_node: the node restarts into " + target_ + " on runtime "
         + runtime + " (from " + mine + ")");
    install_outcome out;
    out.report = report_;
    out.exec_runtime = runtime;
    done_(std::move(out));
  }

  static std::string k_change(const std::string& m) {
    return export_names::code_change_prefix + m;
  }
  static std::string k_module(const std::string& m) {
    return export_names::module_prefix + m;
  }

  void note(const std::string& text) {
    char at[32];
    snprintf(at, sizeof at, "+%.1f ms ",
             std::chrono::duration<double, std::milli>(clock_type::now() - t0_)
               .count());
    report_ += at + text + "\n";
    ops_.install_progress(at + text);
    ops_.step("install " + target_ + ": " + text);
  }

  void next_step() {
    if (i_ == 0 && !env_applied_) {
      env_applied_ = true;
      apply_target_env();
    }
    if (i_ == script_.steps.size())
      return finish();
    auto& s = script_.steps[i_++];
    auto self = shared_from_this();
    run_step(s, [self, s](caf::error err) {
      if (err)
        return self->fail(s, err);
      self->next_step();
    });
  }

  void run_step(const relup_step& s, done_fn cont) {
    auto& rel = ops_.release();
    auto self = shared_from_this();
    if (s.kind == k::restart_node) {
      // The rest of the script is what booting the target does anyway.
      note("restart_node: the node restarts into " + target_);
      ops_.restart_into(target_, [self](caf::error err) {
        if (err)
          return self->fail_after_restart(err);
        self->succeed();
      });
      return;
    }
    note(describe(s));
    if (s.kind == k::load || s.kind == k::delete_module) {
      cont({}); // loaded and verified with the target release
    } else if (s.kind == k::point_of_no_return) {
      past_ponr_ = true;
      cont({});
    } else if (s.kind == k::stop) {
      auto app = s.app;
      bool removed = next_->find(app) == nullptr;
      with_old_actors(app, removed, [self, app, removed, cont](actor_list old) {
        self->ops_.stop_app(app, [self, app, removed, old, cont] {
          if (removed)
            self->retire(app, old);
          cont({});
        });
      });
    } else if (s.kind == k::restart_application) {
      auto app = s.app;
      with_old_actors(app, true, [self, app, cont](actor_list old) {
        self->ops_.stop_app(app, [self, app, old, cont] {
          self->retire(app, old);
          self->swap_in(app);
          auto* rec = self->ops_.release().find(app);
          if (!startable(*rec))
            return cont({});
          self->ops_.start_app(app, cont);
        });
      });
    } else if (s.kind == k::load_module || s.kind == k::add_module) {
      rel.find(s.app)->module_library = next_->find(s.app)->library;
      cont({});
    } else if (s.kind == k::update) {
      run_update(s, cont);
    } else if (s.kind == k::apply) {
      run_apply(s, cont);
    } else if (s.kind == k::start) {
      adopt(s.app);
      if (!startable(*rel.find(s.app)) || ops_.is_running(s.app))
        return cont({});
      ops_.start_app(s.app, cont);
    } else if (s.kind == k::config_change) {
      run_config_change(s, cont);
    } else if (s.kind == k::unload) {
      drop(s.app, s.vsn);
      cont({});
    } else {
      cont(failure("unknown relup step " + s.kind));
    }
  }

  static bool startable(const app_record& rec) {
    return rec.plan.type != app_start_type::none
           && rec.plan.type != app_start_type::load
           && !rec.plan.included_by;
  }

  static std::string describe(const relup_step& s) {
    std::string text = s.app.empty() ? s.kind : s.kind + " " + s.app;
    if (!s.module.empty())
      text += " " + s.module;
    if (!s.function.empty())
      text += " " + s.function;
    if (!s.vsn.empty())
      text += " " + s.vsn;
    if (!s.from.empty() && !s.to.empty())
      text += " " + s.from + " -> " + s.to;
    return text;
  }

  using actor_list = std::shared_ptr<const std::vector<caf::actor_addr>>;

  bool unloads(const std::string& app) {
    auto* kernel = ops_.release().find("kernel");
    return kernel
           && unload_opted_in(kernel->env.get("unload_old_libraries"), app);
  }

  // What runs app `app`'s current code, taken before it stops (when its
  // library is to be unloaded, and `wanted`): its tree, walked on a master,
  // and its adopted actors. `then` runs in the controller.
  void with_old_actors(const std::string& app, bool wanted,
                       std::function<void(actor_list)> then) {
    auto* cur = ops_.release().find(app);
    if (!wanted || !cur || !cur->library || !unloads(app))
      return then(nullptr);
    auto found = std::make_shared<std::vector<caf::actor_addr>>(
      cur->adopted->snapshot());
    auto top = ops_.top_of(app);
    if (!top)
      return then(found);
    tree_job job{ops_.release().sys, top, ops_.options().shutdown_time, found};
    ops_.run_job(job, ops_.options().shutdown_time,
                 [found, then](job_result r, bool timed_out) {
                   // Without the whole tree nothing proves the code unused.
                   then(timed_out || r.error ? nullptr : found);
                 });
  }

  // Hands app `app`'s replaced library, with the actors that ran it, to
  // the reaper (nothing if `old` is null: not opted in, or not known).
  void retire(const std::string& app, const actor_list& old) {
    auto* cur = ops_.release().find(app);
    if (!old || !cur || !cur->library || !cur->plan.library)
      return;
    // The target shares this very library (a relup that restarts an app
    // whose version did not change): it is not replaced.
    if (auto* nxt = next_->find(app); nxt && nxt->library == cur->library)
      return;
    retired_library lib;
    lib.app = app;
    lib.vsn = cur->plan.vsn;
    lib.path = *cur->plan.library;
    lib.handle = cur->library;
    lib.actors = *old;
    {
      std::lock_guard<std::mutex> guard{ops_.release().membership_mtx};
      lib.callback = std::move(cur->callback);
    }
    ops_.retire_library(std::move(lib));
  }

  // The running app takes the target's version: plan, library, callback,
  // env. Its ctx, adopted actors and the controller's bookkeeping stay.
  void swap_in(const std::string& app) {
    auto& rel = ops_.release();
    auto* cur = rel.find(app);
    auto* nxt = next_->find(app);
    if (!cur || !nxt || swapped_.count(app) > 0)
      return;
    swapped_.insert(app);
    std::lock_guard<std::mutex> guard{rel.membership_mtx};
    if (cur->callback)
      rel.retired_callbacks.push_back(std::move(cur->callback));
    cur->callback = std::move(nxt->callback);
    cur->plan = nxt->plan;
    cur->library = nxt->library;
    cur->module_library = nxt->library;
    // Its env is the target's already (apply_target_env), plus what the
    // app set since: left alone.
  }

  // OTP's order: every app's env is the target release's before any step
  // runs (change_application_data); what a new version's start or its code
  // sets afterwards survives every later step; config_change is only the
  // apps' callback. A downgrade is an install too: the old release's env,
  // then what the old version's start sets.
  void apply_target_env() {
    auto& rel = ops_.release();
    for (auto& nxt : next_->apps)
      if (auto* cur = nxt ? rel.find(nxt->plan.name) : nullptr;
          cur && cur != nxt.get()) {
        env_before_.emplace_back(cur->plan.name, cur->env.all());
        cur->env.reset(nxt->env.all());
      }
  }

  // A refused install leaves the running release's env as it was.
  void restore_env() {
    auto& rel = ops_.release();
    for (auto& [app, env] : env_before_)
      if (auto* cur = rel.find(app))
        cur->env.reset(env);
    env_before_.clear();
  }

  // An added app joins the running release.
  void adopt(const std::string& app) {
    auto& rel = ops_.release();
    if (rel.find(app))
      return swap_in(app);
    for (auto& a : next_->apps)
      if (a && a->plan.name == app) {
        std::lock_guard<std::mutex> guard{rel.membership_mtx};
        a->ctx = std::make_unique<app_ctx>(rel, *a);
        rel.apps.push_back(std::move(a));
        rel.index();
        return;
      }
  }

  // A removed app leaves the running release; its code stays loaded
  // unless the app opted in to unloading (retire(), at its stop).
  void drop(const std::string& app, const std::string& vsn) {
    auto& rel = ops_.release();
    auto* cur = rel.find(app);
    if (!cur || next_->find(app) || cur->plan.vsn != vsn)
      return;
    std::lock_guard<std::mutex> guard{rel.membership_mtx};
    for (auto& a : rel.apps)
      if (a.get() == cur) {
        rel.retired_apps.push_back(std::move(a));
        break;
      }
    rel.apps.erase(std::remove(rel.apps.begin(), rel.apps.end(), nullptr),
                   rel.apps.end());
    rel.index();
  }

  // Runs app code (or a walk of its tree) on a master, bounded by the
  // shutdown time; `then` gets its result, unless it timed out.
  void run_bounded(master_job job, const std::string& what, done_fn cont,
                   std::function<void(job_result&)> then = nullptr) {
    ops_.run_job(std::move(job), ops_.options().shutdown_time,
                 [what, cont, then](job_result r, bool timed_out) {
                   if (timed_out)
                     return cont(failure(what + " did not return within the "
                                                "shutdown time"));
                   if (r.error || !then)
                     return cont(r.error);
                   then(r);
                   cont({});
                 });
  }

  void run_update(const relup_step& s, done_fn cont) {
    auto& rel = ops_.release();
    auto* cur = rel.find(s.app);
    auto* nxt = next_->find(s.app);
    auto* from = script_.down ? cur : nxt;
    update_job job;
    job.sys = rel.sys;
    job.top = ops_.top_of(s.app);
    job.registry = rel.registry;
    job.module = s.module;
    job.convert = reinterpret_cast<code_change_fn>(
      find_symbol(from->library, k_change(s.module)));
    job.factory = reinterpret_cast<module_factory>(
      find_symbol(nxt->library, k_module(s.module)));
    job.ctx = cur->ctx.get();
    job.info.down = script_.down;
    job.info.vsn = script_.down ? s.to : s.from;
    job.info.extra = s.extra;
    job.timeout = s.timeout;
    if (!job.top)
      return cont(failure("update " + s.app + ": no top supervisor"));
    auto self = shared_from_this();
    auto app = s.app;
    auto module = s.module;
    run_bounded(job, "update " + app + " " + module, cont,
                [self, app, module](job_result& r) {
                  self->note("updated " + std::to_string(r.value)
                             + " actor(s) of " + app + " " + module);
                  self->swap_in(app);
                });
  }

  void run_apply(const relup_step& s, done_fn cont) {
    auto& rel = ops_.release();
    auto* cur = rel.find(s.app);
    auto* lib = cur->module_library.load();
    auto symbol = export_names::call_prefix + s.function;
    auto fn = reinterpret_cast<boot_call_function>(find_symbol(lib, symbol));
    if (!fn)
      return cont(failure("apply " + s.app + "." + s.function + ": "
                          + *cur->plan.library + " exports no " + symbol));
    auto* ctx = cur->ctx.get();
    auto args = s.args;
    run_bounded(
      [fn, ctx, args] {
        job_result r;
        r.error = fn(*ctx, args);
        return r;
      },
      "apply " + s.app + "." + s.function, cont);
  }

  void run_config_change(const relup_step& s, done_fn cont) {
    auto& rel = ops_.release();
    auto* cur = rel.find(s.app);
    if (!cur || !cur->callback || !ops_.is_running(s.app))
      return cont({});
    auto* cb = cur->callback.get();
    auto* ctx = cur->ctx.get();
    auto changed = s.changed;
    auto added = s.added;
    auto removed = s.removed;
    run_bounded(
      [cb, ctx, changed, added, removed] {
        cb->config_change(*ctx, changed, added, removed);
        return job_result{};
      },
      "config_change of " + s.app, cont);
  }

  // The running release is now the target: its name, version, files and
  // start order.
  void finish() {
    auto& rel = ops_.release();
    {
      std::lock_guard<std::mutex> guard{rel.membership_mtx};
      std::map<std::string, std::unique_ptr<app_record>> by_name;
      for (auto& a : rel.apps)
        by_name[a->plan.name] = std::move(a);
      rel.apps.clear();
      for (auto& name : order_)
        if (auto i = by_name.find(name); i != by_name.end()) {
          rel.apps.push_back(std::move(i->second));
          by_name.erase(i);
        }
      for (auto& [name, a] : by_name) // running, but not in the target
        rel.apps.push_back(std::move(a));
      rel.index();
      // Same root and name (check()); its apps live in the records.
      rel.plan = next_->plan;
      rel.retired_releases.push_back(next_);
    }
    note("release " + target_ + " installed (from " + running_ + ")");
    log(log_level::info, "release_handler",
        "release " + target_ + " installed (from " + running_ + ")");
    succeed();
  }

  void succeed() {
    install_outcome out;
    out.report = report_;
    done_(std::move(out));
  }

  // Nothing changed: the node runs on as it was.
  void refuse(const caf::error& err) {
    restore_env();
    install_outcome out;
    out.error = failure("install " + target_ + ": " + describe_error(err)
                        + " (the node still runs " + running_ + ")");
    out.report = report_;
    log(log_level::error, "release_handler", describe_error(out.error));
    done_(std::move(out));
  }

  void fail(const relup_step& s, const caf::error& err) {
    if (!past_ponr_)
      return refuse(failure(describe(s) + ": " + describe_error(err)));
    // Past the point of no return: back to the permanent release.
    auto reason = describe(s) + ": " + describe_error(err);
    auto self = shared_from_this();
    note("failed: " + reason + "; restarting into the permanent release");
    ops_.restart_into({}, [self, reason](caf::error restart_err) {
      auto now = self->ops_.release().plan.vsn;
      auto line = "release " + self->target_ + ": rolled back to " + now + ": "
                  + reason;
      if (restart_err)
        line += " (and the restart failed: " + describe_error(restart_err) + ")";
      self->fail_with(line);
    });
  }

  void fail_after_restart(const caf::error& err) {
    fail_with("release " + target_ + ": restart_node failed: "
              + describe_error(err));
  }

  // Past the point of no return: the line the log and the caller get.
  void fail_with(const std::string& line) {
    log(log_level::error, "release_handler", line);
    install_outcome out;
    out.error = failure(line);
    out.report = report_;
    done_(std::move(out));
  }

  controller_ops& ops_;
  std::string target_;
  std::string running_;
  std::function<void(install_outcome)> done_;
  clock_type::time_point t0_;
  std::shared_ptr<loaded_release> next_;
  relup_script script_;
  std::vector<std::string> order_;
  std::set<std::string> swapped_;
  size_t i_ = 0;
  bool env_applied_ = false;
  std::vector<std::pair<std::string, term>> env_before_;
  bool past_ponr_ = false;
  std::string report_;
};

} // namespace

void install_release(controller_ops& ops, const std::string& target,
                     std::function<void(install_outcome)> done) {
  std::make_shared<install_run>(ops, target, std::move(done))->begin();
}

} // namespace relc
