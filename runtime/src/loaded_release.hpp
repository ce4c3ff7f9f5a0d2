#pragma once

// A release as the node holds it once loaded (private to the runtime): the
// boot plan, and per application its plan, env, library and callback
// object. Only what app code may touch from its own threads is guarded
// here (an app's env, its adopted actors, the included apps its start
// started), each by a lock of its own; the controller's bookkeeping (run
// state, top supervisor, start generation) lives in the controller actor.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/scoped_actor.hpp>

#include "boot_plan.hpp"
#include "relc/runtime/application.hpp"
#include "relc/runtime/term.hpp"

namespace relc {

struct loaded_release;
struct app_record;

/// An app's env: written by the admin and app code, read by app code.
class env_cell {
public:
  term get(const std::string& key) const;
  void set(const std::string& key, term value);
  /// A copy of the whole env map.
  term all() const;
  void reset(term value);

private:
  mutable std::mutex mtx_;
  term value_ = term::map{};
};

/// Free-standing actors an app adopted (app_context::adopt), by id; shared
/// with the functor each one carries, which drops it once it has died. CAF
/// runs an actor's exit functors newest first; for an actor adopted as it
/// was spawned (ctx.spawn) ours is the oldest, so when the actor has left
/// this set, every exit functor of its own has run too.
class adopted_actors : public std::enable_shared_from_this<adopted_actors> {
public:
  void add(const caf::actor& actor);

  /// Kills every adopted actor still alive (OTP: the group leader's
  /// processes die with the application).
  void kill_all();

  /// Kills them and waits until they are gone or `deadline` passed, as
  /// OTP's application master does before the app's stop/1. Blocks: call
  /// it from a master, never from an actor on the scheduler.
  void kill_all_and_wait(std::chrono::steady_clock::time_point deadline);

  /// The adopted actors now, weakly.
  std::vector<caf::actor_addr> snapshot();

private:
  void drop(caf::actor_id id);

  std::mutex mtx_;
  std::condition_variable gone_;
  std::map<caf::actor_id, caf::actor_addr> actors_;
};

/// What the runtime gives an app's callbacks (relc::app_context).
class app_ctx : public app_context {
public:
  app_ctx(loaded_release& owner, app_record& app) : owner_(owner), app_(app) {}
  caf::actor_system& system() override;
  const std::string& app_name() const override;
  using app_context::get_env; // the typed overloads
  term get_env(const std::string& key) const override;
  void set_env(const std::string& key, term value) override;
  std::vector<std::pair<std::string, term>>
  find_env_vars(const std::string& key) const override;
  caf::expected<caf::actor> start_included(const std::string& app) override;
  start_reason start_type() const override;
  /// Set by the controller before a start (read by app code).
  void set_start_type(start_reason why);
  registry_actor registry() override;
  void adopt(const caf::actor& actor) override;
  caf::expected<caf::actor> spawn_module(const std::string& module,
                                         const term& args) override;
  caf::expected<caf::message> call_message(const caf::actor& whom,
                                           caf::message msg,
                                           std::chrono::milliseconds timeout) override;
  caf::error register_name(const std::string& name,
                           const caf::actor& who) override;
  caf::expected<caf::actor> whereis(const std::string& name) override;
  caf::expected<std::vector<caf::actor>>
  await_names(const std::vector<std::string>& names,
              std::chrono::milliseconds timeout) override;

  /// The included apps this app's last start started, with their tops
  /// (taken by the controller when the start returns).
  std::vector<std::pair<std::string, caf::actor>> take_included();

private:
  template <class F>
  auto with_caller(F f);
  caf::error from_app(caf::error err) const;
  template <class T>
  caf::expected<T> from_app(caf::expected<T> x) const;

  loaded_release& owner_;
  app_record& app_;
  mutable std::mutex mtx_;
  std::vector<std::pair<std::string, caf::actor>> included_;
  start_reason start_type_;
  // The app's one blocking caller, made on first use. Its callbacks run
  // one at a time, but an abandoned one may still run when the app starts
  // again: a caller in use is not shared, that call makes its own.
  std::mutex caller_mtx_;
  std::unique_ptr<caf::scoped_actor> caller_;
};

struct app_record {
  planned_app plan;
  env_cell env;
  std::shared_ptr<adopted_actors> adopted = std::make_shared<adopted_actors>();
  void* library = nullptr;
  /// Where spawn_module finds actor types: `library` until a release
  /// upgrade loads a module of the app's next version (read by app code).
  std::atomic<void*> module_library{nullptr};
  std::unique_ptr<application> callback;
  std::unique_ptr<app_ctx> ctx;
};

struct loaded_release {
  boot_plan plan; ///< its apps were moved into `apps`
  std::vector<std::unique_ptr<app_record>> apps; ///< start order
  /// Set once before the first callback runs, then only read.
  caf::actor_system* sys = nullptr;
  registry_actor registry;
  /// What release upgrades replaced, kept: actors of an app's earlier
  /// version may still run its code (a library is unloaded only when the
  /// app opted in, by the library_reaper, which takes the callback).
  std::vector<std::unique_ptr<application>> retired_callbacks;
  std::vector<std::unique_ptr<app_record>> retired_apps;
  std::vector<std::shared_ptr<loaded_release>> retired_releases;
  /// Held by app threads that walk `apps` (find_env_vars, start_included)
  /// and by the controller while a release upgrade adds or removes apps.
  mutable std::mutex membership_mtx;

  /// The app named `name` (null if none); O(1) once index() ran.
  app_record* find(const std::string& name);
  const app_record* find(const std::string& name) const;

  /// Builds the name index (after `apps` is complete).
  void index();
  bool shoehorn() const { return plan.boot.has_value(); }

private:
  std::unordered_map<std::string, app_record*> by_name_;
};

} // namespace relc
