#pragma once

// One request and its reply, of any type, from a blocking actor: what the
// app API's calls and the registry's blocking helpers are made of.

#include <chrono>
#include <string>

#include <caf/actor.hpp>
#include <caf/blocking_actor.hpp>
#include <caf/expected.hpp>
#include <caf/message.hpp>

namespace relc {

/// Waits up to `spin` for mail to reach `self` without sleeping: the reply
/// to a request usually comes within microseconds, and putting the thread
/// to sleep and waking it costs tens of them on a VM. Call it between a
/// request and its receive (which then finds the reply at once). Spins on
/// the calling thread: only from blocking actors, never on the scheduler.
void await_mail_briefly(caf::blocking_actor& self,
                        std::chrono::microseconds spin
                        = std::chrono::microseconds{50});

/// Sends `msg` to `whom` from `self` and waits for the reply, at most
/// `timeout`. Blocks the calling thread. An error reply, a timeout or a
/// dead `whom` is the error. The request goes without a CAF timeout and the
/// calling thread keeps the deadline: a CAF request timeout costs a message
/// to CAF's clock thread, which wakes it on every call (3,500 wake-ups of a
/// third thread in a 500-app boot). A deadline that passes is
/// runtime_errc::call_timeout naming `what` (the request, by default
/// `msg` and `whom`); on a CAF scheduler thread it refuses at once
/// (runtime_errc::would_block).
caf::expected<caf::message> blocking_call(caf::blocking_actor& self,
                                          const caf::actor& whom,
                                          caf::message msg,
                                          std::chrono::milliseconds timeout,
                                          const std::string& what = {});

} // namespace relc
