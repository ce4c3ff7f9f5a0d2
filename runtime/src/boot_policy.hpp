#pragma once

// Boot policies (private to the runtime): objects that receive the
// application controller's events and decide. OTP's rules (otp_policy)
// and shoehorn mode (shoehorn_policy) are two of them, so a new mode is a
// new file, not a branch in the controller. Policies run inside the
// controller actor: they never block; blocking work (a boot handler) goes
// to a master through controller_ops::run_job.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/error.hpp>

#include "app_master.hpp"
#include "loaded_release.hpp"
#include "relc/runtime/node.hpp"

namespace relc {

using done_fn = std::function<void(caf::error)>;

struct retired_library;

/// What a policy may ask of the controller (all non-blocking).
class controller_ops {
public:
  virtual ~controller_ops();

  virtual loaded_release& release() = 0;
  virtual bool is_running(const std::string& app) = 0;
  /// True once the node is stopping (asked to, or a policy ended it).
  virtual bool stopping() = 0;
  /// Starts one app (dependencies must run); holds no job slot itself.
  virtual void start_app(const std::string& app, done_fn done) = 0;
  /// Starts `apps` (in the plan's order: dependencies first) on `workers`
  /// masters, each taking the next app whose dependencies in the batch are
  /// done (start_queue): 1 is OTP's sequential boot, in order and without a
  /// controller round trip between apps; more start independent apps at
  /// once. `on_each` runs in the controller for every app that was tried,
  /// as its start completes; a failed start of an app with `ends_boot`
  /// true starts no later app, nor does a stop asked for. `done` runs after
  /// the last `on_each`.
  virtual void start_apps(
    std::vector<std::string> apps, std::vector<bool> ends_boot, size_t workers,
    std::function<void(const std::string&, caf::error)> on_each,
    std::function<void()> done)
    = 0;
  /// Runs `fn` once no other lifecycle job (boot, start_app, stop_app,
  /// restart) is running; `fn` calls its argument when it is done.
  virtual void enqueue(std::function<void(std::function<void()>)> fn) = 0;
  /// Runs blocking work on a master; `timed_out` when the deadline passed
  /// (the master is then abandoned). A zero timeout waits forever.
  virtual void run_job(master_job job, std::chrono::milliseconds timeout,
                       std::function<void(job_result, bool timed_out)> done)
    = 0;
  /// Ends the node: every app stops and the node exits non-zero.
  virtual void end_node(const std::string& reason) = 0;
  /// Stops one running app on purpose (not an exit: no policy decision),
  /// as stop_app does; holds no job slot itself.
  virtual void stop_app(const std::string& app, std::function<void()> done)
    = 0;
  /// The top supervisor of a running app (null if none).
  virtual caf::actor top_of(const std::string& app) = 0;
  /// Restarts the node in this process into release `vsn` (empty: the
  /// permanent one, start.data's), as a restart does; `done` gets the new
  /// boot's outcome. Call it from inside a job: the restart is part of it.
  virtual void restart_into(const std::string& vsn, done_fn done) = 0;
  /// How the node was booted (the release root, --config, --env).
  virtual const node_options& options() const = 0;
  virtual void step(const std::string& text) = 0;
  /// A line of an install's report as it happens, for whoever asked
  /// (install_with_progress); by default nobody.
  virtual void install_progress(const std::string&) {
  }
  /// A release upgrade replaced this app version's library: unload it
  /// once nothing of it runs (library_reaper.hpp).
  virtual void retire_library(retired_library lib) = 0;
};

class boot_policy {
public:
  virtual ~boot_policy();

  /// Walks the boot plan; calls `done` once the boot is complete (an
  /// error fails the boot).
  virtual void boot(controller_ops& ops, done_fn done) = 0;

  /// A started app terminated on its own (never for a stop asked for).
  virtual void on_exit(controller_ops& ops, const std::string& app,
                       const caf::error& reason)
    = 0;

  /// An app was stopped on purpose while the node runs.
  virtual void on_stopped(controller_ops& ops, const std::string& app);

  /// The admin (or API) asks to start a stopped app.
  virtual void start_requested(controller_ops& ops, const std::string& app,
                               done_fn done);

  /// Why the node runs without part of its plan (status); empty if not.
  virtual std::string note() const;

  /// The boot reached started.
  virtual void on_node_started();
};

/// OTP's application controller rules (docs/runtime.md).
std::unique_ptr<boot_policy> make_otp_policy();

/// Shoehorn mode (docs/runtime.md); `counter_file` is the reboot-loop guard's
/// (empty: no guard).
std::unique_ptr<boot_policy> make_shoehorn_policy(std::string counter_file);

} // namespace relc
