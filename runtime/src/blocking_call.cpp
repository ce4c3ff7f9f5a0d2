#include "blocking_call.hpp"

#include <caf/all.hpp>

#include "start_signal.hpp"

namespace relc {

void await_mail_briefly(caf::blocking_actor& self,
                        std::chrono::microseconds spin) {
  auto until = std::chrono::steady_clock::now() + spin;
  while (self.mailbox().empty() && std::chrono::steady_clock::now() < until)
    cpu_relax();
}

caf::expected<caf::message> blocking_call(caf::blocking_actor& self,
                                          const caf::actor& whom,
                                          caf::message msg,
                                          std::chrono::milliseconds timeout) {
  caf::expected<caf::message> result{caf::message{}};
  if (!whom)
    return caf::make_error(caf::sec::invalid_argument);
  // The error handler comes first: that is how CAF 0.17 takes a catch-all
  // for the reply of a dynamically typed request.
  auto reply = self.request(whom, timeout, std::move(msg));
  await_mail_briefly(self);
  reply.receive([&](caf::error& err) { result = std::move(err); },
             caf::others >> [&](caf::message_view& x) -> caf::result<caf::message> {
               result = x.move_content_to_message();
               return caf::message{};
             });
  return result;
}

} // namespace relc
