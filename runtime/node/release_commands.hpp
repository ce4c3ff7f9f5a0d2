#pragma once

// The release handler's admin commands (docs/upgrades.md): versions,
// unpack, install, make_permanent, remove, upgrade, downgrade. Each runs on
// a detached actor of its own (file I/O and a wait for the controller's
// install), never on the admin actor's scheduler thread.

#include <functional>
#include <string>
#include <vector>

#include <caf/actor.hpp>

namespace caf {
class actor_system;
class blocking_actor;
} // namespace caf

namespace relc {

struct release_command_context {
  std::string release_root;
  std::string release_name;
  caf::actor controller; ///< null before the boot
};

/// True if `words` is a release handler command (then `reply` gets the
/// admin reply text, `ok\n...` or `error: ...\n`, exactly once).
bool run_release_command(caf::actor_system& sys, release_command_context ctx,
                         const std::vector<std::string>& words,
                         std::function<void(std::string)> reply);

/// After a restart in the process: RELEASES follows what booted (a release
/// installed but not made permanent is unpacked again); then `done` runs
/// on the detached actor that did it (it may block).
void note_booted(caf::actor_system& sys, release_command_context ctx,
                 std::function<void(caf::blocking_actor*)> done);

/// Their lines for `help`.
const char* release_commands_help();

} // namespace relc
