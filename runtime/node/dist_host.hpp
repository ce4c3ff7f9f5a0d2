#pragma once

// The node host's side of distribution (docs/distribution.md): settings
// from the flags and the kernel env, the plugin loaded only for a
// distributed node, and the boot's sync with the nodes it names.

#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "dist_settings.hpp"

namespace relc {

class dist_service;
class node;

class dist_host {
public:
  dist_host();
  ~dist_host();

  /// After n.load(): checks the flags and the kernel env and, for a
  /// distributed node, loads the plugin and checks the TLS files. The error
  /// is one line naming the flag, the env key or the file.
  [[nodiscard]] caf::error prepare(const dist_flags& flags,
                                   const std::string& name, const node& n);

  bool active() const { return service_ != nullptr; }

  /// Before the actor system exists: loads CAF's network layer into it.
  void configure(caf::actor_system_config& cfg);

  /// Spawns the net kernel and listens (blocks). The error's text is
  /// `kernel: --dist-listen ...`.
  [[nodiscard]] caf::error listen_blocking(caf::actor_system& sys);

  /// Waits for the sync_nodes (blocks, up to sync_nodes_timeout; a stop
  /// asked of `n` ends the wait). The error's text is
  /// `kernel: sync_nodes: ...`.
  [[nodiscard]] caf::error sync_blocking(caf::actor_system& sys,
                                         const node& n);

  /// The booted controller gets node_up/node_down from now on.
  void booted(const caf::actor& controller);

  /// The net kernel (null when not distributed), for the admin's `nodes`.
  caf::actor kernel() const { return kernel_; }

  /// Ends the net kernel (before the actor system goes).
  void stop();

private:
  dist_settings settings_;
  std::unique_ptr<dist_service> service_;
  caf::actor kernel_;
};

} // namespace relc
