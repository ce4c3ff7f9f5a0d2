#pragma once

// The cluster's global names as one node knows them: every name with its
// actor and the node that owns it. Each node holds the whole table; the
// net kernel keeps it current (adds, removals, a new node's names) and
// this class decides, the same way on every node, which holder of a name
// held twice wins: the one whose node's name sorts first.

#include <map>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>

#include "global_view.hpp"

namespace relc {

struct global_holder {
  caf::actor actor;
  std::string node; ///< the owner's node name
};

class global_table {
public:
  explicit global_table(std::string self) : self_(std::move(self)) {}

  const global_holder* find(const std::string& name) const;

  /// A holder from `holder.node`'s announcement. Returns the holder that
  /// lost, when the name was held by another actor: that one is gone from
  /// the table (the caller tells it if it is this node's).
  struct add_result {
    bool added = false;      ///< `holder` holds the name now
    bool conflict = false;   ///< the name was held by another actor
    global_holder loser;     ///< the holder that lost (when conflict)
  };
  add_result add(const std::string& name, global_holder holder);

  /// Drops `name` if `node` owns it; true when it did.
  bool remove(const std::string& name, const std::string& node);

  /// Drops every name of `actor` (held on this node); returns them.
  std::vector<std::string> remove_actor(const caf::actor_addr& actor);

  /// Drops every name `node` owns (it went down).
  void remove_node(const std::string& node);

  /// The names this node owns, for a node that just came up.
  std::vector<std::pair<std::string, caf::actor>> owned() const;

  /// One line per name, `NAME NODE`, sorted by name.
  std::string render() const;

  /// From now on every change is also made in `view` (whereis_global
  /// reads it from any thread).
  void mirror_to(std::shared_ptr<detail::global_view> view);

private:
  void mirror_set(const std::string& name, const caf::actor& who) {
    if (view_)
      view_->set(name, who);
  }
  void mirror_erase(const std::string& name) {
    if (view_)
      view_->erase(name);
  }

  std::string self_;
  std::map<std::string, global_holder> names_;
  std::shared_ptr<detail::global_view> view_;
};

} // namespace relc
