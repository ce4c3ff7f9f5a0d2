#pragma once

// What an application master does for one app (OTP's application_master):
// the whole start (start, then every start phase in application_starter
// order) and the whole stop (prep_stop, the tree's shutdown, adopted
// actors, stop), each as one job on one master, so an app costs the
// controller one hand-off per start and one per stop. Steps are reported
// as they begin (`progress`), so status, the timeline and --init-debug
// show the step under way even when it hangs (private to the runtime).

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app_master.hpp"
#include "loaded_release.hpp"

namespace relc {

/// One start phase to run: on `app`, phase `phase` with `args`.
struct phase_step {
  app_record* app;
  std::string phase;
  term args;
};

/// application_starter order for `app`: each of its phases P, then P on
/// each included app that has P (recursively).
std::vector<phase_step> phase_plan(loaded_release& rel, app_record& app);

/// Runs on the master thread as each step begins.
using progress_fn = std::function<void(const std::string& step)>;

/// Starts `app` and runs `phases`. The result: the top and included tops
/// (also when a phase failed: the tree is running and must be stopped);
/// `error` is `<app>: <step>: <reason>`; `value` is 1 when start returned
/// the error `normal`; `phases_done` the phases that completed.
master_job make_start_job(app_record& app, std::vector<phase_step> phases,
                          progress_fn progress);

/// Where a stop job is (for the report when it is abandoned).
enum class stop_stage : int { prep_stop, tree, adopted, stop, done };

const char* to_string(stop_stage x);

/// Stops `app` with `top` (may be null) by `deadline`: prep_stop, exit to
/// the tree (killed if still alive at 80% of the time, which leaves the
/// rest to stop/1), the adopted actors of the app and its included apps,
/// stop. A throwing callback is reported and the stop goes on.
master_job make_stop_job(app_record& app, caf::actor top,
                         std::vector<std::shared_ptr<adopted_actors>> adopted,
                         std::chrono::steady_clock::time_point deadline,
                         std::shared_ptr<std::atomic<int>> stage);

} // namespace relc
