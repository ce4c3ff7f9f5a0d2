#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/error.hpp>

#include "relc/runtime/registry.hpp"
#include "relc/runtime/term.hpp"

namespace caf {
class actor_system;
} // namespace caf

namespace relc {

/// How a node boots (the `relc boot` flags).
struct node_options {
  std::string release_dir;
  /// The release version to boot; empty: releases/start.data's (the
  /// permanent one). A release upgrade loads its target this way.
  std::string release_vsn;
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
  /// The record of libraries verified at an earlier boot: a library whose
  /// file is unchanged since (same inode, size, mtime, ctime) is not
  /// hashed again. Empty: every boot hashes every library. relc boot uses
  /// <var dir>/library-record.
  std::string library_record_file;
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

/// `+<ms> ms <step>`, as the timeline and --init-debug show it.
std::string to_string(const timeline_entry& x);

/// A running application, as `which_applications` lists it.
struct running_app {
  std::string name;
  std::string vsn;
  std::string type;
};

/// A relc node: one release, run by its application controller (an actor)
/// inside an actor system the node does not own (relc boot's, or a host
/// program's own). This class is the host's handle on it: load() reads the
/// boot file and env and loads and verifies every library, and needs no
/// actor system, so a process host calls it before creating one. boot()
/// spawns the controller, which starts the apps with OTP's rules (or the
/// release's shoehorn policy). Calls marked "blocks" wait for the
/// controller's answer on the calling thread: call them from a host
/// thread, never from inside an actor.
class node {
public:
  explicit node(node_options options);

  /// Stops the release (blocks, bounded by shutdown_time) and ends the
  /// controller.
  ~node();

  node(const node&) = delete;
  node& operator=(const node&) = delete;

  /// Reads the boot file and env, loads and verifies the libraries. On
  /// failure the error's text is `<app>: <step>: <reason>`.
  [[nodiscard]] caf::error load();

  /// Boots the release in `sys` (calls load() first if needed); blocks
  /// until the boot is complete. On failure every started app is stopped
  /// again and the error's text is `<app>: <step>: <reason>`; a stop
  /// requested during boot stops the started apps too
  /// (runtime_errc::interrupted). `sys` must outlive the node.
  [[nodiscard]] caf::error boot(caf::actor_system& sys);

  /// Sets node_options::boot_counter_file (before boot(); the host may
  /// know the node's name only after load()).
  void set_boot_counter_file(std::string path);

  /// Subscribes `who` to the node's lifecycle events (lifecycle_event
  /// messages); before boot() it also gets the `loaded` events.
  void subscribe(const caf::actor& who);

  /// Asks the node to stop; returns at once (thread-safe, e.g. from a
  /// signal thread).
  void request_stop();

  /// True once request_stop() was called (a host that waits before boot()
  /// stops waiting).
  bool stop_requested() const;

  /// Asks the node to restart in this process (OTP's init:restart);
  /// returns at once.
  void request_restart();

  /// Blocks until the node ended: stopped on request (returns an empty
  /// string) or ended by an app exit or a boot handler (returns why).
  std::string wait();

  /// Callbacks (or trees) abandoned at a deadline: threads that may still
  /// be inside app code. A host that sees any must not wait for them
  /// (relc boot exits the process instead of joining them).
  int abandoned_callbacks() const;

  /// Stops every running app in reverse start order: prep_stop, shutdown of
  /// its tree, stop; bounded by shutdown_time. Blocks.
  void stop();

  /// The application controller (null before boot()), for a host's own
  /// requests, e.g. a liveness probe.
  caf::actor controller() const;

  /// Blocks.
  node_status status() const;

  /// Every boot and stop step so far with its time (the boot timeline).
  /// Blocks.
  std::vector<timeline_entry> timeline() const;

  /// Blocks.
  std::vector<running_app> which_applications() const;

  /// The top supervisor of a running application (null if none). Blocks.
  caf::actor application_top(const std::string& app) const;

  /// Stops one application on purpose; no other app is affected. Blocks
  /// until it is stopped.
  [[nodiscard]] caf::error stop_application(const std::string& app);

  /// Starts a stopped application again (its dependencies must run).
  /// Blocks until it is started.
  [[nodiscard]] caf::error start_application(const std::string& app);

  /// The env value of `app`'s `key` (null if unset). Blocks.
  term get_env(const std::string& app, const std::string& key) const;

  /// The env value of `app`'s `key` as loaded (after load(), before the
  /// boot changes it; null if unset). Does not block.
  term loaded_env(const std::string& app, const std::string& key) const;

  /// Sets `app`'s env `key` at run time. Blocks.
  [[nodiscard]] caf::error set_env(const std::string& app,
                                   const std::string& key, term value);

  /// The node's name registry actor (null before boot()). Blocks.
  registry_actor registry() const;

  /// The release's name and version (after load()).
  std::string release_name() const;
  std::string release_version() const;

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace relc
