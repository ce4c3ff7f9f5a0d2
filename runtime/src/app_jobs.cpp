#include "app_jobs.hpp"

#include <caf/all.hpp>

#include "relc/runtime/log.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "release_loader.hpp"
#include "start_signal.hpp"

namespace relc {

namespace {

using clock_type = std::chrono::steady_clock;

void add_phase(loaded_release& rel, app_record& app, const std::string& phase,
               const term& args, std::vector<phase_step>& out) {
  out.push_back({&app, phase, args});
  for (auto& inc : app.plan.included)
    if (auto* child = rel.find(inc))
      for (auto& p : child->plan.phases)
        if (p.name == phase)
          add_phase(rel, *child, phase, p.args, out);
}

// One callback; an exception is its error, with its text.
caf::error guarded(const std::function<caf::error()>& fn) {
  auto r = run_guarded([&] {
    job_result x;
    x.error = fn();
    return x;
  });
  return r.error;
}

void report_failure(const std::string& app, const char* what,
                    const caf::error& err) {
  log(log_level::error, "application_controller",
      "application " + app + ": " + what + " failed: " + describe_error(err));
}

} // namespace

std::vector<phase_step> phase_plan(loaded_release& rel, app_record& app) {
  std::vector<phase_step> result;
  for (auto& p : app.plan.phases)
    add_phase(rel, app, p.name, p.args, result);
  return result;
}

master_job make_start_job(app_record& app, std::vector<phase_step> phases,
                          progress_fn progress) {
  return [&app, phases = std::move(phases), progress] {
    job_result r;
    auto& name = app.plan.name;
    if (app.callback) {
      caf::expected<caf::actor> top{caf::actor{}};
      auto err = guarded([&] {
        top = app.callback->start(*app.ctx, app.plan.mod_args);
        return caf::error{};
      });
      r.included = app.ctx->take_included();
      if (err) {
        r.error = boot_failure(name, "start", describe_error(err));
        return r;
      }
      if (!top) {
        if (top.error())
          r.error = boot_failure(name, "start", describe_error(top.error()));
        else
          r.value = 1; // start returned the error `normal`
        return r;
      }
      r.top = *top;
    }
    for (auto& s : phases) {
      if (!s.app->callback)
        continue;
      progress("start_phase " + s.app->plan.name + " " + s.phase);
      auto err = guarded([&] {
        return s.app->callback->start_phase(*s.app->ctx, s.phase, s.args);
      });
      if (err) {
        r.error = boot_failure(s.app->plan.name, "start_phase " + s.phase,
                               describe_error(err));
        return r;
      }
      r.phases_done.emplace_back(s.app->plan.name, s.phase);
    }
    return r;
  };
}

const char* to_string(stop_stage x) {
  switch (x) {
    case stop_stage::prep_stop: return "prep_stop";
    case stop_stage::tree: return "its tree's shutdown";
    case stop_stage::adopted: return "its adopted actors";
    case stop_stage::stop: return "stop";
    case stop_stage::done: return "done";
  }
  return "?";
}

master_job make_stop_job(app_record& app, caf::actor top,
                         std::vector<std::shared_ptr<adopted_actors>> adopted,
                         clock_type::time_point deadline,
                         std::shared_ptr<std::atomic<int>> stage) {
  return [&app, top, adopted, deadline, stage] {
    auto& name = app.plan.name;
    auto set = [&](stop_stage s) { stage->store(static_cast<int>(s)); };
    // The tree and the adopted actors get 80% of the time; stop/1 the rest.
    auto now = clock_type::now();
    auto tree_deadline = now + (deadline - now) * 4 / 5;
    // prep_stop and stop return nothing; a throw is reported, the stop goes on.
    auto run = [&](const char* step, auto call) {
      if (!app.callback)
        return;
      if (auto err = guarded([&] {
            call();
            return caf::error{};
          }))
        report_failure(name, step, err);
    };
    set(stop_stage::prep_stop);
    run("prep_stop", [&] { app.callback->prep_stop(*app.ctx); });
    set(stop_stage::tree);
    if (top) {
      auto gone = std::make_shared<start_signal>();
      top->attach_functor([gone](const caf::error& r) { gone->set(r); });
      caf::anon_send_exit(top, caf::exit_reason::user_shutdown);
      if (!gone->wait(tree_deadline)) {
        log(log_level::warning, "application_controller",
            "application " + name
              + " did not stop within the shutdown time, killing its tree");
        caf::anon_send_exit(top, caf::exit_reason::kill);
        gone->wait(tree_deadline + std::chrono::milliseconds(100));
      }
    }
    set(stop_stage::adopted);
    for (auto& a : adopted)
      a->kill_all_and_wait(tree_deadline);
    set(stop_stage::stop);
    run("stop", [&] { app.callback->stop(*app.ctx); });
    set(stop_stage::done);
    return job_result{};
  };
}

} // namespace relc
