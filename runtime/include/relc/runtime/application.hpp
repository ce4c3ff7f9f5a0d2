#pragma once

#include <chrono>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>
#include <caf/response_type.hpp>
#include <caf/sec.hpp>
#include <caf/typed_actor.hpp>

#include "relc/runtime/export_names.hpp"
#include "relc/runtime/registry.hpp"
#include "relc/runtime/term.hpp"

namespace caf {
class actor_system;
} // namespace caf

namespace relc {

/// A reply of one element as R: the error stays an error, a reply of
/// another shape is caf::sec::unexpected_response.
template <class R>
caf::expected<R> reply_as(caf::expected<caf::message> reply) {
  if (!reply)
    return reply.error();
  if (!reply->template match_elements<R>())
    return caf::make_error(caf::sec::unexpected_response);
  return reply->template get_as<R>(0);
}

/// How an application's start came about (OTP's StartType): `normal`, or
/// for a distributed application `failover` or `takeover`, with the node
/// it comes from (docs/distribution.md).
struct start_reason {
  std::string type = "normal";
  std::string from_node;
};

/// What the runtime gives an application's callbacks: the actor system the
/// app runs in, its name and its configuration. Implemented by the runtime.
class app_context {
public:
  virtual ~app_context();

  /// The actor system the node runs in (possibly a host program's own).
  virtual caf::actor_system& system() = 0;

  /// The application's name.
  virtual const std::string& app_name() const = 0;

  /// The value of env `key` after manifest < sys.config < --env; null if unset.
  virtual term get_env(const std::string& key) const = 0;

  /// The value of env `key` as T (bool, an integer type, double, or
  /// std::string), or `fallback` when it is unset or of another type:
  /// `ctx.get_env("max_phones", 100)`, `ctx.get_env("greeting", "hello")`.
  template <class T>
  T get_env(const std::string& key, T fallback) const;
  std::string get_env(const std::string& key, const char* fallback) const {
    return get_env<std::string>(key, fallback);
  }

  /// Sets env `key` for this application at run time.
  virtual void set_env(const std::string& key, term value) = 0;

  /// Env `key` of every loaded application that has it, in boot order, as
  /// (app, value) pairs (setup:find_env_vars).
  virtual std::vector<std::pair<std::string, term>>
  find_env_vars(const std::string& key) const = 0;

  /// Why this start happens: `normal`, or `failover`/`takeover` of a
  /// distributed application with the node it comes from.
  virtual start_reason start_type() const;

  /// Starts included application `app` (one of this app's
  /// included_applications) by calling its `start` callback, and returns its
  /// top supervisor for this app's tree to supervise (OTP's
  /// application_starter pattern). Its start phases run after this app's.
  virtual caf::expected<caf::actor> start_included(const std::string& app)
    = 0;

  /// The node's name registry (see registry.hpp for its requests and the
  /// blocking helpers).
  virtual registry_actor registry() = 0;

  // -- calls from callbacks --------------------------------------------------
  //
  // Callbacks run on the app's master thread, not on CAF's schedulers, so
  // they may block; these block for one round trip each and use the app's
  // one reusable caller (no actor is created per call). Never call them
  // from inside an actor: send or request there.

  /// Sends `msg` to `whom` and waits for its reply, at most `timeout`.
  /// Blocks. An error reply, a timeout or a dead `whom` is the error.
  virtual caf::expected<caf::message>
  call_message(const caf::actor& whom, caf::message msg,
               std::chrono::milliseconds timeout)
    = 0;

  /// call_message with the reply's type checked. Blocks:
  /// `auto n = ctx.call<int>(worker, std::chrono::seconds(5), caf::get_atom::value);`
  template <class R, class... Ts>
  caf::expected<R> call(const caf::actor& whom,
                        std::chrono::milliseconds timeout, Ts&&... xs) {
    return reply_as<R>(call_message(
      whom, caf::make_message(std::forward<Ts>(xs)...), timeout));
  }

  /// call() to a typed actor (a supervisor's as_supervisor(sup), the
  /// registry): the compiler checks the request against the actor's
  /// interface and gives the reply's type. Blocks:
  /// `auto kids = ctx.call(relc::as_supervisor(sup), std::chrono::seconds(5),
  ///                       relc::sup_atoms::which_children::value);`
  template <class... Sigs, class... Ts>
  auto call(const caf::typed_actor<Sigs...>& whom,
            std::chrono::milliseconds timeout, Ts&&... xs) {
    using answer = caf::response_type<caf::detail::type_list<Sigs...>,
                                      caf::detail::decay_t<Ts>...>;
    static_assert(answer::valid, "the actor does not accept this request");
    using outputs = typename answer::type;
    static_assert(caf::detail::tl_size<outputs>::value == 1,
                  "call() takes requests with a one-value reply");
    using R = caf::detail::tl_head_t<outputs>;
    return reply_as<R>(call_message(caf::actor_cast<caf::actor>(whom),
                                    caf::make_message(std::forward<Ts>(xs)...),
                                    timeout));
  }

  /// Registers `name` for `who` in the node's registry (an error when the
  /// name is taken). Blocks for one round trip.
  virtual caf::error register_name(const std::string& name,
                                   const caf::actor& who)
    = 0;

  /// The actor registered as `name`, or a null actor. Blocks.
  virtual caf::expected<caf::actor> whereis(const std::string& name) = 0;

