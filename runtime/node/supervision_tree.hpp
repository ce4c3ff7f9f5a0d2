#pragma once

#include <string>

#include <caf/actor.hpp>

namespace caf {
class actor_system;
} // namespace caf

namespace relc {

/// The supervision tree under `top` as indented text, one child per line:
/// `id  supervisor|worker  <actor id>|undefined`. Asks each supervisor for
/// its children (sup_which); a child that does not answer within 1 s is
/// shown as a worker. Blocks: call it from a detached actor or a thread.
std::string render_supervision_tree(caf::actor_system& sys,
                                    const caf::actor& top,
                                    const std::string& name);

} // namespace relc
