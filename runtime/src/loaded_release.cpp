#include "loaded_release.hpp"

#include "app_library.hpp"
#include "blocking_call.hpp"
#include "registry_calls.hpp"

#include <caf/all.hpp>

#include "relc/runtime/export_names.hpp"
#include "relc/runtime/log.hpp"
#include "relc/runtime/runtime_error.hpp"

namespace relc {

// -- env_cell ---------------------------------------------------------------

term env_cell::get(const std::string& key) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto* x = value_.find(key);
  return x ? *x : term{};
}

void env_cell::set(const std::string& key, term value) {
  std::lock_guard<std::mutex> guard{mtx_};
  value_.set(key, std::move(value));
}

term env_cell::all() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return value_;
}

void env_cell::reset(term value) {
  std::lock_guard<std::mutex> guard{mtx_};
  value_ = std::move(value);
}

// -- adopted_actors ---------------------------------------------------------

void adopted_actors::add(const caf::actor& actor) {
  if (!actor)
    return;
  auto id = actor.id();
  {
    std::lock_guard<std::mutex> guard{mtx_};
    actors_.emplace(id, actor.address());
  }
  // The functor may outlive the app's record: it holds the set.
  actor->attach_functor([self = shared_from_this(), id] { self->drop(id); });
}

void adopted_actors::drop(caf::actor_id id) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    actors_.erase(id);
  }
  gone_.notify_all();
}

void adopted_actors::kill_all() {
  std::vector<caf::actor> alive;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    for (auto& [id, addr] : actors_)
      if (auto h = caf::actor_cast<caf::actor>(addr))
        alive.push_back(std::move(h));
  }
  for (auto& h : alive)
    caf::anon_send_exit(h, caf::exit_reason::kill);
}

void adopted_actors::kill_all_and_wait(
  std::chrono::steady_clock::time_point deadline) {
  kill_all();
  std::unique_lock<std::mutex> guard{mtx_};
  gone_.wait_until(guard, deadline, [&] { return actors_.empty(); });
}

std::vector<caf::actor_addr> adopted_actors::snapshot() {
  std::lock_guard<std::mutex> guard{mtx_};
  std::vector<caf::actor_addr> result;
  for (auto& [id, addr] : actors_)
    result.push_back(addr);
  return result;
}

// -- app_ctx ----------------------------------------------------------------

caf::actor_system& app_ctx::system() {
  return *owner_.sys;
}

const std::string& app_ctx::app_name() const {
  return app_.plan.name;
}

term app_ctx::get_env(const std::string& key) const {
  return app_.env.get(key);
}

void app_ctx::set_env(const std::string& key, term value) {
  app_.env.set(key, std::move(value));
}

start_reason app_ctx::start_type() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return start_type_;
}

void app_ctx::set_start_type(start_reason why) {
  std::lock_guard<std::mutex> guard{mtx_};
  start_type_ = std::move(why);
}

std::vector<std::pair<std::string, term>>
app_ctx::find_env_vars(const std::string& key) const {
  std::vector<std::pair<std::string, term>> result;
  std::lock_guard<std::mutex> guard{owner_.membership_mtx};
  for (auto& a : owner_.apps)
    if (a->plan.type != app_start_type::none) {
      auto x = a->env.get(key);
      if (x.type() != term::kind::null)
        result.emplace_back(a->plan.name, std::move(x));
    }
  return result;
}

// Runs on the including app's master, inside its start: the included app's
// start is part of the includer's (OTP's application_starter).
caf::expected<caf::actor> app_ctx::start_included(const std::string& name) {
  app_record* child = nullptr;
  {
    std::lock_guard<std::mutex> guard{owner_.membership_mtx};
    child = owner_.find(name);
  }
  if (!child || child->plan.included_by != app_.plan.name)
    return make_error(runtime_errc::not_found,
                      "'" + name + "' is not included by '" + app_.plan.name
                        + "'");
  caf::actor top;
  if (child->callback) {
    auto r = child->callback->start(*child->ctx, child->plan.mod_args);
    if (!r)
      return r.error();
    top = *r;
  }
  std::lock_guard<std::mutex> guard{mtx_};
  included_.emplace_back(name, top);
  return top;
}

