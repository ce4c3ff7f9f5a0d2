#include "relc/runtime/handoff.hpp"

#include <condition_variable>
#include <map>
#include <mutex>

#include <caf/all.hpp>

#include "relc/runtime/runtime_error.hpp"

namespace relc {

struct handoff_offer::slot {
  term state;
  bool taken = false;
  caf::error result;
};

namespace {

// Offers waiting for the next actor of their module, by module name.
struct offer_table {
  std::mutex mtx;
  std::condition_variable cv;
  std::map<std::string, std::shared_ptr<handoff_offer::slot>> open;
};

offer_table& offers() {
  static offer_table table;
  return table;
}

// From now on every message goes to `next`, requests with their response
// promise (delegated: `next` answers the original caller). The forwarder
// ends with `next`.
void forward_all(caf::event_based_actor* self, const caf::actor& next) {
  self->monitor(next);
  auto addr = next.address();
  self->set_down_handler([self, addr](caf::down_msg& dm) {
    if (dm.source == addr)
      self->quit(dm.reason);
  });
  self->set_default_handler(
    [next](caf::scheduled_actor* s, caf::message_view& x)
      -> caf::result<caf::message> {
      auto rp = s->make_response_promise();
      rp.delegate(next, x.move_content_to_message());
      return caf::delegated<caf::message>{};
    });
  // Matches nothing a caller sends: the default handler sees it all.
  self->become([](handoff_atoms::forward, const caf::actor&) {});
}

// Between `give` and `forward`: every other message waits in the mailbox
// (skipped messages are tried again once the behavior changes).
void hold(caf::event_based_actor* self) {
  self->set_default_handler(caf::skip);
  self->become([self](handoff_atoms::forward, const caf::actor& next) {
    forward_all(self, next);
  });
}

// Takes the state offered to `module`, if any.
void take_offer(const std::string& module, const handoff& h) {
  auto& t = offers();
  std::shared_ptr<handoff_offer::slot> s;
  {
    std::lock_guard<std::mutex> guard{t.mtx};
    auto i = t.open.find(module);
    if (i == t.open.end())
      return;
    s = i->second;
    t.open.erase(i);
  }
  caf::error result;
  try {
    result = h.take(s->state);
  } catch (const std::exception& ex) {
    result = make_error(runtime_errc::release_handling,
                        module + ": take threw: " + ex.what());
  } catch (...) {
    result = make_error(runtime_errc::release_handling,
                        module + ": take threw an unknown exception");
  }
  std::lock_guard<std::mutex> guard{t.mtx};
  s->taken = true;
  s->result = std::move(result);
  t.cv.notify_all();
}

} // namespace

handoff_offer::handoff_offer(const std::string& module, term state)
  : module_(module), slot_(std::make_shared<slot>()) {
  slot_->state = std::move(state);
  auto& t = offers();
  std::lock_guard<std::mutex> guard{t.mtx};
  t.open[module_] = slot_;
}

handoff_offer::~handoff_offer() {
  auto& t = offers();
  std::lock_guard<std::mutex> guard{t.mtx};
  if (auto i = t.open.find(module_); i != t.open.end() && i->second == slot_)
    t.open.erase(i);
}

caf::error handoff_offer::wait_taken(std::chrono::milliseconds timeout) {
  auto& t = offers();
  std::unique_lock<std::mutex> guard{t.mtx};
  if (!t.cv.wait_for(guard, timeout, [this] { return slot_->taken; }))
    return make_error(runtime_errc::release_handling,
                      "the new " + module_ + " did not take its state within "
                        + std::to_string(timeout.count())
                        + " ms (does its actor use relc::updatable?)");
  return slot_->result;
}

caf::behavior updatable(caf::event_based_actor* self,
                        const std::string& module, caf::behavior b,
                        handoff h) {
  take_offer(module, h);
  auto give = std::make_shared<std::function<term()>>(std::move(h.give));
  caf::message_handler own{
    [self, give](handoff_atoms::give) -> caf::result<term> {
      auto state = (*give)();
      hold(self);
      return state;
    },
    [](handoff_atoms::probe) { return caf::ok_atom::value; },
  };
  caf::message_handler user{b.as_behavior_impl()};
  return caf::behavior{user.or_else(own)};
}

} // namespace relc
