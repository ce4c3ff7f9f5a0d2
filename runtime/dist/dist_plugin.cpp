// The dist plugin (librelc_dist): CAF's middleman, TLS through CAF's
// openssl manager, and the net kernel, behind dist_service.

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/manager.hpp>

#include "dist_protocol.hpp"
#include "dist_service.hpp"
#include "net_kernel.hpp"
#include "relc/runtime/log.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "tls_files.hpp"

namespace relc {

namespace {

class plugin_service : public dist_service {
public:
  explicit plugin_service(dist_settings s) : settings_(std::move(s)) {}

  caf::error check() override {
    if (settings_.insecure)
      return {};
    return check_tls_files(settings_.cert, settings_.key, settings_.ca);
  }

  void configure(caf::actor_system_config& cfg) override {
    cfg.load<caf::io::middleman>();
    // CAF sends no heartbeats by default, so a peer that stops answering
    // without closing its connection (SIGSTOP, a cable pulled) would stay
    // up for ever. Defaults: a beat every second, down after 5 s of
    // silence; node.args or the command line set CAF's own options.
    using namespace std::chrono_literals;
    if (!caf::get_if<caf::timespan>(&cfg, "middleman.heartbeat-interval"))
      cfg.set("middleman.heartbeat-interval", caf::timespan{1s});
    if (!caf::get_if<caf::timespan>(&cfg, "middleman.connection-timeout"))
      cfg.set("middleman.connection-timeout", caf::timespan{5s});
    if (settings_.insecure)
      return;
    cfg.load<caf::openssl::manager>();
    cfg.openssl_certificate = settings_.cert;
    cfg.openssl_key = settings_.key;
    cfg.openssl_cafile = settings_.ca;
  }

  caf::expected<caf::actor> start_blocking(caf::actor_system& sys) override {
    auto mm = settings_.insecure ? sys.middleman().actor_handle()
                                 : sys.openssl_manager().actor_handle();
    auto kernel = spawn_net_kernel(sys, settings_, mm);
    caf::expected<caf::actor> result = kernel;
    caf::scoped_actor self{sys, true};
    self
      ->request(mm, std::chrono::seconds(10), caf::publish_atom::value,
                settings_.listen_port,
                caf::actor_cast<caf::strong_actor_ptr>(kernel),
                std::set<std::string>{}, settings_.listen_host, true)
      .receive(
        [&](uint16_t port) {
          settings_.listen_port = port;
          relc::log(log_level::info, "dist",
                    "node " + settings_.name + " listens on "
                      + settings_.listen_host + ":" + std::to_string(port)
                      + (settings_.insecure ? " (plain TCP, loopback)"
                                            : " (TLS)"));
          self->send(kernel, dist_atoms::listening::value, port);
        },
        [&](caf::error& err) {
          self->send_exit(kernel, caf::exit_reason::user_shutdown);
          result = make_error(runtime_errc::distribution,
                              "--dist-listen " + settings_.listen_host + ":"
                                + std::to_string(settings_.listen_port)
                                + ": cannot listen ("
                                + (err == caf::sec::cannot_open_port
                                     ? std::string{"the port is in use, or "
                                                   "the address is not this "
                                                   "machine's"}
                                     : sys.render(err))
                                + ")");
        });
    return result;
  }

private:
  dist_settings settings_;
};

} // namespace

} // namespace relc

extern "C" __attribute__((visibility("default"))) relc::dist_service*
relc_dist_make(const relc::dist_settings* settings) {
  return new relc::plugin_service(*settings);
}
