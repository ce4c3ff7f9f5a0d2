#include "global_view.hpp"

#include <mutex>

namespace relc::detail {

namespace {

// The views by actor system (a process may run several, e.g. in tests).
struct views {
  std::shared_mutex mtx;
  std::unordered_map<const caf::actor_system*, std::shared_ptr<global_view>> by_system;
};

views& all() {
  static auto* self = new views; // never destroyed: kernels may end late
  return *self;
}

} // namespace

std::shared_ptr<global_view> global_view::attach(caf::actor_system& sys) {
  auto view = std::make_shared<global_view>();
  std::unique_lock<std::shared_mutex> guard{all().mtx};
  all().by_system[&sys] = view;
  return view;
}

void global_view::detach(caf::actor_system& sys) {
  std::shared_ptr<global_view> gone;
  std::unique_lock<std::shared_mutex> guard{all().mtx};
  auto i = all().by_system.find(&sys);
  if (i == all().by_system.end())
    return;
  gone = std::move(i->second);
  all().by_system.erase(i);
}

std::shared_ptr<global_view> global_view::of(caf::actor_system& sys) {
  std::shared_lock<std::shared_mutex> guard{all().mtx};
  auto i = all().by_system.find(&sys);
  return i != all().by_system.end() ? i->second : nullptr;
}

void global_view::set(const std::string& name, const caf::actor& who) {
  caf::actor gone; // released after the lock: it may be a last reference
  std::unique_lock<std::shared_mutex> guard{mtx_};
  auto& slot = names_[name];
  gone = std::move(slot);
  slot = who;
  guard.unlock();
}

void global_view::erase(const std::string& name) {
  caf::actor gone;
  std::unique_lock<std::shared_mutex> guard{mtx_};
  auto i = names_.find(name);
  if (i == names_.end())
    return;
  gone = std::move(i->second);
  names_.erase(i);
  guard.unlock();
}

caf::actor global_view::get(const std::string& name) const {
  std::shared_lock<std::shared_mutex> guard{mtx_};
  auto i = names_.find(name);
  return i != names_.end() ? i->second : caf::actor{};
}

} // namespace relc::detail
