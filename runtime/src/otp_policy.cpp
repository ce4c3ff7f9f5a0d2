// OTP's rules: the release's apps start in order; a start failure or an
// exit is judged by the app's type (docs/runtime.md).
#include "boot_policy.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <thread>

#include "relc/runtime/log.hpp"
#include "relc/runtime/runtime_error.hpp"

namespace relc {

namespace {

bool started_by_controller(const app_record& app) {
  return app.plan.name != "kernel" && app.plan.type != app_start_type::none
         && app.plan.type != app_start_type::load && !app.plan.included_by;
}

class otp_policy : public boot_policy {
public:
  void boot(controller_ops& ops, done_fn done) override {
    if (ops.release().plan.parallel_start)
      boot_parallel(ops, std::move(done));
    else
      boot_all(ops, std::move(done));
  }

  void on_exit(controller_ops& ops, const std::string& name,
               const caf::error& reason) override {
    auto* app = ops.release().find(name);
    auto type = app->plan.type;
    auto text = describe_error(reason);
    auto suffix = std::string{" (type "} + to_string(type) + ")";
    if (type == app_start_type::temporary) {
      log(log_level::info, "application_controller",
          "application " + name + " exited: " + text + suffix);
      return;
    }
    if (type == app_start_type::transient && !reason) {
      log(log_level::info, "application_controller",
          "application " + name + " exited normally" + suffix);
      return;
    }
    log(log_level::info, "application_controller",
        "application " + name + " exited: " + text + suffix
          + ": stopping the node");
    ops.end_node(name + ": exited: " + text + suffix);
  }

private:
  // The apps the controller starts, in the plan's order, and whether a
  // failed start fails the boot (all but temporary ones); the others are
  // only loaded, and the timeline says so.
  struct start_list {
    std::vector<std::string> names;
    std::vector<bool> ends_boot;
  };

  static start_list apps_to_start(controller_ops& ops) {
    start_list result;
    for (auto& a : ops.release().apps) {
      if (a->plan.name == "kernel")
        continue;
      if (!started_by_controller(*a)) {
        ops.step("loaded " + a->plan.name);
        continue;
      }
      result.names.push_back(a->plan.name);
      result.ends_boot.push_back(a->plan.type != app_start_type::temporary);
    }
    return result;
  }

  // OTP's judgment of a start that failed: a temporary app's is reported
  // and the boot goes on; any other is the boot's failure (the first one
  // is kept). Returns true when `err` failed the boot just now.
  static bool judge_start(controller_ops& ops, const std::string& name,
                          const caf::error& err, caf::error& failure) {
    if (!err || failure)
      return false;
    if (ops.release().find(name)->plan.type == app_start_type::temporary) {
      log(log_level::error, "application_controller",
          describe_error(err) + " (type temporary: the boot goes on)");
      return false;
    }
    failure = err;
    return true;
  }

  // `start: parallel`: every app whose dependencies have all started (or
  // failed: then its start fails on the missing one, as in order) starts
  // at once, each on a master of its own, up to `limit` at a time. Starts
  // complete in any order; the controller stops apps in the reverse of the
  // order their starts completed. A failure that fails the boot, or a stop,
  // starts nothing more; the boot ends when the starts under way are done.
  struct parallel_boot {
    std::vector<std::string> names; // the plan's order: dependencies first
    std::vector<bool> ends_boot;
    std::map<std::string, size_t> index;
    enum class state { waiting, starting, settled };
    std::vector<state> states;
    size_t in_flight = 0;
    size_t limit = 4;
    bool halted = false;
    caf::error failure;
    done_fn done;
  };

  void boot_parallel(controller_ops& ops, done_fn done) {
    auto p = std::make_shared<parallel_boot>();
    auto list = apps_to_start(ops);
    p->names = std::move(list.names);
    p->ends_boot = std::move(list.ends_boot);
    for (size_t i = 0; i < p->names.size(); ++i)
      p->index[p->names[i]] = i;
    p->states.assign(p->names.size(), parallel_boot::state::waiting);
    // Callbacks mostly wait on round trips to actors: more masters than
    // cores keep the schedulers busy.
    p->limit = std::max<size_t>(8, 4 * std::thread::hardware_concurrency());
    p->done = std::move(done);
    dispatch(ops, p);
  }

  bool ready(controller_ops& ops, const parallel_boot& p, size_t i) {
    auto& plan = ops.release().find(p.names[i])->plan;
    for (auto* deps : {&plan.applications, &plan.optional_applications})
      for (auto& dep : *deps)
        if (auto j = p.index.find(dep);
            j != p.index.end() && p.states[j->second] != parallel_boot::state::settled)
          return false;
    return true;
  }

  void dispatch(controller_ops& ops, std::shared_ptr<parallel_boot> p) {
    if (ops.stopping())
      p->halted = true;
    bool waiting = false;
    for (size_t i = 0; i < p->names.size(); ++i) {
      if (p->states[i] != parallel_boot::state::waiting)
        continue;
      waiting = true;
      if (p->halted || p->in_flight >= p->limit || !ready(ops, *p, i))
        continue;
      p->states[i] = parallel_boot::state::starting;
      ++p->in_flight;
      ops.start_in_order(
        {p->names[i]}, {p->ends_boot[i]},
        [&ops, p](const std::string& name, caf::error err) {
          if (judge_start(ops, name, err, p->failure))
            p->halted = true;
        },
        [this, &ops, p, i] {
          p->states[i] = parallel_boot::state::settled;
          --p->in_flight;
          dispatch(ops, p);
        });
    }
    if (p->in_flight == 0 && (p->halted || !waiting) && p->done) {
      auto done = std::move(p->done);
      p->done = nullptr;
      done(p->failure);
    }
  }

  // The apps in start order; temporary ones may fail (reported, the boot
  // goes on), transient and permanent ones fail the boot.
  void boot_all(controller_ops& ops, done_fn done) {
    auto list = apps_to_start(ops);
    auto failure = std::make_shared<caf::error>();
    ops.start_in_order(
      std::move(list.names), std::move(list.ends_boot),
      [&ops, failure](const std::string& name, caf::error err) {
        judge_start(ops, name, err, *failure);
      },
      [failure, done] { done(*failure); });
  }
};

} // namespace

std::unique_ptr<boot_policy> make_otp_policy() {
  return std::make_unique<otp_policy>();
}

} // namespace relc
