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
  auto& sys = ctx.system();
  auto registry = ctx.registry();
  caf::scoped_actor self{sys, true};
  caf::error failure;
  auto on_error = [&](caf::error& e) { failure = e; };
  auto phone_sup = relc::whereis(sys, registry, "phone_sup");
  auto frequency = relc::whereis(sys, registry, "frequency");
  if (!phone_sup || !*phone_sup || !frequency || !*frequency)
    return relc::make_error(relc::runtime_errc::not_found,
                            "demo: phone_sup or frequency not registered");
  std::vector<caf::actor> phones;
  for (int number : {1, 2}) {
    self->request(*phone_sup, 5s, relc::sup_atoms::start_child::value,
                  relc::term{number})
      .receive([&](caf::actor& phone) { phones.push_back(phone); }, on_error);
    if (failure)
      return failure;
  }
  for (size_t i = 0; i < phones.size(); ++i) {
    self->request(phones[i], 5s, connect_atom::value)
      .receive(
        [&](int f) {
          say("phone " + std::to_string(i + 1) + " connected on frequency "
              + std::to_string(f));
        },
        on_error);
    if (failure)
      return failure;
  }
  auto allocated = [&](const caf::actor& server) {
    std::vector<int> result;
    self->request(server, 5s, allocated_atom::value)
      .receive([&](std::vector<int>& xs) { result = xs; }, on_error);
    return result;
  };
  say("allocated " + list(allocated(*frequency)));
  self->request(phones[0], 5s, hangup_atom::value)
    .receive([&](caf::ok_atom) { say("phone 1 hung up"); }, on_error);
  if (failure)
    return failure;
  say("allocated " + list(allocated(*frequency)));
  say("killing the frequency server (actor " + std::to_string(frequency->id())
      + ")");
  self->send_exit(*frequency, caf::exit_reason::kill);
  // rest_for_one: bsc_sup restarts the frequency server and phone_sup.
  caf::actor restarted;
  for (int i = 0; i < 300 && !restarted; ++i) {
    auto now = relc::whereis(sys, registry, "frequency");
    if (now && *now && *now != *frequency)
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
  return failure;
}

} // namespace bsc
