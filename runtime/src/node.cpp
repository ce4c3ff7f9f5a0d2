// The host's handle on a node: loads the release, spawns the application
// controller and turns the host's calls into requests to it.
#include "relc/runtime/node.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>

#include <caf/all.hpp>

#include "application_controller.hpp"
#include "blocking_call.hpp"
#include "relc/runtime/application.hpp"
#include "controller_protocol.hpp"
#include "init_debug.hpp"
#include "release_loader.hpp"
#include "relc/runtime/runtime_error.hpp"

namespace relc {

const char* to_string(node_state x) {
  switch (x) {
    case node_state::starting: return "starting";
    case node_state::started: return "started";
    case node_state::stopping: return "stopping";
    case node_state::stopped: return "stopped";
  }
  return "?";
}

std::string to_string(const timeline_entry& x) {
  char at[32];
  snprintf(at, sizeof at, "+%.3f ms ", static_cast<double>(x.at.count()) / 1000.0);
  return at + x.step;
}

struct node::impl {
  node_options options;
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point load_began;
  std::shared_ptr<loaded_release> release;
  std::vector<timeline_entry> load_steps;
  std::vector<caf::actor> early_subscribers;
  std::shared_ptr<node_outcome> outcome = std::make_shared<node_outcome>();
  caf::actor_system* sys = nullptr;
  // Guards only the controller's handle: set by boot() on the host's
  // thread, read by a signal thread's request_stop().
  mutable std::mutex handle_mtx;
  caf::actor ctl;
  std::atomic<bool> stop_before_boot{false};
  std::atomic<bool> stop_asked{false};

  explicit impl(node_options o) : options(std::move(o)) {}

  caf::actor controller() const {
    std::lock_guard<std::mutex> guard{handle_mtx};
    return ctl;
  }

  void step(const std::string& text) {
    auto at = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - t0);
    load_steps.push_back({at, text});
    print_init_debug(options, load_steps.back());
  }

  // One request to the controller from a host thread; blocks. Through
  // blocking_call: no CAF request timeout, so no wake-up of CAF's clock.
  template <class Result, class... Ts>
  caf::expected<Result> ask(std::chrono::milliseconds timeout,
                            Ts&&... xs) const {
    auto c = controller();
    if (!c || !sys)
      return make_error(runtime_errc::not_found, "the node is not booted");
    caf::scoped_actor self{*sys, true};
    return reply_as<Result>(blocking_call(
      *self, c, caf::make_message(std::forward<Ts>(xs)...), timeout));
  }
};

namespace {

const std::chrono::milliseconds query_timeout{std::chrono::seconds(10)};

// What blocking_call takes for "no deadline" (a year or more).
const std::chrono::milliseconds no_deadline{std::chrono::hours(24 * 366)};

caf::error to_error(const caf::expected<caf::ok_atom>& x) {
  return x ? caf::error{} : x.error();
}

} // namespace

node::node(node_options options)
  : impl_(std::make_unique<impl>(std::move(options))) {
}

node::~node() {
  stop();
  if (auto c = impl_->controller())
    caf::anon_send_exit(c, caf::exit_reason::kill);
}

caf::error node::load() {
  if (impl_->release)
    return {};
  impl_->load_began = std::chrono::steady_clock::now();
  auto loaded = load_release(impl_->options, [this](const std::string& s) {
    impl_->step(s);
  });
  if (!loaded)
    return loaded.error();
  impl_->release = std::move(*loaded);
  return {};
}

caf::error node::boot(caf::actor_system& sys) {
  if (auto err = load())
    return err;
  if (impl_->controller())
    return make_error(runtime_errc::running, "the node is already booted");
  impl_->sys = &sys;
  controller_config cfg;
  cfg.options = impl_->options;
  cfg.release = impl_->release;
  cfg.outcome = impl_->outcome;
  cfg.t0 = impl_->t0;
  cfg.load_began = impl_->load_began;
  cfg.load_steps = impl_->load_steps;
  cfg.subscribers = impl_->early_subscribers;
  auto c = spawn_application_controller(sys, std::move(cfg));
  {
    std::lock_guard<std::mutex> guard{impl_->handle_mtx};
    impl_->ctl = c;
  }
  if (impl_->stop_before_boot)
    caf::anon_send(c, ctl_atoms::stop::value);
  return to_error(impl_->ask<caf::ok_atom>(no_deadline, ctl_atoms::boot::value));
}

