#include "boot_policy.hpp"

namespace relc {

controller_ops::~controller_ops() = default;

boot_policy::~boot_policy() = default;

void boot_policy::on_stopped(controller_ops&, const std::string&) {
  // nop
}

void boot_policy::start_requested(controller_ops& ops, const std::string& app,
                                  done_fn done) {
  ops.start_app(app, std::move(done));
}

std::string boot_policy::note() const {
  return {};
}

void boot_policy::on_node_started() {
  // nop
}

} // namespace relc
