#include "supervision_tree.hpp"

#include <caf/all.hpp>

#include "relc/runtime/supervisor.hpp"

namespace relc {

namespace {

void render(caf::scoped_actor& self, const caf::actor& sup, int depth,
            std::string& out) {
  std::vector<child_info> children;
  self->request(sup, std::chrono::seconds(1), sup_atoms::which_children::value)
    .receive([&](std::vector<child_info>& xs) { children = std::move(xs); },
             [&](caf::error&) {});
  for (auto& c : children) {
    out += std::string(static_cast<size_t>(depth) * 2, ' ') + c.id + "  "
           + (c.is_supervisor ? "supervisor" : "worker") + "  "
           + (c.handle ? "<" + std::to_string(c.handle.id()) + ">"
                       : std::string{"undefined"})
           + "\n";
    if (c.is_supervisor && c.handle && depth < 32)
      render(self, c.handle, depth + 1, out);
  }
}

} // namespace

std::string render_supervision_tree(caf::actor_system& sys,
                                    const caf::actor& top,
                                    const std::string& name) {
  std::string out = name + "  supervisor  <" + std::to_string(top.id()) + ">\n";
  caf::scoped_actor self{sys, true};
  render(self, top, 1, out);
  return out;
}

} // namespace relc
