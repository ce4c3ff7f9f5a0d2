// ticker: a supervisor with one worker, and the worker as a module.
#include <caf/all.hpp>
#include <relc/runtime/application.hpp>
#include <relc/runtime/log.hpp>
#include <relc/runtime/supervisor.hpp>

namespace {

caf::behavior ticker(caf::event_based_actor*) {
  relc::log(relc::log_level::info, "ticker", "ticking");
  return {[](caf::get_atom) { return std::string{"tick"}; }};
}

caf::actor make_ticker(relc::app_context& ctx, const relc::term&) {
  return ctx.system().spawn(ticker);
}

class ticker_app : public relc::application {
public:
  caf::expected<caf::actor> start(relc::app_context& ctx,
                                  const relc::term&) override {
    relc::child_spec child;
    child.id = "ticker";
    child.start = [](caf::actor_system& sys, const relc::term&)
      -> caf::expected<caf::actor> { return sys.spawn(ticker); };
    relc::supervisor_flags flags;
    flags.name = "ticker_sup";
    return relc::start_supervisor(ctx.system(), flags, {child});
  }
};

} // namespace

RELC_APPLICATION(ticker_app, ticker_app)
RELC_MODULE(ticker, make_ticker)