std::vector<std::pair<std::string, caf::actor>> app_ctx::take_included() {
  std::lock_guard<std::mutex> guard{mtx_};
  auto result = std::move(included_);
  included_.clear();
  return result;
}

caf::expected<caf::actor> app_ctx::spawn_module(const std::string& module,
                                               const term& args) {
  auto symbol = std::string{export_names::module_prefix} + module;
  auto factory = reinterpret_cast<module_factory>(
    find_symbol(app_.module_library.load(), symbol));
  if (!factory)
    return make_error(runtime_errc::not_found,
                      app_.plan.name + ": the library exports no " + symbol);
  try {
    return factory(*this, args);
  } catch (const std::exception& ex) {
    return make_error(runtime_errc::start_failed,
                      app_.plan.name + ": " + module + ": " + ex.what());
  }
}

registry_actor app_ctx::registry() {
  return owner_.registry;
}

// Runs `f` with the app's reusable caller, or with a fresh one while that
// one is in use (an abandoned callback of this app may still hold it).
template <class F>
auto app_ctx::with_caller(F f) {
  std::unique_lock<std::mutex> guard{caller_mtx_, std::try_to_lock};
  if (!guard.owns_lock()) {
    caf::scoped_actor fresh{system(), true};
    return f(*fresh);
  }
  if (!caller_)
    caller_ = std::make_unique<caf::scoped_actor>(system(), true);
  return f(**caller_);
}

// A call that was refused or ran out of time says which app waited.
caf::error app_ctx::from_app(caf::error err) const {
  if (!err || err.category() != caf::atom("relc_rt"))
    return err;
  auto code = static_cast<runtime_errc>(err.code());
  if (code != runtime_errc::call_timeout && code != runtime_errc::would_block)
    return err;
  return make_error(code, "app " + app_.plan.name + ": " + describe_error(err));
}

template <class T>
caf::expected<T> app_ctx::from_app(caf::expected<T> x) const {
  if (!x)
    return from_app(x.error());
  return x;
}

caf::expected<caf::message> app_ctx::call_message(
  const caf::actor& whom, caf::message msg, std::chrono::milliseconds timeout) {
  return from_app(with_caller([&](caf::blocking_actor& self) {
    return blocking_call(self, whom, std::move(msg), timeout);
  }));
}

caf::error app_ctx::register_name(const std::string& name,
                                  const caf::actor& who) {
  return from_app(with_caller([&](caf::blocking_actor& self) {
    return register_name_from(self, registry(), name, who);
  }));
}

caf::expected<caf::actor> app_ctx::whereis(const std::string& name) {
  return from_app(with_caller([&](caf::blocking_actor& self) {
    return whereis_from(self, registry(), name);
  }));
}

caf::expected<std::vector<caf::actor>>
app_ctx::await_names(const std::vector<std::string>& names,
                     std::chrono::milliseconds timeout) {
  return from_app(with_caller([&](caf::blocking_actor& self) {
    return await_names_from(self, registry(), names, timeout);
  }));
}

void app_ctx::adopt(const caf::actor& actor) {
  app_.adopted->add(actor);
}

// -- loaded_release ---------------------------------------------------------

app_record* loaded_release::find(const std::string& name) {
  if (by_name_.empty()) // before index(): while loading
    for (auto& a : apps)
      if (a->plan.name == name)
        return a.get();
  auto i = by_name_.find(name);
  return i != by_name_.end() ? i->second : nullptr;
}

const app_record* loaded_release::find(const std::string& name) const {
  return const_cast<loaded_release*>(this)->find(name);
}

void loaded_release::index() {
  for (auto& a : apps)
    by_name_.emplace(a->plan.name, a.get());
}

} // namespace relc
