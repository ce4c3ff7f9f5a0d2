// OTP's rules: the release's apps start in order; a start failure or an
// exit is judged by the app's type (SPEC §7).
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
    boot_from(ops, 0, std::move(done));
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
  // One app after the other: the next starts once the previous is done.
  void boot_from(controller_ops& ops, size_t i, done_fn done) {
    auto& apps = ops.release().apps;
    for (; i < apps.size(); ++i) {
      if (ops.stopping()) {
        done({});
        return;
      }
      auto& app = *apps[i];
      if (app.plan.name == "kernel")
        continue;
      if (!started_by_controller(app)) {
        ops.step("loaded " + app.plan.name);
        continue;
      }
      auto name = app.plan.name;
      auto type = app.plan.type;
      ops.start_app(name, [this, &ops, i, type, done](caf::error err) {
        // Temporary: reported, the boot goes on (OTP); transient and
        // permanent fail the boot.
        if (err && type == app_start_type::temporary)
          log(log_level::error, "application_controller",
              describe_error(err) + " (type temporary: the boot goes on)");
        else if (err) {
          done(err);
          return;
        }
        boot_from(ops, i + 1, done);
      });
      return;
    }
    done({});
  }
};

} // namespace

std::unique_ptr<boot_policy> make_otp_policy() {
  return std::make_unique<otp_policy>();
}

} // namespace relc
