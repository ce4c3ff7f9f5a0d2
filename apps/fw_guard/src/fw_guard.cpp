// The boot handler and init call of the bsc_safe example release.
//
// Handler `fw_guard` (args: {restart: [APP...]}): restarts the listed apps
// when they crash or exit, halts the node when an init call fails, and
// otherwise continues, as shoehorn's default does. The release's
// restart_limit bounds the restarts.
//
// Call `mark_booted` (args: anything): logs that the boot got this far; a
// firmware updater would mark the new image good here.
#include <algorithm>

#include <relc/runtime/boot_handler.hpp>
#include <relc/runtime/log.hpp>

namespace {

class fw_guard : public relc::boot_handler {
public:
  void init(const relc::term& args) override {
    if (auto* xs = args.find("restart"); xs && xs->is_list())
      for (auto& x : xs->as_list())
        if (x.is_string())
          restart_.push_back(x.as_string());
  }

  relc::boot_verdict handle(const relc::app_event& e) override {
    using relc::app_event_type;
    switch (e.type) {
      case app_event_type::call_failed:
        return relc::boot_verdict::halt;
      case app_event_type::crashed:
      case app_event_type::exited:
        if (std::find(restart_.begin(), restart_.end(), e.app) != restart_.end()) {
          relc::log(relc::log_level::warning, "fw_guard",
                    e.app + " " + relc::to_string(e.type) + " (restart "
                      + std::to_string(e.recent_restarts + 1) + "): restarting it");
          return relc::boot_verdict::restart;
        }
        return relc::boot_verdict::continue_boot;
      default:
        return relc::boot_verdict::continue_boot;
    }
  }

private:
  std::vector<std::string> restart_;
};

caf::error mark_booted(relc::app_context& ctx, const relc::term& args) {
  relc::log(relc::log_level::info, "fw_guard",
            "boot marked by " + ctx.app_name() + " " + args.to_string());
  return {};
}

} // namespace

RELC_BOOT_HANDLER(fw_guard, fw_guard)
RELC_BOOT_CALL(mark_booted, mark_booted)
