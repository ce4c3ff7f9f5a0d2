// OTP's rules: the release's apps start in order; a start failure or an
// exit is judged by the app's type (docs/runtime.md).
#include "boot_policy.hpp"

#include <algorithm>
#include <memory>
#include <set>
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

  // The apps of kernel env `distributed`: the net kernel starts each on
  // the node the cluster picks (docs/distribution.md), not the boot.
  static std::set<std::string> distributed_apps(controller_ops& ops) {
    std::set<std::string> result;
    auto* kernel = ops.release().find("kernel");
    auto list = kernel ? kernel->env.get("distributed") : term{};
    if (list.is_list())
      for (auto& entry : list.as_list())
        if (auto* app = entry.is_map() ? entry.find("app") : nullptr;
            app && app->is_string())
          result.insert(app->as_string());
    return result;
  }

  static start_list apps_to_start(controller_ops& ops) {
    start_list result;
    auto distributed = distributed_apps(ops);
    for (auto& a : ops.release().apps) {
      if (a->plan.name == "kernel")
        continue;
      if (!started_by_controller(*a)) {
        ops.step("loaded " + a->plan.name);
        continue;
      }
      if (distributed.count(a->plan.name) > 0) {
        ops.step("loaded " + a->plan.name
                 + " (distributed: the cluster picks its node)");
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

  // The apps in start order; temporary ones may fail (reported, the boot
  // goes on), transient and permanent ones fail the boot. Sequential: one
  // master, OTP's order exactly. `start: parallel`: several masters, each
  // taking the next app whose dependencies (and optional ones present)
  // have all started, so independent apps start at the same time; starts
  // complete in any order and the controller stops apps in the reverse of
  // the order their starts completed. A failure that fails the boot, or a
  // stop, starts nothing more; the boot ends when the starts under way are
  // done.
  void boot_all(controller_ops& ops, done_fn done) {
    auto list = apps_to_start(ops);
    auto failure = std::make_shared<caf::error>();
    ops.start_apps(
      std::move(list.names), std::move(list.ends_boot),
      ops.release().plan.parallel_start ? parallel_workers() : 1,
      [&ops, failure](const std::string& name, caf::error err) {
        judge_start(ops, name, err, *failure);
      },
      [failure, done] { done(*failure); });
  }

  // At most this many masters (the controller hires them as starts hold
  // them up): blocked callbacks cost no core, but every master that spins
  // or wakes for its actors takes one from them.
  static size_t parallel_workers() {
    return std::max<size_t>(2, 2 * std::thread::hardware_concurrency());
  }
};

} // namespace

std::unique_ptr<boot_policy> make_otp_policy() {
  return std::make_unique<otp_policy>();
}

} // namespace relc
