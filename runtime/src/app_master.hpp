#pragma once

// An application master (OTP's application_master, on its own thread):
// an actor on a thread of its own (a blocking actor, off CAF's
// schedulers) that runs app code which may block or throw (start,
// start phases, prep_stop, stop, init calls, a boot handler) one job at a
// time and answers with the outcome. An exception becomes the job's error
// with its text. The controller asks it with a deadline where one applies
// and abandons it when the deadline passes: a thread stuck in app code
// cannot be interrupted, only left behind (private to the runtime).

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/error.hpp>

namespace caf {
class actor_system;
} // namespace caf

namespace relc {

/// What a job returns: an error, or what it made.
struct job_result {
  caf::error error;
  /// start: the app's top supervisor (may be null: a library app).
  caf::actor top;
  /// start: included apps the start started, with their tops.
  std::vector<std::pair<std::string, caf::actor>> included;
  /// A job's own small answer (a boot handler's verdict).
  int value = 0;
  /// start: the (app, phase) pairs whose start phase completed.
  std::vector<std::pair<std::string, std::string>> phases_done;
};

/// A piece of blocking work for a master.
using master_job = std::function<job_result()>;

namespace master_atoms {
using run = caf::atom_constant<caf::atom("m_run")>;
} // namespace master_atoms

/// Spawns a master (a blocking actor on its own thread, hidden) for
/// `owner`. Request: (m_run, master_job) -> job_result. It ends on an exit
/// message or when `owner` terminates.
caf::actor spawn_app_master(caf::actor_system& sys, const caf::actor& owner);

/// Runs `job` catching every exception, whose text becomes the error
/// (`exception: <what>`).
job_result run_guarded(const master_job& job);

} // namespace relc

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(relc::job_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(relc::master_job)
