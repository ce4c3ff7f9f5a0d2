#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/expected.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "relc/runtime/term.hpp"

namespace caf {
class actor_system;
} // namespace caf

namespace relc {

/// OTP's restart strategies.
enum class restart_strategy {
  one_for_one,
  one_for_all,
  rest_for_one,
  simple_one_for_one,
};

/// When a terminated child is restarted.
enum class child_restart {
  permanent, ///< always
  transient, ///< only after an abnormal exit (not normal, not shutdown)
  temporary, ///< never
};

/// How a child is stopped.
struct child_shutdown {
  enum class kind { brutal_kill, timeout, infinity };
  kind type = kind::timeout;
  std::chrono::milliseconds time{5000};

  static child_shutdown brutal_kill() { return {kind::brutal_kill, {}}; }
  static child_shutdown after(std::chrono::milliseconds t) {
    return {kind::timeout, t};
  }
  static child_shutdown infinity() { return {kind::infinity, {}}; }
};

/// Starts a child: spawns it (unlinked; the supervisor monitors it) and
/// returns it, or an error; a null actor is OTP's `ignore`. For
/// simple_one_for_one, `args` are the start_child args. It runs where it
/// may block (OTP's start_link blocks until the child's init is done): on
/// the thread that waits in start_supervisor during the initial start, on
/// relc's blocking pool for restarts and later starts; never on a CAF
/// scheduler thread. The supervisor handles nothing else until it returned.
using child_start_fn
  = std::function<caf::expected<caf::actor>(caf::actor_system&, const term&)>;

/// OTP's child specification.
struct child_spec {
  // Out of line, like term's: app libraries share one copy of this code.
  child_spec();
  child_spec(const child_spec&);
  child_spec(child_spec&&) noexcept;
  child_spec& operator=(const child_spec&);
  child_spec& operator=(child_spec&&) noexcept;
  ~child_spec();

  std::string id;
  child_start_fn start;
  term args;
  child_restart restart = child_restart::permanent;
  child_shutdown shutdown;
  /// A supervisor child; its default shutdown should be infinity.
  bool is_supervisor = false;
  /// The actor type (the library's module) the child runs, which a release
  /// upgrade's `update: {module: M}` finds it by; empty: the child's id.
  std::string module;
  /// OTP's {local, Name}: the name the supervisor registers the child under
  /// in the node's registry on every start and restart (before the next
  /// child starts); it goes with the actor. A taken name fails the start.
  /// Empty: none.
  std::string name;
};

/// What count_children answers (OTP's count_children proplist).
struct child_counts {
  int specs = 0;       ///< children the supervisor has specs for
  int active = 0;      ///< of those, running
  int supervisors = 0; ///< specs that are supervisors
  int workers = 0;     ///< specs that are workers
};

/// Supervisor flags: strategy and restart intensity (OTP defaults: at most
/// 1 restart in 5 s).
struct supervisor_flags {
  restart_strategy strategy = restart_strategy::one_for_one;
  int intensity = 1;
  std::chrono::milliseconds period{5000};
  /// A name for the reports.
  std::string name = "supervisor";
};

/// One row of which_children.
struct child_info {
  // Out of line, like child_spec's.
  child_info();
  child_info(const child_info&);
  child_info(child_info&&) noexcept;
  child_info& operator=(const child_info&);
  child_info& operator=(child_info&&) noexcept;
  ~child_info();