void node::set_boot_counter_file(std::string path) {
  impl_->options.boot_counter_file = std::move(path);
}

void node::subscribe(const caf::actor& who) {
  if (auto c = impl_->controller())
    caf::anon_send(c, ctl_atoms::subscribe::value, who);
  else
    impl_->early_subscribers.push_back(who);
}

void node::request_stop() {
  impl_->stop_asked = true;
  if (auto c = impl_->controller())
    caf::anon_send(c, ctl_atoms::stop::value);
  else
    impl_->stop_before_boot = true;
}

bool node::stop_requested() const {
  return impl_->stop_before_boot || impl_->stop_asked;
}

void node::request_restart() {
  if (auto c = impl_->controller())
    caf::anon_send(c, ctl_atoms::restart::value);
}

std::string node::wait() {
  return impl_->outcome->wait();
}

int node::abandoned_callbacks() const {
  return impl_->outcome->abandoned();
}

void node::stop() {
  if (!impl_->controller())
    return;
  // The controller bounds the stop by shutdown_time; the margin only
  // covers a controller that no longer answers at all.
  auto bound = impl_->options.shutdown_time + std::chrono::seconds(10);
  (void) impl_->ask<caf::ok_atom>(
    std::chrono::duration_cast<std::chrono::milliseconds>(bound),
    ctl_atoms::stop::value);
}

caf::actor node::controller() const {
  return impl_->controller();
}

node_status node::status() const {
  auto st = impl_->ask<node_status>(query_timeout, ctl_atoms::status::value);
  return st ? *st : node_status{};
}

std::vector<timeline_entry> node::timeline() const {
  auto t = impl_->ask<std::vector<timeline_entry>>(query_timeout,
                                                   ctl_atoms::timeline::value);
  return t ? *t : impl_->load_steps;
}

std::vector<running_app> node::which_applications() const {
  auto apps = impl_->ask<std::vector<running_app>>(query_timeout,
                                                   ctl_atoms::apps::value);
  return apps ? *apps : std::vector<running_app>{};
}

caf::actor node::application_top(const std::string& app) const {
  auto top = impl_->ask<caf::actor>(query_timeout, ctl_atoms::top::value, app);
  return top ? *top : caf::actor{};
}

caf::error node::stop_application(const std::string& app) {
  return to_error(
    impl_->ask<caf::ok_atom>(no_deadline, ctl_atoms::stop_app::value, app));
}

caf::error node::start_application(const std::string& app) {
  return to_error(
    impl_->ask<caf::ok_atom>(no_deadline, ctl_atoms::start_app::value, app));
}

term node::get_env(const std::string& app, const std::string& key) const {
  auto v = impl_->ask<term>(query_timeout, ctl_atoms::env_get::value, app, key);
  return v ? *v : term{};
}

term node::loaded_env(const std::string& app, const std::string& key) const {
  if (!impl_->release)
    return {};
  auto* rec = impl_->release->find(app);
  return rec ? rec->env.get(key) : term{};
}

caf::error node::set_env(const std::string& app, const std::string& key,
                         term value) {
  return to_error(impl_->ask<caf::ok_atom>(
    query_timeout, ctl_atoms::env_set::value, app, key, std::move(value)));
}

registry_actor node::registry() const {
  auto r = impl_->ask<registry_actor>(query_timeout, ctl_atoms::registry::value);
  return r ? *r : registry_actor{};
}

std::string node::release_name() const {
  return impl_->release ? impl_->release->plan.name : std::string{};
}

std::string node::release_version() const {
  return impl_->release ? impl_->release->plan.vsn : std::string{};
}

} // namespace relc
