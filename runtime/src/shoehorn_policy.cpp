// Shoehorn mode (docs/runtime.md): only kernel, the init entries and main start,
// all temporary; a boot handler decides what every start, start failure,
// stop, exit and failed call leads to. The handler is app code: it runs on
// a master, asked with the release's shutdown_timer as its deadline, one
// event at a time in the order they happened.
#include <cerrno>
#include <cstring>
#include <deque>
#include <optional>

#include "app_library.hpp"
#include "boot_counter.hpp"
#include "boot_policy.hpp"
#include "restart_window.hpp"
#include "relc/runtime/boot_handler.hpp"
#include "relc/runtime/export_names.hpp"
#include "relc/runtime/log.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "release_loader.hpp"

namespace relc {

const char* to_string(app_event_type x) {
  switch (x) {
    case app_event_type::started: return "started";
    case app_event_type::start_failed: return "start_failed";
    case app_event_type::stopped: return "stopped";
    case app_event_type::exited: return "exited";
    case app_event_type::crashed: return "crashed";
    case app_event_type::call_failed: return "call_failed";
  }
  return "?";
}

const char* to_string(boot_verdict x) {
  switch (x) {
    case boot_verdict::continue_boot: return "continue";
    case boot_verdict::restart: return "restart";
    case boot_verdict::halt: return "halt";
  }
  return "?";
}

boot_handler::~boot_handler() = default;

void boot_handler::init(const term&) {
  // nop
}

namespace {

using verdict_fn = std::function<void(boot_verdict)>;

std::string describe(const app_event& e) {
  auto who = e.function.empty() ? e.app : e.app + "." + e.function;
  return who + " " + to_string(e.type)
         + (e.reason.empty() ? std::string{} : ": " + e.reason);
}

class shoehorn_policy : public boot_policy {
public:
  explicit shoehorn_policy(std::string counter_file)
    : counter_file_(std::move(counter_file)) {}

  void boot(controller_ops& ops, done_fn done) override {
    auto& bc = *ops.release().plan.boot;
    restarts_.emplace(bc.max_restarts, bc.restart_period);
    make_handler(ops, [this, &ops, done](caf::error err) {
      if (err) {
        done(err);
        return;
      }
      arm_boot_counter(ops, [this, &ops, done] { run_init(ops, 0, done); });
    });
  }

  void on_exit(controller_ops& ops, const std::string& app,
               const caf::error& reason) override {
    app_event e;
    e.type = reason ? app_event_type::crashed : app_event_type::exited;
    e.app = app;
    e.reason = reason ? describe_error(reason) : std::string{};
    log(log_level::info, "application_controller",
        "application " + app + " "
          + (reason ? "crashed: " + e.reason : std::string{"exited normally"})
          + " (the boot handler decides)");
    restart_on_verdict(ops, e);
  }

  void on_stopped(controller_ops& ops, const std::string& app) override {
    if (!booted_)
      return;
    app_event e;
    e.type = app_event_type::stopped;
    e.app = app;
    restart_on_verdict(ops, e);
  }

  void start_requested(controller_ops& ops, const std::string& app,
                       done_fn done) override {
    ensure_started(ops, app, std::move(done));
  }

  std::string note() const override {
    return note_;
  }

  void on_node_started() override {
    booted_ = true;
    if (counter_ && (note_.empty() || recovery_))
      write_counter(*ops_, 0);
  }

private:
  // -- the handler ----------------------------------------------------------

