// The work-matched benchmark app (bench_app.cpp's shape plus the work an
// OTP user's app does, like the Erlang anchor's apps): start registers
// three names, and each of the three start phases makes one call to the
// app's first worker. Its own library: the blocking calls instantiate CAF
// templates that make it 2.5x the size of the empty app, and with 500
// copies mapped that size is most of the node's RSS.
#include <chrono>

#include <caf/all.hpp>
#include <relc/runtime/application.hpp>
#include <relc/runtime/registry.hpp>
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
    auto sup = relc::start_supervisor(ctx.system(), flags, children);
    if (!sup)
      return sup;
    caf::scoped_actor self{ctx.system()};
    self->request(*sup, std::chrono::seconds(5),
                  relc::sup_atoms::which_children::value)
      .receive(
        [&](const std::vector<relc::child_info>& xs) {
          if (!xs.empty())
            worker_ = xs.front().handle;
        },
        [](caf::error&) {});
    for (auto suffix : {"_a", "_b", "_c"})
      if (auto err = relc::register_name(ctx.system(), ctx.registry(),
                                         ctx.app_name() + suffix, worker_))
        return err;
    return sup;
  }

  caf::error start_phase(relc::app_context& ctx, const std::string&,
                         const relc::term&) override {
    caf::error result;
    caf::scoped_actor self{ctx.system()};
    self->request(worker_, std::chrono::seconds(5), caf::get_atom::value)
      .receive([](int) {}, [&](caf::error& err) { result = err; });
    return result;
  }

private:
  caf::actor worker_;
};

} // namespace

RELC_APPLICATION(bench_app, bench_app)
