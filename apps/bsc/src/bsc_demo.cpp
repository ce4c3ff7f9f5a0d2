#include "bsc_demo.hpp"

#include <thread>

#include <caf/all.hpp>
#include <relc/runtime/log.hpp>
#include <relc/runtime/registry.hpp>
#include <relc/runtime/runtime_error.hpp>
#include <relc/runtime/supervisor.hpp>

#include "bsc_protocol.hpp"

namespace bsc {

namespace {

void say(const std::string& text) {
  relc::log(relc::log_level::info, "bsc demo", text);
}

std::string list(const std::vector<int>& xs) {
  std::string r = "[";
  for (size_t i = 0; i < xs.size(); ++i)
    r += (i ? ", " : "") + std::to_string(xs[i]);
  return r + "]";
}

} // namespace

caf::error run_demo(relc::app_context& ctx) {
  using namespace std::chrono_literals;
  // Each ctx call blocks for one round trip on the app's master thread.
  auto phone_sup = ctx.whereis("phone_sup");
  auto frequency = ctx.whereis("frequency");
  if (!phone_sup || !*phone_sup || !frequency || !*frequency)
    return relc::make_error(relc::runtime_errc::not_found,
                            "demo: phone_sup or frequency not registered");
  std::vector<caf::actor> phones;
  for (int number : {1, 2}) {
    auto phone = ctx.call<caf::actor>(*phone_sup, 5s, relc::sup_atoms::start_child::value,
                                      relc::term{number});
    if (!phone)
      return phone.error();
    phones.push_back(*phone);
  }
  for (size_t i = 0; i < phones.size(); ++i) {
    auto f = ctx.call<int>(phones[i], 5s, connect_atom::value);
    if (!f)
      return f.error();
    say("phone " + std::to_string(i + 1) + " connected on frequency "
        + std::to_string(*f));
  }
  auto allocated = [&](const caf::actor& server) {
    auto xs = ctx.call<std::vector<int>>(server, 5s, allocated_atom::value);
    return xs ? *xs : std::vector<int>{};
  };
  say("allocated " + list(allocated(*frequency)));
  if (auto hung = ctx.call<caf::ok_atom>(phones[0], 5s, hangup_atom::value); !hung)
    return hung.error();
  say("phone 1 hung up");
  say("allocated " + list(allocated(*frequency)));
  say("killing the frequency server (actor " + std::to_string(frequency->id())
      + ")");
  caf::anon_send_exit(*frequency, caf::exit_reason::kill);
  // rest_for_one: bsc_sup restarts the frequency server, then phone_sup;
  // each takes its name (its child spec's) as it starts.
  caf::actor restarted;
  for (int i = 0; i < 300 && !restarted; ++i) {
    auto now = ctx.whereis("frequency");
    auto phones = ctx.whereis("phone_sup");
    if (now && *now && *now != *frequency && phones && *phones
        && *phones != *phone_sup)
      restarted = *now;
    else
      std::this_thread::sleep_for(10ms);
  }
  if (!restarted)
    return relc::make_error(relc::runtime_errc::not_found,
                            "demo: the frequency server was not restarted");
  say("frequency server restarted by bsc_sup (actor "
      + std::to_string(restarted.id()) + "), allocated "
      + list(allocated(restarted)));
  say("done");
  return {};
}

} // namespace bsc
