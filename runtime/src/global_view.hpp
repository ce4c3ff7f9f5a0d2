#pragma once

// The cluster's global names as this node's net kernel last recorded them,
// readable from any thread without a round trip: whereis_global is a
// shared-lock read, as OTP's global:whereis_name reads an ets table. The
// net kernel (the dist plugin) writes it whenever its table changes, so a
// lookup sees what the kernel would have answered at that moment (private
// to the runtime and its dist plugin).

#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include <caf/actor.hpp>

namespace caf {
class actor_system;
} // namespace caf

namespace relc::detail {

class global_view {
public:
  /// The view of `sys`'s net kernel, made now; detach() when the kernel
  /// ends. One per actor system.
  static std::shared_ptr<global_view> attach(caf::actor_system& sys);
  static void detach(caf::actor_system& sys);

  /// The view of `sys`, or null when the node is not distributed.
  static std::shared_ptr<global_view> of(caf::actor_system& sys);

  void set(const std::string& name, const caf::actor& who);
  void erase(const std::string& name);
  caf::actor get(const std::string& name) const;

private:
  mutable std::shared_mutex mtx_;
  std::unordered_map<std::string, caf::actor> names_;
};

} // namespace relc::detail
