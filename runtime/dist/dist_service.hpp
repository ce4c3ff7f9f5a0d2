#pragma once

// The seam between a node and its distribution (docs/distribution.md). The
// node host links no network code: when a node is distributed it loads the
// dist plugin (librelc_dist.so.<major>.<minor>, next to the runtime
// library), which brings CAF's middleman, CAF's TLS manager and OpenSSL.
// A node that is not distributed pays for none of them.

#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "dist_settings.hpp"

namespace relc {

class dist_service {
public:
  virtual ~dist_service() = default;

  /// Checks the TLS files (readable, the key is the certificate's, the CA
  /// signed it); the error names the file and the reason.
  virtual caf::error check() = 0;

  /// Loads CAF's middleman (and its TLS manager) into `cfg`: before the
  /// actor system exists.
  virtual void configure(caf::actor_system_config& cfg) = 0;

  /// Spawns the node's net kernel and publishes it on the listen address
  /// (blocks: call from a host thread). Returns the kernel
  /// (dist_protocol.hpp).
  virtual caf::expected<caf::actor> start_blocking(caf::actor_system& sys) = 0;
};

/// The plugin's one C entry, `relc_dist_make`.
using dist_factory = dist_service* (*)(const dist_settings* settings);

/// Loads the plugin and makes the service; the error says why not (the
/// library missing: the release was built without it).
caf::expected<std::unique_ptr<dist_service>>
load_dist_plugin(const dist_settings& settings);

} // namespace relc
