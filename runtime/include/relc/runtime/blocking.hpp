#pragma once

// Where code may block (docs/runtime.md, "Threads and blocking"). CAF runs
// every event-based actor's handler on a few scheduler threads (one per
// core); a handler that blocks one of them takes it from every other
// actor, and a handler that waits for another actor's answer can wait for
// ever when that actor needs the thread it holds. relc's blocking helpers
// (start_supervisor, register_name, whereis, await_names, the app
// context's calls) refuse there at once with runtime_errc::would_block
// and say what to use instead, as Tokio's block_on refuses inside its
// runtime. App callbacks, start phases and child start functions run on
// threads where blocking is safe.

#include <string>

#include <caf/error.hpp>

namespace caf {
class actor_system_config;
} // namespace caf

namespace relc {

/// True on a thread where blocking can never work: a CAF scheduler worker
/// (where event-based actors' handlers run) or CAF's I/O loop.
bool on_scheduler_thread();

/// The error a blocking helper returns on such a thread:
/// `<helper> called inside an actor (a CAF scheduler thread), where it
/// would wait for ever: <instead>`.
caf::error refuse_blocking(const std::string& helper,
                           const std::string& instead);

/// Lets on_scheduler_thread() know CAF's threads exactly, from the thread
/// hook CAF calls as each starts (relc boot and relc::module add it; a
/// program with its own actor system may too, before constructing it).
/// Without it the thread's name tells (CAF names its workers), which a
/// thread an actor creates inherits.
void mark_scheduler_threads(caf::actor_system_config& cfg);

} // namespace relc