  void make_handler(controller_ops& ops, done_fn done) {
    ops_ = &ops;
    auto& bc = *ops.release().plan.boot;
    timer_ = bc.shutdown_timer;
    if (!bc.handler) {
      done({});
      return;
    }
    auto symbol = export_names::boot_handler_prefix + *bc.handler;
    boot_handler_factory factory = nullptr;
    for (auto& a : ops.release().apps)
      if (a->library && !factory)
        factory = reinterpret_cast<boot_handler_factory>(
          find_symbol(a->library, symbol));
    if (!factory) {
      done(boot_failure("kernel", "boot handler",
                        "no application library exports " + symbol));
      return;
    }
    // Created and initialised on a master: both are app code.
    auto holder = std::make_shared<std::unique_ptr<boot_handler>>();
    auto args = bc.handler_args;
    auto timer = timer_;
    ops.run_job(
      [holder, factory, args] {
        holder->reset(factory());
        (*holder)->init(args);
        return job_result{};
      },
      timer,
      [this, holder, timer, done](job_result r, bool timed_out) {
        if (timed_out) {
          done(boot_failure("kernel", "boot handler",
                            "init did not return within "
                              + std::to_string(timer.count())
                              + " ms (shutdown_timer)"));
          return;
        }
        if (r.error) {
          done(boot_failure("kernel", "boot handler", describe_error(r.error)));
          return;
        }
        handler_ = std::shared_ptr<boot_handler>(std::move(*holder));
        done({});
      });
  }

  // Asks the handler, one event at a time in order.
  void ask(controller_ops& ops, app_event e,
           std::function<void(std::optional<boot_verdict>)> answer) {
    asks_.emplace_back(std::move(e), std::move(answer));
    if (asks_.size() == 1)
      ask_next(ops);
  }

  void ask_next(controller_ops& ops) {
    if (asks_.empty())
      return;
    auto e = asks_.front().first;
    if (!handler_) { // the default handler continues
      finish_ask(ops, boot_verdict::continue_boot);
      return;
    }
    auto h = handler_;
    ops.run_job(
      [h, e] {
        job_result r;
        r.value = static_cast<int>(h->handle(e));
        return r;
      },
      timer_, [this, &ops](job_result r, bool timed_out) {
        if (timed_out) {
          finish_ask(ops, std::nullopt);
        } else if (r.error) { // a handler that throws halts
          log(log_level::error, "boot_handler",
              "the handler failed: " + describe_error(r.error));
          finish_ask(ops, boot_verdict::halt);
        } else {
          finish_ask(ops, static_cast<boot_verdict>(r.value));
        }
      });
  }

  void finish_ask(controller_ops& ops, std::optional<boot_verdict> v) {
    auto answer = std::move(asks_.front().second);
    asks_.pop_front();
    answer(v);
    ask_next(ops);
  }

  void halt(controller_ops& ops, const std::string& why) {
    log(log_level::error, "boot_handler", why + ": halting the node");
    ops.end_node(why);
  }

  // The handler's verdict on `e`, with the restart window applied. A halt
  // (or no verdict in time) ends the node; a restart past the window
  // halts or gives up on the app.
  void verdict_on(controller_ops& ops, app_event e, verdict_fn then) {
    auto key = e.function.empty() ? e.app : e.app + "." + e.function;
    e.recent_restarts = restarts_->recent(key);
    ask(ops, e, [this, &ops, e, key, then](std::optional<boot_verdict> v) {
      if (!v) {
        halt(ops, "boot handler gave no verdict on '" + describe(e)
                    + "' within " + std::to_string(timer_.count())
                    + " ms (shutdown_timer)");
        then(boot_verdict::halt);
        return;
      }
      log(log_level::info, "boot_handler", describe(e) + ": " + to_string(*v));
      if (*v == boot_verdict::halt) {
        halt(ops, "boot handler: halt on '" + describe(e) + "'");
        then(boot_verdict::halt);
        return;
      }
      if (*v != boot_verdict::restart || e.type == app_event_type::started) {
        then(boot_verdict::continue_boot);
        return;
      }
      if (restarts_->allow(key)) {
        then(boot_verdict::restart);
        return;
      }
      auto limit = std::to_string(restarts_->max()) + " restarts within "
                   + std::to_string(restarts_->period().count())
                   + " ms (boot restart_limit)";
      if (ops.release().plan.boot->give_up) {
        log(log_level::warning, "boot_handler",
            "giving up on " + key + ": " + limit);
        then(boot_verdict::continue_boot);
        return;
      }
      halt(ops, key + ": " + limit);
      then(boot_verdict::halt);
    });
  }

