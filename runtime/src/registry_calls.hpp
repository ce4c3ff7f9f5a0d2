#pragma once

// The registry's requests as blocking calls from a given blocking actor:
// the one implementation behind registry.hpp's free helpers (a scoped
// actor each) and the app context's (the app's reusable caller).

#include <chrono>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/blocking_actor.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "relc/runtime/registry.hpp"

namespace relc {

/// Whether `registry` is this runtime's own (register_name and whereis
/// then write and read its table at once, from any thread); a handle to
/// anything else takes a round trip.
bool registers_at_once(const registry_actor& registry);

/// All block the calling thread, one round trip per name (none for a
/// registry that registers at once, but await_names).
caf::error register_name_from(caf::blocking_actor& self,
                              const registry_actor& registry,
                              const std::string& name, const caf::actor& who);

caf::expected<caf::actor> whereis_from(caf::blocking_actor& self,
                                       const registry_actor& registry,
                                       const std::string& name);

caf::expected<std::vector<caf::actor>>
await_names_from(caf::blocking_actor& self, const registry_actor& registry,
                 const std::vector<std::string>& names,
                 std::chrono::milliseconds timeout);

} // namespace relc
