#include "name_table.hpp"

#include <algorithm>
#include <mutex>

#include <caf/abstract_actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/actor_cast.hpp>

namespace relc::detail {

namespace {

bool is_terminated(const caf::actor& who) {
  auto ptr = caf::actor_cast<caf::abstract_actor*>(who);
  return ptr == nullptr || ptr->getf(caf::abstract_actor::is_cleaned_up_flag);
}

} // namespace

name_table::put_result name_table::put(const std::string& name,
                                       const caf::actor& who, term value) {
  std::unique_lock<std::shared_mutex> guard{mtx_};
  if (closed_)
    return put_result::closed;
  auto i = names_.find(name);
  if (i == names_.end()) {
    names_.emplace(name, entry{who, std::move(value)});
    return put_result::added;
  }
  if (i->second.who == who) {
    i->second.value = std::move(value);
    return put_result::same;
  }
  if (!is_terminated(i->second.who))
    return put_result::taken;
  auto old = std::move(i->second.who);
  i->second = entry{who, std::move(value)};
  guard.unlock(); // dropping a last reference may run the actor's cleanup
  return put_result::added;
}

caf::actor name_table::get(const std::string& name) const {
  std::shared_lock<std::shared_mutex> guard{mtx_};
  auto i = names_.find(name);
  return i != names_.end() ? i->second.who : caf::actor{};
}

std::optional<name_table::entry>
name_table::find(const std::string& name) const {
  std::shared_lock<std::shared_mutex> guard{mtx_};
  auto i = names_.find(name);
  if (i == names_.end())
    return std::nullopt;
  return i->second;
}

caf::actor name_table::erase(const std::string& name) {
  std::unique_lock<std::shared_mutex> guard{mtx_};
  auto i = names_.find(name);
  if (i == names_.end())
    return {};
  auto who = std::move(i->second.who);
  names_.erase(i);
  return who;
}

bool name_table::erase_if_held(const std::string& name,
                               const caf::actor_addr& who) {
  caf::actor gone; // released after the lock (see put)
  std::unique_lock<std::shared_mutex> guard{mtx_};
  auto i = names_.find(name);
  if (i == names_.end() || i->second.who.address() != who)
    return false;
  gone = std::move(i->second.who);
  names_.erase(i);
  guard.unlock();
  return true;
}

bool name_table::replace_holder(const std::string& name, const caf::actor& from,
                                const caf::actor& to) {
  caf::actor gone;
  std::unique_lock<std::shared_mutex> guard{mtx_};
  auto i = names_.find(name);
  if (i == names_.end() || i->second.who != from)
    return false;
  gone = std::move(i->second.who);
  i->second.who = to;
  guard.unlock();
  return true;
}

bool name_table::holds(const std::string& name, const caf::actor& who) const {
  std::shared_lock<std::shared_mutex> guard{mtx_};
  auto i = names_.find(name);
  return i != names_.end() && i->second.who == who;
}

std::vector<std::string> name_table::names() const {
  std::vector<std::string> result;
  {
    std::shared_lock<std::shared_mutex> guard{mtx_};
    result.reserve(names_.size());
    for (auto& kv : names_)
      result.push_back(kv.first);
  }
  std::sort(result.begin(), result.end());
  return result;
}

void name_table::close() {
  std::unordered_map<std::string, entry> gone;
  {
    std::unique_lock<std::shared_mutex> guard{mtx_};
    closed_ = true;
    gone.swap(names_);
  }
  // The handles are released outside the lock: dropping the last
  // reference to an actor may run its cleanup.
}

} // namespace relc::detail
