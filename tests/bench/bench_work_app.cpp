// The work-matched benchmark app (bench_app.cpp's shape plus the work an
// OTP user's app does, like the Erlang anchor's apps): start registers
// three names, and each of the three start phases makes one call to the
// app's first worker, all through the app context (one reusable caller,
// no actor per call).
#include <chrono>

#include "bench_tree.hpp"

namespace {

class bench_work_app : public relc::application {
public:
  caf::expected<caf::actor> start(relc::app_context& ctx,
                                  const relc::term&) override {
    auto sup = relc::bench::start_bench_tree(ctx);
    if (!sup)
      return sup;
    auto kids = ctx.call(relc::as_supervisor(*sup), std::chrono::seconds(5),
                         relc::sup_atoms::which_children::value);
    if (!kids)
      return kids.error();
    worker_ = kids->front().handle;
    for (auto suffix : {"_a", "_b", "_c"})
      if (auto err = ctx.register_name(ctx.app_name() + suffix, worker_))
        return err;
    return sup;
  }

  caf::error start_phase(relc::app_context& ctx, const std::string&,
                         const relc::term&) override {
    auto reply = ctx.call<int>(worker_, std::chrono::seconds(5), caf::get_atom::value);
    return reply ? caf::error{} : reply.error();
  }

private:
  caf::actor worker_;
};

} // namespace

RELC_APPLICATION(bench_app, bench_work_app)
