#include "placement.hpp"

namespace relc {

std::string preferred_node(const dist_app& app,
                           const std::set<std::string>& live,
                           const std::string& runner) {
  for (auto& group : app.groups) {
    std::string first;
    for (auto& node : group) {
      if (live.count(node) == 0)
        continue;
      if (node == runner)
        return node; // equal priority: no move
      if (first.empty())
        first = node; // groups are sorted by name
    }
    if (!first.empty())
      return first;
  }
  return {};
}

} // namespace relc
