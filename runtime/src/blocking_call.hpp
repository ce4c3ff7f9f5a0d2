#pragma once

// One request and its reply, of any type, from a blocking actor: what the
// app API's calls and the registry's blocking helpers are made of.

#include <chrono>

#include <caf/actor.hpp>
#include <caf/blocking_actor.hpp>
#include <caf/expected.hpp>
#include <caf/message.hpp>

namespace relc {

/// Sends `msg` to `whom` from `self` and waits for the reply, at most
/// `timeout`. Blocks the calling thread. An error reply, a timeout or a
/// dead `whom` is the error.
caf::expected<caf::message> blocking_call(caf::blocking_actor& self,
                                          const caf::actor& whom,
                                          caf::message msg,
                                          std::chrono::milliseconds timeout);

} // namespace relc
