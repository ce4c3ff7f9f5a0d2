// The one library every synthetic benchmark app shares: an application
// whose top supervisor has two workers, with three start phases.
#include "bench_tree.hpp"

namespace {

class bench_app : public relc::application {
public:
  caf::expected<caf::actor> start(relc::app_context& ctx,
                                  const relc::term&) override {
    return relc::bench::start_bench_tree(ctx);
  }

  caf::error start_phase(relc::app_context&, const std::string&,
                         const relc::term&) override {
    return {};
  }
};

} // namespace

RELC_APPLICATION(bench_app, bench_app)
