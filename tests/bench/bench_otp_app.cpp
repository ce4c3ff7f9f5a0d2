// The OTP-shaped benchmark app: what users write. Each child start
// function spawns its worker and registers it by name with the documented
// blocking helper (relc::register_name: OTP's gen_server:start_link({local,
// Name}, ...)), and each of the three start phases makes one blocking call
// to the first worker, found by name. Not the work-matched shape, whose
// names are registered from `start`: that one never meets a child start
// function that blocks.
#include <chrono>

#include <caf/all.hpp>
#include <relc/runtime/application.hpp>
#include <relc/runtime/registry.hpp>
#include <relc/runtime/supervisor.hpp>

namespace {

caf::behavior otp_worker(caf::event_based_actor*) {
  return {[](caf::get_atom) { return 1; }};
}

class bench_otp_app : public relc::application {
public:
  caf::expected<caf::actor> start(relc::app_context& ctx,
                                  const relc::term&) override {
    auto registry = ctx.registry();
    std::vector<relc::child_spec> children;
    for (auto id : {"w1", "w2"}) {
      relc::child_spec spec;
      spec.id = id;
      auto name = ctx.app_name() + "_" + id;
      spec.start = [registry, name](caf::actor_system& sys, const relc::term&)
        -> caf::expected<caf::actor> {
        auto w = sys.spawn(otp_worker);
        if (auto err = relc::register_name(sys, registry, name, w))
          return err;
        return w;
      };
      children.push_back(spec);
    }
    relc::supervisor_flags flags;
    flags.name = ctx.app_name() + "_sup";
    auto sup = relc::start_supervisor(ctx.system(), flags, children);
    if (!sup)
      return sup;
    auto w1 = ctx.whereis(ctx.app_name() + "_w1");
    if (!w1)
      return w1.error();
    worker_ = *w1;
    return sup;
  }

  caf::error start_phase(relc::app_context& ctx, const std::string&,
                         const relc::term&) override {
    auto reply = ctx.call<int>(worker_, std::chrono::seconds(5),
                               caf::get_atom::value);
    return reply ? caf::error{} : reply.error();
  }

private:
  caf::actor worker_;
};

} // namespace

RELC_APPLICATION(bench_app, bench_otp_app)
