#pragma once

// One request and its reply, of any type, from a blocking actor: what the
// app API's calls and the registry's blocking helpers are made of.

#include <chrono>

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

/// now() + `timeout`; time_point::max() (no deadline) from a year on.
std::chrono::steady_clock::time_point
deadline_after(std::chrono::milliseconds timeout);

/// Waits until `deadline` for the reply to the request `reply_id` (a
/// response_handle's id()), which was sent with `caf::infinite`: the
/// deadline is kept here, on the waiting thread. A request with a CAF
/// timeout costs a message to CAF's clock thread, which wakes it on every
/// call (3,500 wake-ups of a third thread in a 500-app boot). An error
/// reply or the deadline is the error (`sec::request_timeout`). Blocks.
caf::expected<caf::message>
await_reply_until(caf::blocking_actor& self, caf::message_id reply_id,
                  std::chrono::steady_clock::time_point deadline);

/// Sends `msg` to `whom` from `self` and waits for the reply, at most
/// `timeout`. Blocks the calling thread. An error reply, a timeout or a
/// dead `whom` is the error.
caf::expected<caf::message> blocking_call(caf::blocking_actor& self,
                                          const caf::actor& whom,
                                          caf::message msg,
                                          std::chrono::milliseconds timeout);

} // namespace relc
