// OTP's rules: the release's apps start in order; a start failure or an
// exit is judged by the app's type (docs/runtime.md).
#include "boot_policy.hpp"

#include <memory>

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
  // The apps in start order; temporary ones may fail (reported, the boot
  // goes on), transient and permanent ones fail the boot.
  void boot_all(controller_ops& ops, done_fn done) {
    std::vector<std::string> names;
    std::vector<bool> ends_boot;
    for (auto& a : ops.release().apps) {
      if (a->plan.name == "kernel")
        continue;
      if (!started_by_controller(*a)) {
        ops.step("loaded " + a->plan.name);
        continue;
      }
      names.push_back(a->plan.name);
      ends_boot.push_back(a->plan.type != app_start_type::temporary);
    }
    auto failure = std::make_shared<caf::error>();
    ops.start_in_order(
      std::move(names), std::move(ends_boot),
      [&ops, failure](const std::string& name, caf::error err) {
        if (!err || *failure)
          return;
        if (ops.release().find(name)->plan.type == app_start_type::temporary)
          log(log_level::error, "application_controller",
              describe_error(err) + " (type temporary: the boot goes on)");
        else
          *failure = err;
      },
      [failure, done] { done(*failure); });
  }
};

} // namespace

std::unique_ptr<boot_policy> make_otp_policy() {
  return std::make_unique<otp_policy>();
}

} // namespace relc
