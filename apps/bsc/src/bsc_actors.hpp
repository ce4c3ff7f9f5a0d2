#pragma once

#include <vector>

#include <caf/actor.hpp>
#include <caf/expected.hpp>

#include <relc/runtime/application.hpp>
#include <relc/runtime/registry.hpp>

namespace caf {
class actor_system;
} // namespace caf

namespace bsc {

/// The frequency allocator: (allocate) -> int | error, (deallocate, f) -> ok,
/// (allocated) -> std::vector<int>; raises an alarm at the overload handler
/// found in the registry when it runs out.
#ifdef BSC_BLOCKED_FREQUENCIES
/// 1.1.0's state handoff for release upgrades (RELC_CODE_CHANGE).
caf::expected<relc::term> frequency_code_change(const relc::code_change_info& info,
                                                const relc::term& state);
#endif

caf::actor spawn_frequency(caf::actor_system& sys, std::vector<int> pool,
                           relc::registry_actor registry);

/// The overload handler: (alarm, what) counts, (clear) resets,
/// (count) -> int.
caf::actor spawn_overload(caf::actor_system& sys);

/// A phone: idle --connect--> connected (holds a frequency) --hangup--> idle;
/// (state) -> "idle" | "connected <f>"; (crash) makes it fail.
caf::actor spawn_phone(caf::actor_system& sys, int number,
                       relc::registry_actor registry);

} // namespace bsc