  // An exit or a stop: a restart verdict starts the app again, as a job
  // of its own after whatever runs now.
  void restart_on_verdict(controller_ops& ops, app_event e) {
    verdict_on(ops, e, [this, &ops, app = e.app](boot_verdict v) {
      if (v != boot_verdict::restart || ops.stopping())
        return;
      ops.enqueue([this, &ops, app](std::function<void()> job_done) {
        ensure_started(ops, app, [app, job_done](caf::error err) {
          if (err)
            log(log_level::error, "boot_handler",
                "restart of " + app + " failed: " + describe_error(err));
          job_done();
        });
      });
    });
  }

  // -- starting -------------------------------------------------------------

  // Starts `name` after its dependencies (shoehorn's ensure_all_started);
  // every start and start failure goes to the handler.
  void ensure_started(controller_ops& ops, const std::string& name,
                      done_fn done) {
    auto* app = ops.release().find(name);
    if (!app) {
      done(boot_failure(name, "start", "not in the release"));
      return;
    }
    if (ops.is_running(name)) {
      done({});
      return;
    }
    if (app->plan.included_by) {
      done(boot_failure(name, "start",
                        "included by " + *app->plan.included_by
                          + ", starts with its tree"));
      return;
    }
    std::vector<std::string> deps;
    for (auto* list : {&app->plan.applications,
                       &app->plan.optional_applications})
      for (auto& d : *list)
        if (d != "kernel" && ops.release().find(d))
          deps.push_back(d);
    start_deps(ops, name, deps, 0, std::move(done));
  }

  void start_deps(controller_ops& ops, const std::string& name,
                  std::vector<std::string> deps, size_t i, done_fn done) {
    if (i == deps.size()) {
      attempt(ops, name, std::move(done));
      return;
    }
    auto dep = deps[i];
    ensure_started(ops, dep, [this, &ops, name, deps, i, dep,
                              done](caf::error err) {
      if (err) {
        done(boot_failure(name, "start",
                          "dependency '" + dep + "' did not start"));
        return;
      }
      start_deps(ops, name, deps, i + 1, done);
    });
  }

  void attempt(controller_ops& ops, const std::string& name, done_fn done) {
    if (ops.stopping()) {
      done(boot_failure(name, "start", "the node is stopping"));
      return;
    }
    auto* app = ops.release().find(name);
    auto then = [this, &ops, name, done](caf::error err) {
      app_event e;
      e.app = name;
      if (!err) {
        e.type = app_event_type::started;
        verdict_on(ops, e, [name, done](boot_verdict v) {
          if (v == boot_verdict::halt)
            done(boot_failure(name, "start", "halted by the boot handler"));
          else
            done({});
        });
        return;
      }
      e.type = app_event_type::start_failed;
      e.reason = describe_error(err);
      log(log_level::error, "application_controller", e.reason);
      verdict_on(ops, e, [this, &ops, name, err, done](boot_verdict v) {
        if (v == boot_verdict::restart)
          attempt(ops, name, done);
        else
          done(err);
      });
    };
    if (app->plan.type == app_start_type::none)
      then(boot_failure(name, "start", "type none: its library is not loaded"));
    else
      ops.start_app(name, then);
  }

  // A boot init `{call: APP.FUNCTION, args}`, repeated on a restart verdict.
  void run_call(controller_ops& ops, const planned_init& entry, done_fn done) {
    if (ops.stopping()) {
      done({});
      return;
    }
    auto* app = ops.release().find(entry.app);
    auto step = "call " + entry.function;
    ops.step("call " + entry.app + "." + entry.function);
    auto symbol = export_names::call_prefix + entry.function;
    auto fn = app && app->library ? reinterpret_cast<boot_call_function>(
                find_symbol(app->library, symbol))
                                  : nullptr;
    auto failed = [this, &ops, entry, done, step](const std::string& why) {
      app_event e;
      e.type = app_event_type::call_failed;
      e.app = entry.app;
      e.function = entry.function;
      e.reason = describe_error(boot_failure(entry.app, step, why));
      log(log_level::error, "boot_handler", e.reason);
      verdict_on(ops, e, [this, &ops, entry, done](boot_verdict v) {
        if (v == boot_verdict::restart)
          run_call(ops, entry, done);
        else
          done({});
      });
    };
    if (!fn) {
      failed("its library does not export " + symbol);
      return;
    }
    auto* ctx = app->ctx.get();
    auto args = entry.args;
    ops.run_job(
      [fn, ctx, args] {
        job_result r;
        r.error = fn(*ctx, args);
        return r;
      },
      std::chrono::milliseconds{0},
      [failed, done](job_result r, bool) {
        if (r.error)
          failed(describe_error(r.error));
        else
          done({});
      });
  }

