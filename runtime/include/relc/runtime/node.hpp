#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/error.hpp>

#include "relc/runtime/term.hpp"

namespace caf {
class actor_system;
} // namespace caf

namespace relc {

/// How a node boots (the `relc boot` flags).
struct node_options {
  std::string release_dir;
  /// A sys.config to use instead of the release's (`--config`).
  std::string config_file;
  /// `APP.KEY=VALUE` env overrides (`--env`), applied last.
  std::vector<std::string> env_overrides;
  /// Print every boot step with its time (`--init-debug`).
  bool init_debug = false;
  /// Bound for stopping all apps (`--shutdown-time`).
  std::chrono::milliseconds shutdown_time{30000};
  /// Where --init-debug lines go (default: stderr).
  std::function<void(const std::string&)> debug_sink;
  /// The reboot-loop guard's counter file (shoehorn releases); empty: no
  /// guard. relc boot uses <root>/var/<node name>/failed_boots.
  std::string boot_counter_file;
};

enum class node_state { starting, started, stopping, stopped };

const char* to_string(node_state x);

/// What `status` reports: the state and the last boot/stop step.
struct node_status {
  node_state state = node_state::starting;
  std::string last_step;
  /// Set when a shoehorn node runs without its main application: main
  /// failed to start, or the reboot-loop guard chose the recovery plan.
  std::string note;
  /// How often this node reached started (a restart counts again).
  int boots = 0;
};

/// One step of the boot (or stop) with its time since the node was created.
struct timeline_entry {
  std::chrono::microseconds at;
  std::string step;
};

/// A running application, as `which_applications` lists it.
struct running_app {
  std::string name;
  std::string vsn;
  std::string type;
};

/// A relc node: the application controller of one release, running inside
/// an actor system it does not own (relc boot's, or a host program's own).
/// load() reads the boot file and env and loads and verifies every library;
/// it needs no actor system, so a process host calls it before creating one
/// (loading code into a process whose threads already run costs more).
/// boot() then starts the apps in order with OTP's rules (types,
/// dependencies, start phases in application_starter order, included apps)
/// on the calling thread. An app's top supervisor exiting is handled by its
/// type: temporary is reported; transient ends the node unless it exited
/// normally; permanent always ends the node.
class node {
public:
  explicit node(node_options options);
  ~node();

  node(const node&) = delete;
  node& operator=(const node&) = delete;

  /// Reads the boot file and env, loads and verifies the libraries. On
  /// failure the error's text is `<app>: <step>: <reason>`.
  [[nodiscard]] caf::error load();

  /// Boots the release in `sys` (calls load() first if needed). On failure
  /// every started app is stopped again and the error's text is
  /// `<app>: <step>: <reason>`; a stop requested during boot stops the
  /// started apps too (runtime_errc::interrupted). `sys` must outlive the
  /// node: apps' callback objects may hold actor handles.
  [[nodiscard]] caf::error boot(caf::actor_system& sys);

  /// Sets node_options::boot_counter_file (before boot(); the host may
  /// know the node's name only after load()).
  void set_boot_counter_file(std::string path);

  /// Asks the node to stop (thread-safe; e.g. from a signal thread).
  void request_stop();

  /// Asks the node to restart: wait() returns and the host calls restart()
  /// (OTP's init:restart, in the same process).
  void request_restart();

  /// Blocks until a stop or restart was requested or an app exit (or a
  /// boot handler's halt) ends the node. Returns why the node ended, or an
  /// empty string for a request.
  std::string wait();

  /// True once after request_restart(); the host then calls restart().
  bool take_restart_request();

  /// Stops every app, then reads the boot file, env and config again and
  /// boots anew in `sys`, in this process (libraries stay loaded).
  [[nodiscard]] caf::error restart(caf::actor_system& sys);

  /// The top supervisor of a running application (null if none).
  caf::actor application_top(const std::string& app) const;

  /// Stops every running app in reverse start order: prep_stop, shutdown of
  /// its tree, stop; bounded by shutdown_time.
  void stop();

  node_status status() const;

  /// Every boot and stop step so far with its time (the boot timeline).
  std::vector<timeline_entry> timeline() const;
  std::vector<running_app> which_applications() const;

  /// Stops one application on purpose; no other app is affected. Like
  /// start_application, boot and stop, it is serialised with the other
  /// lifecycle calls (safe from any thread; waits while the node boots).
  [[nodiscard]] caf::error stop_application(const std::string& app);

  /// Starts a stopped application again (its dependencies must run).
  [[nodiscard]] caf::error start_application(const std::string& app);

  /// The env value of `app`'s `key` (null if unset).
  term get_env(const std::string& app, const std::string& key) const;

  /// Sets `app`'s env `key` at run time.
  [[nodiscard]] caf::error set_env(const std::string& app,
                                   const std::string& key, term value);

  /// The node's name registry actor.
  caf::actor registry() const;

  /// The release's name and version (after load()).
  std::string release_name() const;
  std::string release_version() const;

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace relc
