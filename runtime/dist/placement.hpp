#pragma once

// Where a distributed application runs (OTP's dist_ac): on the first live
// node of its priority list; within a group of equal priority, where it
// runs already, else the first by name. Every node computes the same
// answer from the same view, so no election is needed.

#include <set>
#include <string>

#include "dist_settings.hpp"

namespace relc {

/// The node that should run `app`, given the live nodes (this one among
/// them) and the node that runs it now ("" for none); "" when no listed
/// node is live.
std::string preferred_node(const dist_app& app,
                           const std::set<std::string>& live,
                           const std::string& runner);

} // namespace relc