  /// Waits until every name is registered (one deadline for all) and
  /// returns the actors in the order of `names`. Blocks.
  virtual caf::expected<std::vector<caf::actor>>
  await_names(const std::vector<std::string>& names,
              std::chrono::milliseconds timeout)
    = 0;

  /// Makes `actor` part of this application: when the application stops
  /// or terminates, it is killed after the app's tree (OTP kills every
  /// process whose group leader is the application's). Actors under the
  /// app's supervisors need not be adopted; a free-standing one must be,
  /// or be linked to one that is: CAF 0.17 has no group leader to find
  /// them by.
  virtual void adopt(const caf::actor& actor) = 0;

  /// Spawns actor type `module` (a RELC_MODULE of this app's library) with
  /// `args`. After a release upgrade's load_module or update of `module`
  /// it is the new library's: OTP's "new processes run the new code". Not
  /// adopted: put it under a supervisor or adopt() it.
  virtual caf::expected<caf::actor> spawn_module(const std::string& module,
                                                 const term& args)
    = 0;

  /// Spawns an actor in system() and adopts it. Adopted at once, its stop
  /// is complete only after every exit functor it carries has run.
  template <class... Ts>
  caf::actor spawn(Ts&&... xs) {
    caf::actor result = system().spawn(std::forward<Ts>(xs)...);
    adopt(result);
    return result;
  }
};

template <class T>
T app_context::get_env(const std::string& key, T fallback) const {
  auto v = get_env(key);
  if constexpr (std::is_same_v<T, bool>) {
    return v.type() == term::kind::boolean ? v.as_bool() : fallback;
  } else if constexpr (std::is_integral_v<T>) {
    return v.type() == term::kind::integer ? static_cast<T>(v.as_integer())
                                           : fallback;
  } else if constexpr (std::is_floating_point_v<T>) {
    if (v.type() == term::kind::real)
      return static_cast<T>(v.as_real());
    return v.type() == term::kind::integer ? static_cast<T>(v.as_integer())
                                           : fallback;
  } else {
    static_assert(std::is_same_v<T, std::string>,
                  "get_env<T>: T is bool, an integer, a floating point type "
                  "or std::string");
    return v.is_string() ? v.as_string() : fallback;
  }
}

/// The application callback (OTP's `application` behaviour). A library
/// exports one with RELC_APPLICATION and names it in its manifest's `mod`.
class application {
public:
  virtual ~application();

  /// Starts the application and returns its top supervisor, or a default
  /// constructed actor for an application without processes.
  virtual caf::expected<caf::actor> start(app_context& ctx, const term& args)
    = 0;

  /// Runs start phase `phase` (manifest `start_phases`), after `start`.
  virtual caf::error start_phase(app_context& ctx, const std::string& phase,
                                 const term& args);

  /// Called before the application's tree is shut down.
  virtual void prep_stop(app_context& ctx);

  /// Called after the application's tree has stopped.
  virtual void stop(app_context& ctx);

  /// After a release upgrade changed this app's env (OTP's config_change):
  /// `changed` and `added` map keys to their new values, `removed` lists
  /// the keys that are gone. ctx.get_env already sees the new env.
  virtual void config_change(app_context& ctx, const term& changed,
                             const term& added, const term& removed);
};

/// Signature of a module (named actor type) factory a library exports.
using module_factory = caf::actor (*)(app_context& ctx, const term& args);

/// Signature of the exported function that creates the callback object.
using application_factory = application* (*)();

/// What a state handoff is told in a release upgrade (OTP's code_change
/// arguments): the direction, the version the state comes from (up) or
/// goes back to (down), and the appup's `{advanced: EXTRA}`.
struct code_change_info {
  bool down = false;
  std::string vsn;
  term extra;
};

/// Signature of a module's state handoff (RELC_CODE_CHANGE): the actor's
/// state as its old version gave it, converted for the version that takes
/// over; an error refuses the change.
using code_change_fn = caf::expected<term> (*)(const code_change_info& info,
                                               const term& state);

} // namespace relc

/// Marks a function for export from an application library.
#define RELC_EXPORT extern "C" __attribute__((visibility("default")))

/// Exports `CLASS` (derived from relc::application) as callback module `NAME`;
/// the manifest says `mod: {module: NAME}`.
#define RELC_APPLICATION(NAME, CLASS)                                          \
  RELC_EXPORT ::relc::application* relc_application__##NAME() {                \
    return new CLASS;                                                          \
  }

/// Exports the state handoff of actor type `NAME` for release upgrades
/// (appup `update`): `FN(const relc::code_change_info&, const relc::term&
/// state) -> caf::expected<relc::term>`. An actor type without one cannot be
/// updated in place (relc relup says so); it can still be restarted.
#define RELC_CODE_CHANGE(NAME, FN)                                             \
  RELC_EXPORT ::caf::expected<::relc::term> relc_code_change__##NAME(          \
    const ::relc::code_change_info& info, const ::relc::term& state) {        \
    return FN(info, state);                                                    \
  }

/// Exports actor type `NAME` (listed in the manifest's `modules`), spawned by
/// `FN(app_context&, const relc::term& args) -> caf::actor`.
#define RELC_MODULE(NAME, FN)                                                  \
  RELC_EXPORT ::caf::actor relc_module__##NAME(::relc::app_context& ctx,       \
                                               const ::relc::term& args) {     \
    return FN(ctx, args);                                                      \
  }
