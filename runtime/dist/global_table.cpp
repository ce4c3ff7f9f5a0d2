#include "global_table.hpp"

namespace relc {

const global_holder* global_table::find(const std::string& name) const {
  auto i = names_.find(name);
  return i == names_.end() ? nullptr : &i->second;
}

global_table::add_result global_table::add(const std::string& name,
                                           global_holder holder) {
  add_result result;
  auto i = names_.find(name);
  if (i == names_.end()) {
    mirror_set(name, holder.actor);
    names_.emplace(name, std::move(holder));
    result.added = true;
    return result;
  }
  auto& current = i->second;
  if (current.actor == holder.actor) {
    current.node = holder.node;
    result.added = true;
    return result;
  }
  result.conflict = true;
  if (holder.node < current.node) {
    mirror_set(name, holder.actor);
    result.loser = std::move(current);
    current = std::move(holder);
    result.added = true;
  } else {
    result.loser = std::move(holder);
  }
  return result;
}

bool global_table::remove(const std::string& name, const std::string& node) {
  auto i = names_.find(name);
  if (i == names_.end() || i->second.node != node)
    return false;
  mirror_erase(name);
  names_.erase(i);
  return true;
}

std::vector<std::string>
global_table::remove_actor(const caf::actor_addr& actor) {
  std::vector<std::string> result;
  for (auto i = names_.begin(); i != names_.end();) {
    if (i->second.node == self_ && i->second.actor.address() == actor) {
      result.push_back(i->first);
      mirror_erase(i->first);
      i = names_.erase(i);
    } else {
      ++i;
    }
  }
  return result;
}

void global_table::remove_node(const std::string& node) {
  for (auto i = names_.begin(); i != names_.end();) {
    if (i->second.node == node) {
      mirror_erase(i->first);
      i = names_.erase(i);
    } else {
      ++i;
    }
  }
}

void global_table::mirror_to(std::shared_ptr<detail::global_view> view) {
  view_ = std::move(view);
  for (auto& [name, h] : names_)
    view_->set(name, h.actor);
}

std::vector<std::pair<std::string, caf::actor>> global_table::owned() const {
  std::vector<std::pair<std::string, caf::actor>> result;
  for (auto& [name, h] : names_)
    if (h.node == self_)
      result.emplace_back(name, h.actor);
  return result;
}

std::string global_table::render() const {
  std::string out;
  for (auto& [name, h] : names_)
    out += name + " " + h.node + "\n";
  return out;
}

} // namespace relc