  std::string id;
  caf::actor handle; ///< null when not running
  bool is_supervisor = false;
  std::string module; ///< child_spec::module, or the id when that is empty
};

const char* to_string(restart_strategy x);
const char* to_string(child_restart x);

namespace sup_atoms {
using init = caf::atom_constant<caf::atom("sup_init")>;
using start_child = caf::atom_constant<caf::atom("sup_start")>;
using terminate_child = caf::atom_constant<caf::atom("sup_term")>;
using restart_child = caf::atom_constant<caf::atom("sup_rstart")>;
using delete_child = caf::atom_constant<caf::atom("sup_delete")>;
using which_children = caf::atom_constant<caf::atom("sup_which")>;
using count_children = caf::atom_constant<caf::atom("sup_count")>;
using stop_timeout = caf::atom_constant<caf::atom("sup_stoptm")>;
using replace_child = caf::atom_constant<caf::atom("sup_repl")>;
} // namespace sup_atoms

/// A supervisor's protocol, checked by the compiler (the supervisor is
/// implemented as this typed actor). Spawn functions return plain
/// caf::actor handles, since a supervisor is also a child among others;
/// as_supervisor() gives the typed view of one:
///   self->request(relc::as_supervisor(sup), 5s,
///                 relc::sup_atoms::count_children::value)
///     .then([](const relc::child_counts& n) { ... n.active ... });
/// - (sup_start, child_spec) -> actor      start and add a child
/// - (sup_start, term args) -> actor       simple_one_for_one: new child
/// - (sup_term, std::string id) -> ok      stop a child, keep its spec
/// - (sup_term, actor) -> ok               simple_one_for_one: stop child
/// - (sup_rstart, std::string id) -> actor restart a stopped child
/// - (sup_delete, std::string id) -> ok    forget a stopped child's spec
/// - (sup_which) -> std::vector<child_info>
/// - (sup_count) -> child_counts
/// - (sup_init) -> ok once all initial children started, or the error
/// - (sup_repl, actor old, child_start_fn start) -> actor: a release
///   upgrade's `update`: starts the child's next version with `start` (and
///   the child's args) in old's place, same id, and restarts it with
///   `start` from then on; `old` is no longer supervised (it forwards to
///   the new one and ends with it, relc/runtime/handoff.hpp)
/// - (sup_stoptm, ...) is the supervisor's own timer message, not a request.
using supervisor_actor = caf::typed_actor<
  caf::replies_to<sup_atoms::init>::with<caf::ok_atom>,
  caf::replies_to<sup_atoms::start_child, child_spec>::with<caf::actor>,
  caf::replies_to<sup_atoms::start_child, term>::with<caf::actor>,
  caf::replies_to<sup_atoms::terminate_child, std::string>::with<caf::ok_atom>,
  caf::replies_to<sup_atoms::terminate_child, caf::actor>::with<caf::ok_atom>,
  caf::replies_to<sup_atoms::restart_child, std::string>::with<caf::actor>,
  caf::replies_to<sup_atoms::delete_child, std::string>::with<caf::ok_atom>,
  caf::replies_to<sup_atoms::which_children>::with<std::vector<child_info>>,
  caf::replies_to<sup_atoms::count_children>::with<child_counts>,
  caf::replies_to<sup_atoms::replace_child, caf::actor, child_start_fn>::with<
    caf::actor>,
  caf::reacts_to<sup_atoms::stop_timeout, uint64_t, uint64_t>>;

/// The typed view of a supervisor's handle (unchecked: `sup` must be one).
supervisor_actor as_supervisor(const caf::actor& sup);

/// Spawns a supervisor that starts `children` in order. It traps exits: an
/// exit signal from anyone but its children stops the children in reverse
/// order (honouring each shutdown spec) and then the supervisor with that
/// reason. Past its restart intensity it stops everything and exits with
/// runtime_errc::reached_max_restart_intensity. A child that fails to start
/// makes the supervisor exit with runtime_errc::start_failed.
///
/// Its requests are supervisor_actor's (a caller keeps the handle; finite
/// timeouts).
caf::actor spawn_supervisor(caf::actor_system& sys, supervisor_flags flags,
                            std::vector<child_spec> children);

/// Spawns a supervisor and waits until its initial children started, or
/// their start failed (then the started ones are already stopped again).
/// Blocks the calling thread, which runs the tree's child start functions
/// meanwhile: call it from an application callback, a child start
/// function or another thread where blocking is safe. Inside an actor (on
/// a CAF scheduler thread) it returns runtime_errc::would_block at once:
/// use spawn_supervisor there, or supervisor_child() for a subtree.
[[nodiscard]] caf::expected<caf::actor>
start_supervisor(caf::actor_system& sys, supervisor_flags flags,
                 std::vector<child_spec> children,
                 std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// A child spec for a supervisor child.
child_spec supervisor_child(std::string id, supervisor_flags flags,
                            std::vector<child_spec> children);

} // namespace relc

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(relc::child_spec)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(relc::child_start_fn)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(relc::child_info)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(relc::child_counts)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<relc::child_info>)
