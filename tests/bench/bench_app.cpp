// The one library every synthetic benchmark app shares: an application
// whose top supervisor has two workers, with three start phases.
#include <caf/all.hpp>
#include <relc/runtime/application.hpp>
#include <relc/runtime/supervisor.hpp>

namespace {

caf::behavior worker(caf::event_based_actor*) {
  return {[](caf::get_atom) { return 1; }};
}

class bench_app : public relc::application {
public:
  caf::expected<caf::actor> start(relc::app_context& ctx,
                                  const relc::term&) override {
    std::vector<relc::child_spec> children;
    for (auto id : {"w1", "w2"}) {
      relc::child_spec spec;
      spec.id = id;
      spec.start = [](caf::actor_system& sys, const relc::term&)
        -> caf::expected<caf::actor> { return sys.spawn(worker); };
      children.push_back(spec);
    }
    relc::supervisor_flags flags;
    flags.name = ctx.app_name() + "_sup";
    return relc::start_supervisor(ctx.system(), flags, children);
  }

  caf::error start_phase(relc::app_context&, const std::string&,
                         const relc::term&) override {
    return {};
  }
};

} // namespace

RELC_APPLICATION(bench_app, bench_app)
