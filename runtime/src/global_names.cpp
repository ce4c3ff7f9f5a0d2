#include "relc/runtime/global_names.hpp"

#include <caf/all.hpp>

#include "blocking_call.hpp"
#include "global_view.hpp"
#include "relc/runtime/application.hpp"
#include "relc/runtime/runtime_error.hpp"

namespace relc {

namespace {

caf::error not_distributed() {
  return make_error(runtime_errc::distribution,
                    "global names: this node is not distributed "
                    "(--dist-listen)");
}

// One request to the kernel from a non-actor thread; blocks. Through
// blocking_call: no CAF request timeout, so no wake-up of CAF's clock.
template <class Result, class... Ts>
caf::expected<Result> ask_kernel(caf::actor_system& sys,
                                 std::chrono::milliseconds timeout,
                                 Ts&&... xs) {
  auto kernel = net_kernel(sys);
  if (!kernel)
    return not_distributed();
  caf::scoped_actor self{sys, true};
  return reply_as<Result>(blocking_call(
    *self, kernel, caf::make_message(std::forward<Ts>(xs)...), timeout));
}

constexpr std::chrono::milliseconds call_timeout{10000};

} // namespace

caf::actor net_kernel(caf::actor_system& sys) {
  return caf::actor_cast<caf::actor>(sys.registry().get(net_kernel_key));
}

caf::error register_global(caf::actor_system& sys, const std::string& name,
                           const caf::actor& who) {
  auto r = ask_kernel<caf::ok_atom>(sys, call_timeout,
                                    global_atoms::register_name::value, name,
                                    who);
  return r ? caf::error{} : r.error();
}

caf::expected<caf::actor> whereis_global(caf::actor_system& sys,
                                         const std::string& name) {
  // A read of the kernel's table (no round trip, fine inside an actor).
  if (auto view = detail::global_view::of(sys))
    return view->get(name);
  return not_distributed();
}

caf::expected<caf::actor> await_global(caf::actor_system& sys,
                                       const std::string& name,
                                       std::chrono::milliseconds timeout) {
  return ask_kernel<caf::actor>(sys, timeout + std::chrono::seconds(1),
                                global_atoms::await::value, name,
                                static_cast<int64_t>(timeout.count()));
}

} // namespace relc
