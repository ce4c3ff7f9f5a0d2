#pragma once

// The supervision tree every synthetic benchmark app starts: a top
// supervisor `<app>_sup` with two idle workers. Header-only: each benchmark
// library compiles its own copy, as shipped app libraries do.

#include <caf/all.hpp>
#include <relc/runtime/application.hpp>
#include <relc/runtime/supervisor.hpp>

namespace relc::bench {
namespace {

caf::behavior bench_worker(caf::event_based_actor*) {
  return {[](caf::get_atom) { return 1; }};
}

// Blocks until the tree started (call it from an app's start).
caf::expected<caf::actor> start_bench_tree(relc::app_context& ctx) {
  std::vector<relc::child_spec> children;
  for (auto id : {"w1", "w2"}) {
    relc::child_spec spec;
    spec.id = id;
    spec.start = [](caf::actor_system& sys, const relc::term&)
      -> caf::expected<caf::actor> { return sys.spawn(bench_worker); };
    children.push_back(spec);
  }
  relc::supervisor_flags flags;
  flags.name = ctx.app_name() + "_sup";
  return relc::start_supervisor(ctx.system(), flags, children);
}

} // namespace
} // namespace relc::bench