  // kernel, each init entry in order, then main.
  void run_init(controller_ops& ops, size_t i, done_fn done) {
    auto& bc = *ops.release().plan.boot;
    if (ops.stopping()) {
      done({});
      return;
    }
    if (i < bc.init.size()) {
      auto entry = bc.init[i];
      auto next = [this, &ops, i, done](caf::error) {
        run_init(ops, i + 1, done);
      };
      if (!entry.function.empty()) {
        run_call(ops, entry, next);
      } else {
        ensure_started(ops, entry.app, [entry, next](caf::error err) {
          if (err)
            log(log_level::error, "boot_handler",
                "init entry " + entry.app
                  + " is not running: " + describe_error(err));
          next({});
        });
      }
      return;
    }
    if (!bc.main || recovery_) {
      done({});
      return;
    }
    auto main = *bc.main;
    ensure_started(ops, main, [this, main, done](caf::error err) {
      if (err) {
        note_ = "main application " + main
                + " is not running: " + describe_error(err);
        log(log_level::error, "boot_handler",
            note_ + "; the init apps keep running");
      }
      done({});
    });
  }

  // -- the reboot-loop guard --------------------------------------------------

  // Reads the counter and counts this boot as failed until it reaches
  // started (file I/O with fsync: on a master).
  void arm_boot_counter(controller_ops& ops, std::function<void()> then) {
    auto& bc = *ops.release().plan.boot;
    if (bc.recovery_after <= 0 || counter_file_.empty()) {
      then();
      return;
    }
    counter_ = std::make_shared<boot_counter>(counter_file_);
    auto counter = counter_;
    ops.run_job(
      [counter] {
        job_result r;
        r.value = counter->read();
        if (!counter->write(r.value + 1))
          log(log_level::warning, "boot_guard",
              "cannot write " + counter->path() + ": " + strerror(errno));
        return r;
      },
      std::chrono::milliseconds{0},
      [this, &ops, then](job_result r, bool) {
        auto after = ops.release().plan.boot->recovery_after;
        recovery_ = r.value >= after;
        if (recovery_) {
          note_ = "recovery plan: " + std::to_string(r.value)
                  + " boots in a row did not reach started (recovery_after "
                  + std::to_string(after) + "); only the init entries run";
          log(log_level::warning, "boot_guard", note_);
        }
        then();
      });
  }

  void write_counter(controller_ops& ops, int value) {
    auto counter = counter_;
    ops.run_job(
      [counter, value] {
        if (!counter->write(value))
          log(log_level::warning, "boot_guard",
              "cannot write " + counter->path() + ": " + strerror(errno));
        return job_result{};
      },
      std::chrono::milliseconds{0}, [](job_result, bool) {});
  }

  std::string counter_file_;
  controller_ops* ops_ = nullptr;
  std::shared_ptr<boot_handler> handler_;
  std::chrono::milliseconds timer_{30000};
  std::optional<restart_window> restarts_;
  std::deque<std::pair<app_event,
                       std::function<void(std::optional<boot_verdict>)>>>
    asks_;
  std::shared_ptr<boot_counter> counter_;
  bool recovery_ = false;
  bool booted_ = false;
  std::string note_;
};

} // namespace

std::unique_ptr<boot_policy> make_shoehorn_policy(std::string counter_file) {
  return std::make_unique<shoehorn_policy>(std::move(counter_file));
}

} // namespace relc
