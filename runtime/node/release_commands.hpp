#pragma once

// The release handler's admin commands (docs/upgrades.md): versions,
// unpack, install, make_permanent, remove, upgrade, downgrade. Each runs on
// a detached actor of its own (file I/O and a wait for the controller's
// install), never on the admin actor's scheduler thread.

#include <functional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/error.hpp>

#include "runtime_exec.hpp"

namespace caf {
class actor_system;
class blocking_actor;
} // namespace caf

namespace relc {

struct release_command_context {
  std::string release_root;
  std::string release_name;
  caf::actor controller; ///< null before the boot
  /// Stops the node and execs another runtime into a release (the host's;
  /// the connection that asked goes with it and gets the answer from the
  /// new program). An error when it cannot: then nothing changed.
  std::function<caf::error(runtime_exec)> exec_runtime;
};

/// Where a command says what it is doing, a line at a time, before its
/// reply (`install` and `upgrade`/`downgrade`: each relup step as it
/// happens, the health gate's countdown); null: nobody asked.
using progress_fn = std::function<void(const std::string&)>;

/// True if `words` is a release handler command (then `reply` gets the
/// admin reply text, `ok\n...` or `error: ...\n`, exactly once, after
/// every line given to `progress`).
bool run_release_command(caf::actor_system& sys, release_command_context ctx,
                         const std::vector<std::string>& words,
                         std::function<void(std::string)> reply,
                         progress_fn progress = {});

/// After a restart in the process: RELEASES follows what booted (a release
/// installed but not made permanent is unpacked again); then `done` runs
/// on the detached actor that did it (it may block).
void note_booted(caf::actor_system& sys, release_command_context ctx,
                 std::function<void(caf::blocking_actor*)> done);

/// After an exec into another runtime (runtime_exec.hpp), once the boot
/// succeeded: finishes what the command that asked for it began (RELEASES,
/// the health gate, make_permanent, or the rollback's line) and gives
/// `reply` the answer that command would have given.
void resume_release_command(caf::actor_system& sys, release_command_context ctx,
                            resume_plan plan,
                            std::function<void(std::string)> reply);

/// Their lines for `help`.
const char* release_commands_help();

} // namespace relc
