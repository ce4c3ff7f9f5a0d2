#include "blocking_call.hpp"

#include <caf/all.hpp>

#include "blocking_pool.hpp"
#include "relc/runtime/blocking.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "start_signal.hpp"

namespace relc {

void await_mail_briefly(caf::blocking_actor& self,
                        std::chrono::microseconds spin) {
  spin_permit permit;
  if (!permit)
    return;
  auto until = std::chrono::steady_clock::now() + spin;
  while (self.mailbox().empty() && std::chrono::steady_clock::now() < until)
    cpu_relax();
  permit.ended(!self.mailbox().empty());
}

namespace {

// The reply of any type, or the deadline: a catch-all behavior whose
// timeout is what is left until the deadline (CAF resets a receive's
// timeout whenever other mail arrives; the deadline stays).
class reply_until : public caf::detail::blocking_behavior {
public:
  reply_until(caf::behavior& nested,
              std::chrono::steady_clock::time_point deadline,
              caf::expected<caf::message>& out)
    : blocking_behavior(nested), deadline_(deadline), out_(out) {
  }

  caf::result<caf::message> fallback(caf::message_view& x) override {
    out_ = x.move_content_to_message();
    return caf::message{};
  }

  caf::duration timeout() override {
    if (deadline_ == std::chrono::steady_clock::time_point::max())
      return caf::infinite;
    auto left = std::chrono::duration_cast<std::chrono::microseconds>(
      deadline_ - std::chrono::steady_clock::now());
    return caf::duration{std::max(left, std::chrono::microseconds{0})};
  }

  void handle_timeout() override {
    out_ = caf::make_error(caf::sec::request_timeout);
  }

private:
  std::chrono::steady_clock::time_point deadline_;
  caf::expected<caf::message>& out_;
};

// now() + `timeout`; time_point::max() (no deadline) from a year on.
std::chrono::steady_clock::time_point deadline_after(
  std::chrono::milliseconds timeout) {
  // A year or more is "no deadline" (and now() + max() would overflow).
  if (timeout >= std::chrono::hours{24 * 365})
    return std::chrono::steady_clock::time_point::max();
  return std::chrono::steady_clock::now() + std::max(timeout, {});
}

// The reply to `reply_id` (a request sent with caf::infinite) or the
// deadline's error.
caf::expected<caf::message>
await_reply_until(caf::blocking_actor& self, caf::message_id reply_id,
                  std::chrono::steady_clock::time_point deadline) {
  caf::expected<caf::message> result{caf::message{}};
  caf::behavior on_error{[&](caf::error& err) { result = std::move(err); }};
  reply_until bhvr{on_error, deadline, result};
  caf::blocking_actor::accept_one_cond one;
  self.receive_impl(one, reply_id, bhvr);
  return result;
}

// " (relc_registry)": a local actor's name, where CAF knows one.
std::string actor_name(const caf::actor& whom) {
  auto* ptr = dynamic_cast<caf::monitorable_actor*>(
    caf::actor_cast<caf::abstract_actor*>(whom));
  return ptr ? std::string{" ("} + ptr->name() + ")" : std::string{};
}

} // namespace

caf::expected<caf::message> blocking_call(caf::blocking_actor& self,
                                          const caf::actor& whom,
                                          caf::message msg,
                                          std::chrono::milliseconds timeout,
                                          const std::string& what) {
  if (!whom)
    return caf::make_error(caf::sec::invalid_argument);
  if (on_scheduler_thread())
    return refuse_blocking(what.empty() ? "a blocking call" : what,
                           "send, or request(...).then(...)");
  ++detail::blocking_waits_here();
  auto kept = msg; // shares the content: rendered only for a timeout
  auto reply = self.request(whom, caf::infinite, std::move(msg));
  await_mail_briefly(self);
  auto result = await_reply_until(self, reply.id(), deadline_after(timeout));
  if (!result && result.error() == caf::sec::request_timeout)
    return make_error(runtime_errc::call_timeout,
                      (what.empty() ? "request " + caf::to_string(kept) : what)
                        + ": no reply from actor " + std::to_string(whom.id())
                        + actor_name(whom) + " within "
                        + std::to_string(timeout.count()) + " ms");
  return result;
}

} // namespace relc
