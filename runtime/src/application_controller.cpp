#include "application_controller.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <deque>
#include <map>
#include <set>

#include <caf/all.hpp>

#include "app_jobs.hpp"
#include "app_master.hpp"
#include "boot_policy.hpp"
#include "controller_protocol.hpp"
#include "init_debug.hpp"
#include "library_reaper.hpp"
#include "relc/runtime/log.hpp"
#include "relc/runtime/registry.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "release_loader.hpp"
#include "release_upgrade.hpp"
#include "start_queue.hpp"

namespace relc {

// -- node_outcome -------------------------------------------------------------

void node_outcome::end(std::string reason, int abandoned) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (ended_)
      return;
    ended_ = true;
    reason_ = std::move(reason);
    abandoned_ = abandoned;
  }
  cv_.notify_all();
}

std::string node_outcome::wait() {
  std::unique_lock<std::mutex> guard{mtx_};
  cv_.wait(guard, [this] { return ended_; });
  return reason_;
}

bool node_outcome::ended() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return ended_;
}

int node_outcome::abandoned() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return abandoned_;
}

namespace {

using clock_type = std::chrono::steady_clock;
using job_fn = std::function<void(std::function<void()>)>;

enum class run_state { loaded, starting, running, stopping, stopped };

// The controller's view of one app.
struct app_entry {
  run_state state = run_state::loaded;
  caf::actor top;
  // Counts starts and abandonments: a continuation that carries an older
  // value belongs to a start or stop given up on, and does nothing.
  uint64_t attempt = 0;
  // Set when the top exits while its start phases still run.
  std::optional<caf::error> exit_during_start;
};

// Steps masters take, written on their threads; the controller merges
// them into its timeline.
class step_board {
public:
  void add(timeline_entry e) {
    std::lock_guard<std::mutex> guard{mtx_};
    pending_.push_back(std::move(e));
  }
  std::vector<timeline_entry> take() {
    std::lock_guard<std::mutex> guard{mtx_};
    auto result = std::move(pending_);
    pending_.clear();
    return result;
  }

private:
  std::mutex mtx_;
  std::vector<timeline_entry> pending_;
};

// Answers a lifecycle request: its error, or ok.
void answer(caf::typed_response_promise<caf::ok_atom>& rp,
            const caf::error& err) {
  if (err)
    rp.deliver(err);
  else
    rp.deliver(caf::ok_atom::value);
}

std::string ms_since(clock_type::time_point t) {
  char text[32];
  snprintf(text, sizeof text, "%.1f ms",
           std::chrono::duration<double, std::milli>(clock_type::now() - t)
             .count());
  return text;
}

class application_controller;

struct ctl_state {
  std::unique_ptr<application_controller> ctl;
  static inline const char* name = "relc_application_controller";
};

using ctl_ptr = caf::stateful_actor<ctl_state>*;

class application_controller : public controller_ops {
public:
  application_controller(ctl_ptr self, controller_config cfg)
    : self_(self), cfg_(std::move(cfg)), rel_(cfg_.release) {
    timeline_ = cfg_.load_steps;
    subscribers_ = cfg_.subscribers;
    for (auto& s : subscribers_)
      self_->monitor(s);
    install(rel_);
  }

  // -- controller_ops -------------------------------------------------------

  loaded_release& release() override { return *rel_; }

  bool is_running(const std::string& app) override {
    return entries_[app].state == run_state::running;
  }

  bool stopping() override { return stopping_; }

  void enqueue(job_fn fn) override {
    jobs_.push_back(std::move(fn));
    run_next_job();
  }

  void run_job(master_job job, std::chrono::milliseconds timeout,
               std::function<void(job_result, bool)> done) override {
    auto m = acquire_master();
    auto wait = timeout.count() > 0 ? caf::duration{timeout} : caf::infinite;
    self_->request(m, wait, master_atoms::run::value, std::move(job))
      .then(
        [this, m, done](job_result& r) {
          idle_masters_.push_back(m);
          done(std::move(r), false);
        },
        [this, m, done](caf::error& err) {
          if (err == caf::sec::request_timeout) {
            // Stuck in app code: left behind, never used again.
            ++abandoned_;
            done(job_result{}, true);
            return;
          }
          job_result r;
          r.error = err;
          done(std::move(r), false);
        });
  }

  // A batch of one: the master checks the dependencies and reports the
  // steps, as for the boot.
  void start_app(const std::string& name, done_fn done) override {
    if (!rel_->find(name)) {
      done(make_error(runtime_errc::not_found, "no application " + name));
      return;
    }
    if (is_running(name)) {
      done({});
      return;
    }
    auto outcome = std::make_shared<caf::error>();
    start_apps(
      {name}, {true}, 1,
      [outcome](const std::string&, caf::error err) { *outcome = err; },
      [outcome, done] { done(*outcome); });
  }

  void start_apps(std::vector<std::string> apps, std::vector<bool> ends_boot,
                  size_t workers,
                  std::function<void(const std::string&, caf::error)> on_each,
                  std::function<void()> done) override {
    auto b = std::make_shared<start_batch>();
    b->id = ++batch_serial_;
    b->names = apps;
    b->on_each = std::move(on_each);
    b->done = std::move(done);
    // The batch's dependencies that already run (only those: copying every
    // running app made a boot of one batch per app quadratic); the masters
    // learn the rest from the queue.
    auto up = std::make_shared<std::set<std::string>>();
    std::map<std::string, size_t> position;
    for (size_t i = 0; i < apps.size(); ++i)
      position[apps[i]] = i;
    std::vector<std::vector<size_t>> deps(apps.size());
    std::vector<app_record*> recs;
    std::vector<std::vector<phase_step>> phases;
    for (size_t i = 0; i < apps.size(); ++i) {
      auto& name = apps[i];
      auto& e = entries_[name];
      e.state = run_state::starting;
      e.exit_during_start.reset();
      b->attempts.push_back(++e.attempt);
      recs.push_back(rel_->find(name));
      phases.push_back(phase_plan(*rel_, *recs.back()));
      for (auto* list : {&recs.back()->plan.applications,
                         &recs.back()->plan.optional_applications})
        for (auto& dep : *list)
          if (auto j = position.find(dep); j != position.end())
            deps[i].push_back(j->second);
          else if (auto k = entries_.find(dep);
                   k != entries_.end() && k->second.state == run_state::running)
            up->insert(dep);
    }
    auto queue = std::make_shared<start_queue>(std::move(deps), ends_boot);
    b->queue = queue;
    // One master to begin with; more are hired while every master is held
    // up in app code and apps are ready (on_batch_tick). Masters that only
    // wait microseconds for actors gain nothing from company: each one
    // more sleeps and pays a wake-up per round trip (docs/runtime.md).
    b->max_jobs = std::max<size_t>(1, std::min(workers, apps.size()));
    b->jobs = 1;
    batches_[b->id] = b;
    auto ctl = caf::actor{self_};
    auto id = b->id;
    auto progress = board_progress();
    auto shared_position = std::make_shared<const std::map<std::string, size_t>>(
      std::move(position));
    // Shared by the batch's masters, not copied per master.
    auto plan = std::make_shared<const std::pair<
      std::vector<app_record*>, std::vector<std::vector<phase_step>>>>(
      std::move(recs), std::move(phases));
    // With several masters, an app's dependents become ready only once the
    // controller has recorded its start (on_batch_started): outcomes of
    // different masters may reach it in any order, and a dependent's must
    // never come first. One master's outcomes arrive in order, so it marks
    // them done itself and goes on without waiting (OTP's order exactly),
    // until a second master is hired.
    auto self_finish = b->self_finish;
    master_job job = [plan, up, queue, shared_position, ctl, id, progress,
                      self_finish]() {
      auto& [recs, phases] = *plan;
      int tried = 0;
      while (auto i = queue->take()) {
        auto& rec = *recs[*i];
        auto& name = rec.plan.name;
        std::string missing;
        for (auto* deps : {&rec.plan.applications,
                           &rec.plan.optional_applications})
          for (auto& dep : *deps) {
            if (!missing.empty() || dep == "kernel" || up->count(dep) > 0)
              continue;
            auto j = shared_position->find(dep);
            if (j == shared_position->end() || !queue->started(j->second))
              missing = dep;
          }
        job_result one;
        if (!missing.empty()) {
          one.error = boot_failure(name, "start",
                                   "dependency '" + missing
                                     + "' is not started");
        } else {
          progress("start " + name);
          one = make_start_job(rec, phases[*i], progress)();
        }
        // The outcome is on its way before a dependent can be taken, so
        // it reaches the controller first even once others are hired.
        bool ok = !one.error && one.value != 1;
        caf::anon_send(ctl, ctl_atoms::batch_started::value, id,
                       static_cast<uint64_t>(*i), std::move(one));
        if (self_finish->load())
          queue->finish(*i, ok);
        ++tried;
      }
      job_result r;
      r.value = tried;
      return r;
    };
    b->job = job;
    hire_master(b);
    if (b->max_jobs > 1)
      self_->delayed_send(self_, hire_interval, ctl_atoms::batch_tick::value,
                          b->id);
  }

  void stop_app(const std::string& name, std::function<void()> done) override {
    stop_one(name, clock_type::now() + cfg_.options.shutdown_time, true,
             std::move(done));
  }

  caf::actor top_of(const std::string& name) override {
    auto i = entries_.find(name);
    return i != entries_.end() && i->second.state == run_state::running
             ? i->second.top
             : caf::actor{};
  }

  void restart_into(const std::string& vsn, done_fn done) override {
    restart_vsn_ = vsn;
    restarting_ = true;
    after_restart_ = std::move(done);
    begin_stop();
  }

  const node_options& options() const override { return cfg_.options; }

  void retire_library(retired_library lib) override {
    auto what = lib.what();
    reaper_.add(std::move(lib));
    log(log_level::info, "release_handler",
        what + " unloads once no actor it spawned is referenced");
    reap(0);
  }

  // Unloads every retired library none of whose actors exists any more,
  // on a master (dlclose runs the library's static destructors); asks
  // again after 50 ms, doubling, for about a minute, then says which stay.
  void reap(int attempt) {
    for (auto& lib : reaper_.take_free()) {
      auto shared = std::make_shared<retired_library>(std::move(lib));
      run_job(
        [shared] {
          job_result r;
          r.error = unload_library(*shared);
          return r;
        },
        cfg_.options.shutdown_time,
        [shared](job_result r, bool timed_out) {
          auto what = shared->what();
          if (timed_out)
            log(log_level::warning, "release_handler",
                what + ": its static destructors did not return within the "
                       "shutdown time");
          else if (r.error)
            log(log_level::warning, "release_handler",
                what + ": " + describe_error(r.error));
          else
            log(log_level::info, "release_handler", what + " unloaded");
        });
    }
    if (reaper_.empty())
      return;
    if (attempt >= max_reap_attempts) {
      for (auto& line : reaper_.pinned())
        log(log_level::warning, "release_handler", line);
      return;
    }
    self_->delayed_send(self_, std::chrono::milliseconds{50 << attempt},
                        ctl_atoms::reap::value, attempt + 1);
  }

  void end_node(const std::string& reason) override {
    if (fatal_.empty())
      fatal_ = reason;
    begin_stop();
  }

  void step(const std::string& text) override {
    drain_steps();
    auto at = since_t0();
    status_.last_step = text;
    if (timeline_.size() < max_timeline)
      timeline_.push_back({at, text});
    print_init_debug(cfg_.options, {at, text});
  }

  // How a master reports a step it begins: on the board (a message per
  // step cost more than the steps), and to --init-debug at once.
  std::function<void(const std::string&)> board_progress() {
    return [board = board_, t0 = cfg_.t0,
            options = cfg_.options](const std::string& text) {
      timeline_entry e{std::chrono::duration_cast<std::chrono::microseconds>(
                         clock_type::now() - t0),
                       text};
      print_init_debug(options, e);
      board->add(std::move(e));
    };
  }

  // Moves the steps masters took into the timeline, in time order.
  void drain_steps() {
    auto xs = board_->take();
    if (xs.empty())
      return;
    auto mid = timeline_.size();
    for (auto& x : xs)
      if (timeline_.size() < max_timeline)
        timeline_.push_back(std::move(x));
    if (mid > 0 && mid < timeline_.size()
        && timeline_[mid].at < timeline_[mid - 1].at)
      std::inplace_merge(timeline_.begin(),
                         timeline_.begin() + static_cast<long>(mid),
                         timeline_.end(),
                         [](const timeline_entry& a, const timeline_entry& b) {
                           return a.at < b.at;
                         });
    status_.last_step = timeline_.back().step;
  }

  // -- requests -------------------------------------------------------------

  caf::result<caf::ok_atom> on_boot() {
    auto rp = self_->make_response_promise<caf::ok_atom>();
    enqueue([this, rp](std::function<void()> job_done) mutable {
      run_boot([rp, job_done](caf::error err) mutable {
        answer(rp, err);
        job_done();
      });
    });
    return rp;
  }

  caf::result<caf::ok_atom> on_stop() {
    auto rp = self_->make_response_promise<caf::ok_atom>();
    if (stop_finished_ && !restarting_) {
      rp.deliver(caf::ok_atom::value);
      return rp;
    }
    // A stop asked for wins over a restart under way.
    restarting_ = false;
    stop_waiters_.push_back(rp);
    begin_stop();
    return rp;
  }

  caf::result<caf::ok_atom> on_restart() {
    auto rp = self_->make_response_promise<caf::ok_atom>();
    enqueue([this, rp](std::function<void()> job_done) mutable {
      if (stopping_ || status_.state != node_state::started) {
        rp.deliver(make_error(runtime_errc::wrong_strategy,
                              "the node is not started"));
        job_done();
        return;
      }
      restarting_ = true;
      after_restart_ = [rp, job_done](caf::error err) mutable {
        answer(rp, err);
        job_done();
      };
      begin_stop();
    });
    return rp;
  }

  // -- health gate (install --health) -----------------------------------------

  // While a newly installed release is on probation, a permanent app that
  // terminates fails the probation instead of ending the node: the health
  // gate rolls the node back to its permanent release.
  bool on_probation(const std::string& name, const caf::error& reason) {
    auto* rec = rel_->find(name);
    if (clock_type::now() >= probation_until_ || !rec
        || rec->plan.type != app_start_type::permanent)
      return false;
    if (probation_failure_.empty())
      probation_failure_ = "application " + name
                           + (reason ? " crashed: " + exit_reason_text(reason)
                                     : std::string{" exited"});
    log(log_level::error, "release_handler",
        "on probation: " + probation_failure_);
    return true;
  }

  caf::ok_atom on_probation_request(int64_t ms) {
    probation_until_ = clock_type::now() + std::chrono::milliseconds{ms};
    probation_failure_.clear();
    return caf::ok_atom::value;
  }

  // Why the release is not healthy (empty: it is), and the names it awaits.
  caf::message on_health() {
    auto failure = probation_failure_;
    if (failure.empty())
      for (auto& a : rel_->apps) {
        auto t = a->plan.type;
        bool should_run = (t == app_start_type::permanent
                           || t == app_start_type::transient)
                          && !a->plan.included_by;
        if (should_run && !is_running(a->plan.name)) {
          failure = "application " + a->plan.name + " is not running";
          break;
        }
      }
    return caf::make_message(failure, rel_->plan.health_await);
  }

  // A release upgrade (release_upgrade.hpp): one lifecycle job.
  // Answers (report, runtime): runtime non-empty when the host must exec
  // that runtime into the release (install_outcome::exec_runtime).
  // `listener` (may be null) gets (c_progress, line) per report line as
  // the install goes, before the answer.
  caf::result<std::string, std::string> on_install(const std::string& vsn,
                                                   caf::actor listener = {}) {
    auto rp = self_->make_response_promise<std::string, std::string>();
    enqueue([this, rp, vsn, listener](std::function<void()> job_done) mutable {
      if (stopping_ || status_.state != node_state::started) {
        rp.deliver(make_error(runtime_errc::wrong_strategy,
                              "the node is not started"));
        job_done();
        return;
      }
      install_listener_ = listener;
      install_release(*this, vsn,
                      [this, rp, job_done](install_outcome out) mutable {
                        install_listener_ = nullptr;
                        if (out.error)
                          rp.deliver(out.error);
                        else
                          rp.deliver(out.report, out.exec_runtime);
                        job_done();
                      });
    });
    return rp;
  }

  void install_progress(const std::string& line) override {
    if (install_listener_)
      caf::anon_send(install_listener_, ctl_atoms::progress::value, line);
  }

  caf::result<caf::ok_atom> on_start_app(const std::string& name,
                                         start_reason why = {}) {
    auto rp = self_->make_response_promise<caf::ok_atom>();
    enqueue([this, rp, name, why](std::function<void()> job_done) mutable {
      auto reply = [rp, job_done](caf::error err) mutable {
        answer(rp, err);
        job_done();
      };
      auto* rec = rel_->find(name);
      if (!rec)
        return reply(
          make_error(runtime_errc::not_found, "no application " + name));
      if (rec->plan.included_by)
        return reply(make_error(runtime_errc::wrong_strategy,
                                 name + " is included by "
                                   + *rec->plan.included_by
                                   + " and starts with its tree"));
      if (rec->plan.type == app_start_type::none
          || rec->plan.type == app_start_type::load)
        return reply(make_error(runtime_errc::wrong_strategy,
                                 name + " has type "
                                   + to_string(rec->plan.type)));
      if (is_running(name))
        return reply(
          make_error(runtime_errc::running, name + " is already running"));
      if (stopping_ || status_.state != node_state::started)
        return reply(make_error(runtime_errc::wrong_strategy,
                                 "the node is not started"));
      if (rec->ctx)
        rec->ctx->set_start_type(why);
      policy_->start_requested(*this, name, reply);
    });
    return rp;
  }

  caf::result<caf::ok_atom> on_stop_app(const std::string& name) {
    auto rp = self_->make_response_promise<caf::ok_atom>();
    enqueue([this, rp, name](std::function<void()> job_done) mutable {
      if (!rel_->find(name)) {
        rp.deliver(make_error(runtime_errc::not_found, "no application " + name));
        job_done();
        return;
      }
      if (stopping_) {
        rp.deliver(
          make_error(runtime_errc::wrong_strategy, "the node is stopping"));
        job_done();
        return;
      }
      stop_one(name, clock_type::now() + cfg_.options.shutdown_time, true,
               [rp, job_done]() mutable {
                 rp.deliver(caf::ok_atom::value);
                 job_done();
               });
    });
    return rp;
  }

  std::vector<running_app> on_apps() {
    std::vector<running_app> result;
    for (auto& a : rel_->apps)
      if (entries_[a->plan.name].state == run_state::running)
        result.push_back({a->plan.name, a->plan.vsn, to_string(a->plan.type)});
    return result;
  }

  node_status on_status() {
    drain_steps();
    auto st = status_;
    st.note = policy_ ? policy_->note() : std::string{};
    return st;
  }

  std::vector<timeline_entry> on_timeline() {
    drain_steps();
    return timeline_;
  }

  caf::result<term> on_env_get(const std::string& app, const std::string& key) {
    auto* rec = rel_->find(app);
    if (!rec)
      return make_error(runtime_errc::not_found, no_such_app(app));
    return rec->env.get(key);
  }

  // "no application X (the release's: a, b)": an unknown name says which
  // are known.
  std::string no_such_app(const std::string& app) const {
    std::string known;
    for (auto& a : rel_->apps)
      known += (known.empty() ? "" : ", ") + a->plan.name;
    return "no application " + app + " (the release's: " + known + ")";
  }

  caf::result<caf::ok_atom> on_env_set(const std::string& app,
                                       const std::string& key, term value) {
    auto* rec = rel_->find(app);
    if (!rec)
      return make_error(runtime_errc::not_found, no_such_app(app));
    rec->env.set(key, std::move(value));
    return caf::ok_atom::value;
  }

  caf::actor on_top(const std::string& app) {
    auto& e = entries_[app];
    return e.state == run_state::running ? e.top : caf::actor{};
  }

  void on_publish(const lifecycle_event& ev) {
    emit(ev.kind, ev.app, ev.reason, ev.detail);
  }

  void on_subscribe(const caf::actor& who) {
    if (!who)
      return;
    subscribers_.push_back(who);
    self_->monitor(who);
  }

  registry_actor on_registry() { return rel_->registry; }

  void on_batch_started(uint64_t id, uint64_t i, job_result r) {
    auto it = batches_.find(id);
    if (it == batches_.end() || i >= it->second->names.size())
      return;
    auto b = it->second;
    drain_steps();
    auto name = b->names[i];
    // A start its master marked done already counts once (finish is
    // idempotent); one from a batch with several masters is marked here.
    auto release = [b, i](bool ok) { b->queue->finish(i, ok); };
    if (!current(name, b->attempts[i])) { // abandoned meanwhile
      release(false);
      ++b->handled;
      finish_batch(b);
      return;
    }
    started(name, std::move(r), [this, b, name, release](caf::error err) {
      release(!err);
      b->on_each(name, std::move(err));
      ++b->handled;
      finish_batch(b);
    });
  }

  // A parallel batch's check: ready apps that no master took for a while
  // mean every master waits in app code; one more starts them meanwhile.
  // (While apps are ready, no master has replied: a master ends only once
  // every app was taken.)
  void on_batch_tick(uint64_t id) {
    auto it = batches_.find(id);
    if (it == batches_.end() || it->second->replied)
      return;
    auto& b = it->second;
    if (b->jobs < b->max_jobs && b->queue->stalled_for(hire_interval)) {
      // From now on the controller marks every start done (see start_apps).
      b->self_finish->store(false);
      ++b->jobs;
      hire_master(b);
    }
    if (b->jobs < b->max_jobs)
      self_->delayed_send(self_, hire_interval, ctl_atoms::batch_tick::value,
                          id);
  }

  // -- messages from CAF ----------------------------------------------------

  void on_down(const caf::down_msg& dm) {
    if (auto i = live_tops_.find(dm.source); i != live_tops_.end()) {
      auto name = i->second;
      live_tops_.erase(i);
      top_exited(name, dm.reason);
      return;
    }
    auto& subs = subscribers_;
    auto before = subs.size();
    subs.erase(std::remove_if(subs.begin(), subs.end(),
                              [&](const caf::actor& s) {
                                return s.address() == dm.source;
                              }),
               subs.end());
    if (subs.size() != before)
      return;
    // The top of an earlier start of an app that was stopped on purpose
    // (its stop gave up waiting for it): not an exit of the current one.
    log(log_level::debug, "application_controller",
        "exit of an earlier start ignored: " + describe_error(dm.reason));
  }

  void on_stop_deadline(uint64_t serial) {
    if (serial != stop_serial_ || stop_finished_)
      return;
    for (auto& a : rel_->apps) {
      auto& name = a->plan.name;
      auto& e = entries_[name];
      if (e.state != run_state::starting && e.state != run_state::stopping
          && e.state != run_state::running)
        continue;
      if (name != "kernel") {
        log(log_level::error, "application_controller",
            "application " + name + " did not stop within the shutdown time ("
              + std::to_string(cfg_.options.shutdown_time.count())
              + " ms); killed, its callback abandoned");
        ++abandoned_;
      }
      abandon(name, e);
    }
    started_order_.clear();
    if (stop_batch_)
      *stop_batch_->cancelled = true;
    stop_batch_ = nullptr;
    stop_chain_running_ = false;
    finish_stop();
  }

  // The actor's state goes with the actor: idle masters and the registry
  // end with it (a master stuck in app code cannot be ended; see
  // node_outcome::abandoned).
  ~application_controller() override {
    for (auto& m : idle_masters_)
      caf::anon_send_exit(m, caf::exit_reason::user_shutdown);
    idle_masters_.clear();
    if (rel_->registry)
      caf::anon_send_exit(rel_->registry, caf::exit_reason::user_shutdown);
  }

private:
  static constexpr size_t max_timeline = 20000;

  std::chrono::microseconds since_t0() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(
      clock_type::now() - cfg_.t0);
  }

  bool current(const std::string& name, uint64_t attempt) {
    return entries_[name].attempt == attempt;
  }

  void emit(lifecycle_kind kind, const std::string& app,
            const std::string& reason = {}, const std::string& detail = {}) {
    if (subscribers_.empty())
      return;
    lifecycle_event ev{app, kind, reason, detail, since_t0()};
    for (auto& s : subscribers_)
      self_->send(s, ev);
  }

  void install(std::shared_ptr<loaded_release> rel) {
    if (rel_ && rel_ != rel)
      retired_.push_back(rel_);
    rel_ = std::move(rel);
    entries_.clear();
    for (auto& a : rel_->apps) {
      entries_[a->plan.name];
      emit(lifecycle_kind::loaded, a->plan.name);
    }
    if (policy_)
      retired_policies_.push_back(std::move(policy_));
    policy_ = rel_->shoehorn()
                ? make_shoehorn_policy(cfg_.options.boot_counter_file)
                : make_otp_policy();
  }

  caf::actor acquire_master() {
    if (!idle_masters_.empty()) {
      auto m = idle_masters_.back();
      idle_masters_.pop_back();
      return m;
    }
    return spawn_app_master(self_->system(), caf::actor{self_});
  }

  void run_next_job() {
    if (job_running_ || jobs_.empty())
      return;
    job_running_ = true;
    auto fn = std::move(jobs_.front());
    jobs_.pop_front();
    fn([this] {
      job_running_ = false;
      run_next_job();
    });
  }

  // A start_apps under way.
  struct start_batch {
    uint64_t id = 0;
    std::vector<std::string> names;
    std::vector<uint64_t> attempts;
    std::function<void(const std::string&, caf::error)> on_each;
    std::function<void()> done;
    std::shared_ptr<start_queue> queue; // halted by a stop
    size_t jobs = 1;     // masters taking from the queue
    size_t max_jobs = 1; // at most this many (start: parallel)
    master_job job;      // what each of them runs
    // Whether masters mark their starts done themselves (only while there
    // is one: its outcomes reach the controller in order).
    std::shared_ptr<std::atomic<bool>> self_finish
      = std::make_shared<std::atomic<bool>>(true);
    size_t replies = 0;  // of those, done
    size_t tried = 0;   // known once every job replied
    size_t handled = 0; // outcomes handled so far
    bool replied = false;
  };

  void finish_batch(const std::shared_ptr<start_batch>& b) {
    if (!b->replied || b->handled < b->tried || !b->done)
      return;
    auto done = std::move(b->done);
    b->done = nullptr;
    batches_.erase(b->id);
    done();
  }

  // How long every master of a parallel batch must have been held up in
  // app code, with apps ready, before another one is hired.
  static constexpr auto hire_interval = std::chrono::milliseconds{2};

  void hire_master(const std::shared_ptr<start_batch>& b) {
    run_job(b->job, std::chrono::milliseconds{0},
            [this, b](job_result r, bool) {
              b->tried += static_cast<size_t>(r.value);
              if (++b->replies < b->jobs)
                return;
              b->replied = true;
              for (size_t i = 0; i < b->names.size(); ++i) {
                auto& e = entries_[b->names[i]];
                if (!b->queue->taken(i) && e.attempt == b->attempts[i]
                    && e.state == run_state::starting)
                  e.state = run_state::loaded; // never tried
              }
              finish_batch(b);
              continue_stop(); // a stop may have waited for these
            });
  }

  // -- boot -----------------------------------------------------------------

  void run_boot(done_fn finished) {
    stopping_ = false;
    stop_finished_ = false;
    stop_chain_running_ = false;
    fatal_.clear();
    boot_error_ = caf::error{};
    status_.state = node_state::starting;
    // Written once per loaded_release, before any of its app code runs.
    rel_->sys = &self_->system();
    step("start kernel services");
    if (!rel_->registry)
      rel_->registry = spawn_registry(self_->system());
    if (auto* kernel = rel_->find("kernel"); kernel && !kernel->callback)
      entries_["kernel"].state = run_state::running;
    after_boot_stop_ = finished;
    policy_->boot(*this, [this, finished](caf::error err) {
      if (!err && !stopping_) {
        status_.state = node_state::started;
        ++status_.boots;
        after_boot_stop_ = nullptr;
        policy_->on_node_started();
        step("started " + rel_->plan.name + " " + rel_->plan.vsn);
        log(log_level::info, "init",
            "started " + rel_->plan.name + " " + rel_->plan.vsn + " in "
              + ms_since(cfg_.load_began) + " (apps started: "
              + std::to_string(started_order_.size()) + ")");
        emit(lifecycle_kind::node_started, {});
        finished({});
        return;
      }
      // A failed or interrupted boot answers once what it started is
      // stopped again.
      if (err && !boot_error_)
        boot_error_ = err;
      begin_stop();
    });
  }

  // The start job returned: record the tree; a failed start phase (or a
  // top that exited meanwhile) stops what did start.
  void started(const std::string& name, job_result r, done_fn done) {
    auto* rec = rel_->find(name);
    auto& e = entries_[name];
    if (r.top) {
      e.top = r.top;
      self_->monitor(e.top);
      live_tops_[e.top.address()] = name;
    }
    for (auto& [inc, top] : r.included) {
      auto& ie = entries_[inc];
      ie.state = run_state::running;
      ie.top = top;
    }
    for (auto& [app, phase] : r.phases_done)
      emit(lifecycle_kind::phase, app, {}, phase);
    if (!r.error && r.value != 1 && e.exit_during_start)
      r.error = boot_failure(name, "start",
                             "its top supervisor exited during the start "
                             "phases: "
                               + exit_reason_text(*e.exit_during_start));
    if (r.error || r.value == 1) {
      auto text = r.error ? describe_error(r.error) : std::string{"normal"};
      auto err = r.error ? r.error : boot_failure(name, "start", "normal");
      emit(lifecycle_kind::start_failed, name, text);
      if (!e.top && r.included.empty()) {
        e.state = run_state::stopped;
        rec->adopted->kill_all(); // a failed start leaves nothing running
        done(err);
        continue_stop();
        return;
      }
      // A start that failed half way leaves nothing running.
      e.state = run_state::running;
      stop_one(name, clock_type::now() + cfg_.options.shutdown_time, false,
               [this, done, err] {
                 done(err);
                 continue_stop();
               });
      return;
    }
    e.state = run_state::running;
    started_order_.push_back(name);
    // A distributed app's placement: the event and the line say why it
    // started here (`failover from n1`, `takeover from n2`).
    auto why = rec->ctx ? rec->ctx->start_type() : start_reason{};
    auto placed = why.type == "normal" ? std::string{}
                                       : why.type + " from " + why.from_node;
    log(log_level::info, "application_controller",
        "application " + name + " started (type "
          + to_string(rec->plan.type) + (placed.empty() ? "" : ", " + placed)
          + ")");
    emit(lifecycle_kind::started, name, {}, placed);
    done({});
    continue_stop(); // a stop that waited for this start goes on
  }

  // -- exits ----------------------------------------------------------------

  void top_exited(const std::string& name, const caf::error& reason) {
    auto& e = entries_[name];
    if (e.state == run_state::starting) {
      e.exit_during_start = reason;
      return;
    }
    if (e.state != run_state::running)
      return;
    e.state = run_state::stopped;
    e.top = nullptr;
    forget_started(name);
    for (auto& a : tree_adopted(name))
      a->kill_all();
    included_stopped(name);
    emit(reason ? lifecycle_kind::crashed : lifecycle_kind::exited, name,
         exit_reason_text(reason));
    if (stopping_) {
      continue_stop();
      return;
    }
    if (on_probation(name, reason))
      return;
    policy_->on_exit(*this, name, reason);
  }

  // `name` (of start `attempt`) is stopped: recorded, logged, told.
  void app_stopped(const std::string& name, uint64_t attempt, bool report) {
    auto& e = entries_[name];
    if (e.attempt != attempt)
      return;
    e.state = run_state::stopped;
    e.top = nullptr;
    included_stopped(name);
    log(log_level::info, "application_controller",
        "application " + name + " stopped");
    emit(lifecycle_kind::stopped, name, "shutdown");
    if (report && !stopping_)
      policy_->on_stopped(*this, name);
  }

  // The adopted actors of `name` and of the apps it includes (they die
  // with its tree).
  std::vector<std::shared_ptr<adopted_actors>>
  tree_adopted(const std::string& name) {
    auto* rec = rel_->find(name);
    std::vector<std::shared_ptr<adopted_actors>> result{rec->adopted};
    for (auto& inc : rec->plan.included)
      if (auto* child = rel_->find(inc))
        result.push_back(child->adopted);
    return result;
  }

  // Included apps went down with their includer's tree.
  void included_stopped(const std::string& name) {
    for (auto& inc : rel_->find(name)->plan.included) {
      entries_[inc].state = run_state::stopped;
      entries_[inc].top = nullptr;
    }
  }

  void forget_started(const std::string& name) {
    started_order_.erase(
      std::remove(started_order_.begin(), started_order_.end(), name),
      started_order_.end());
  }

  // -- stopping ---------------------------------------------------------------

  std::chrono::milliseconds left(clock_type::time_point deadline) const {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - clock_type::now());
    return std::max(ms, std::chrono::milliseconds{1});
  }

  // Stops one app on purpose: prep_stop, its tree, its adopted actors,
  // stop; one job, bounded by `deadline`; past it the job is abandoned
  // and reported with the step it was in.
  void stop_one(const std::string& name, clock_type::time_point deadline,
                bool report, std::function<void()> cont) {
    auto& e = entries_[name];
    if (e.state != run_state::running) {
      cont();
      return;
    }
    auto* rec = rel_->find(name);
    e.state = run_state::stopping;
    auto attempt = e.attempt;
    forget_started(name);
    step("stop " + name);
    if (e.top)
      live_tops_.erase(e.top.address()); // its exit is no crash now
    auto stage = std::make_shared<std::atomic<int>>(0);
    run_job(make_stop_job(*rec, e.top, tree_adopted(name), deadline, stage),
            left(deadline),
            [this, name, attempt, rec, report, cont, stage](job_result,
                                                            bool timed_out) {
              if (!current(name, attempt))
                return;
              auto& e = entries_[name];
              if (timed_out) {
                log(log_level::error, "application_controller",
                    "application " + name + ": "
                      + to_string(static_cast<stop_stage>(stage->load()))
                      + " did not return within the shutdown time; abandoned");
                if (e.top)
                  caf::anon_send_exit(e.top, caf::exit_reason::kill);
                rec->adopted->kill_all();
              }
              app_stopped(name, attempt, report);
              cont();
            });
  }

  void begin_stop() {
    if (stopping_)
      return;
    stopping_ = true;
    for (auto& [id, b] : batches_) // the apps under way complete; no
      b->queue->halt();              // later one starts
    stop_finished_ = false;
    status_.state = node_state::stopping;
    stop_began_ = clock_type::now();
    stop_deadline_ = stop_began_ + cfg_.options.shutdown_time;
    ++stop_serial_;
    self_->delayed_send(self_, cfg_.options.shutdown_time,
                        ctl_atoms::stop_deadline::value, stop_serial_);
    self_->delayed_send(self_, cfg_.options.shutdown_time / 2,
                        ctl_atoms::start_wait_deadline::value, stop_serial_);
    continue_stop();
  }

  // A start under way completes first (OTP: the stop is handled after
  // it), for at most half the shutdown time; then completed starts stop
  // in exact reverse order, one after the other, each within its share of
  // the time left.
  void continue_stop() {
    if (!stopping_ || stop_finished_ || stop_chain_running_)
      return;
    for (auto& [name, e] : entries_)
      if (e.state == run_state::starting)
        return;
    if (!started_order_.empty()) {
      stop_in_reverse();
      return;
    }
    for (auto& [name, e] : entries_)
      if (e.state == run_state::stopping) // a stop_app under way
        return;
    finish_stop();
  }

  // A stop chain under way: the apps in stop order on one master.
  struct stop_batch {
    uint64_t id = 0;
    std::vector<std::string> names;
    std::vector<uint64_t> attempts;
    std::vector<std::shared_ptr<std::atomic<int>>> stages;
    std::shared_ptr<std::atomic<bool>> cancelled
      = std::make_shared<std::atomic<bool>>(false);
    size_t stopped = 0;
  };

  // Stops every completed start, last first, on one master, back to back
  // (no controller round trip between apps). Each app gets its share of
  // the time left, (time left) / (apps left), so one that hangs cannot take
  // the others' orderly stop away: past its share the controller abandons
  // it and hands the rest to a fresh master (on_stop_share_deadline).
  void stop_in_reverse() {
    auto b = std::make_shared<stop_batch>();
    b->id = ++batch_serial_;
    std::vector<app_record*> recs;
    std::vector<caf::actor> tops;
    std::vector<std::vector<std::shared_ptr<adopted_actors>>> adopted;
    for (auto i = started_order_.rbegin(); i != started_order_.rend(); ++i) {
      auto& name = *i;
      auto& e = entries_[name];
      e.state = run_state::stopping;
      if (e.top)
        live_tops_.erase(e.top.address()); // its exit is no crash now
      b->names.push_back(name);
      b->attempts.push_back(e.attempt);
      b->stages.push_back(std::make_shared<std::atomic<int>>(0));
      recs.push_back(rel_->find(name));
      tops.push_back(e.top);
      adopted.push_back(tree_adopted(name));
    }
    started_order_.clear();
    stop_batch_ = b;
    stop_chain_running_ = true;
    auto ctl = caf::actor{self_};
    master_job job = [recs, tops, adopted, stages = b->stages,
                      cancelled = b->cancelled, deadline = stop_deadline_, ctl,
                      id = b->id, progress = board_progress()] {
      for (size_t k = 0; k < recs.size() && !*cancelled; ++k) {
        auto now = clock_type::now();
        auto share = (deadline - now) / static_cast<long>(recs.size() - k);
        auto my_deadline = now + share;
        progress("stop " + recs[k]->plan.name);
        caf::anon_send(ctl, ctl_atoms::stop_began::value, id,
                       static_cast<uint64_t>(k),
                       std::chrono::duration_cast<caf::timespan>(share));
        make_stop_job(*recs[k], tops[k], adopted[k], my_deadline, stages[k])();
        caf::anon_send(ctl, ctl_atoms::batch_stopped::value, id,
                       static_cast<uint64_t>(k));
      }
      return job_result{};
    };
    run_job(std::move(job), std::chrono::milliseconds{0},
            [](job_result, bool) {});
  }

public:
  // App k of the chain began: arm its share's deadline.
  void on_stop_began(uint64_t id, uint64_t k, caf::timespan share) {
    if (!stop_batch_ || stop_batch_->id != id)
      return;
    self_->delayed_send(self_, share + std::chrono::milliseconds(1),
                        ctl_atoms::stop_share_deadline::value, id, k);
  }

  void on_batch_stopped(uint64_t id, uint64_t k) {
    auto b = stop_batch_;
    if (!b || b->id != id || k >= b->names.size())
      return;
    app_stopped(b->names[k], b->attempts[k], false);
    if (++b->stopped == b->names.size())
      end_stop_batch();
  }

  // App k passed its share: abandon it, give the rest a fresh master.
  void on_stop_share_deadline(uint64_t id, uint64_t k) {
    auto b = stop_batch_;
    if (!b || b->id != id || k >= b->names.size())
      return;
    auto& name = b->names[k];
    auto& e = entries_[name];
    if (e.attempt != b->attempts[k] || e.state != run_state::stopping)
      return; // stopped in time
    *b->cancelled = true;
    log(log_level::error, "application_controller",
        "application " + name + ": "
          + to_string(static_cast<stop_stage>(b->stages[k]->load()))
          + " did not return within the shutdown time; abandoned");
    ++abandoned_;
    if (e.top)
      caf::anon_send_exit(e.top, caf::exit_reason::kill);
    for (auto& a : tree_adopted(name))
      a->kill_all();
    app_stopped(name, e.attempt, false);
    // The apps after it in stop order had not begun: back in start order.
    for (size_t j = b->names.size(); j > k + 1; --j) {
      auto& rest = b->names[j - 1];
      auto& re = entries_[rest];
      if (re.attempt == b->attempts[j - 1] && re.state == run_state::stopping) {
        re.state = run_state::running;
        if (re.top)
          live_tops_[re.top.address()] = rest;
        started_order_.push_back(rest);
      }
    }
    end_stop_batch();
  }

private:
  void end_stop_batch() {
    stop_batch_ = nullptr;
    stop_chain_running_ = false;
    continue_stop();
  }

public:
  // Half the shutdown time passed with a start still under way: give up
  // on it, so the apps that did start still stop in time.
  void on_start_wait_deadline(uint64_t serial) {
    if (serial != stop_serial_ || stop_finished_)
      return;
    for (auto& [name, e] : entries_) {
      if (e.state != run_state::starting)
        continue;
      log(log_level::error, "application_controller",
          "application " + name
            + " did not finish starting within half the shutdown time ("
            + std::to_string(cfg_.options.shutdown_time.count() / 2)
            + " ms); its start is abandoned");
      ++abandoned_;
      abandon(name, e);
    }
    continue_stop();
  }

private:
  // Gives up on `e`: its tree and adopted actors are killed, whatever
  // still answers for it is ignored.
  void abandon(const std::string& name, app_entry& e) {
    if (e.top) {
      live_tops_.erase(e.top.address());
      caf::anon_send_exit(e.top, caf::exit_reason::kill);
    }
    rel_->find(name)->adopted->kill_all();
    ++e.attempt;
    e.state = run_state::stopped;
    e.top = nullptr;
  }

  void finish_stop() {
    stop_finished_ = true;
    // The handle stays: app code may still read it (a restart boots a
    // fresh loaded_release with a registry of its own).
    if (rel_->registry)
      caf::anon_send_exit(rel_->registry, caf::exit_reason::user_shutdown);
    for (auto& m : idle_masters_)
      caf::anon_send_exit(m, caf::exit_reason::user_shutdown);
    idle_masters_.clear();
    for (auto& [name, e] : entries_) {
      e.state = run_state::stopped;
      e.top = nullptr;
    }
    status_.state = node_state::stopped;
    step("stopped");
    log(log_level::info, "init", "stopped in " + ms_since(stop_began_));
    emit(lifecycle_kind::node_stopped, {});
    auto waiters = std::move(stop_waiters_);
    stop_waiters_.clear();
    for (auto& rp : waiters)
      rp.deliver(caf::ok_atom::value);
    if (after_boot_stop_) { // the boot failed or was interrupted
      auto finished = std::move(after_boot_stop_);
      after_boot_stop_ = nullptr;
      caf::error err = boot_error_;
      if (!err && !fatal_.empty())
        err = make_error(runtime_errc::boot_failed, fatal_);
      if (!err)
        err = make_error(runtime_errc::interrupted, "stopped during boot");
      if (restarting_ && after_restart_) {
        restarting_ = false;
        auto reply = std::move(after_restart_);
        after_restart_ = nullptr;
        cfg_.outcome->end("restart: boot failed: " + describe_error(err),
                          abandoned_);
        reply(err);
        return;
      }
      cfg_.outcome->end(fatal_, abandoned_);
      finished(err);
      return;
    }
    if (restarting_) {
      reload();
      return;
    }
    cfg_.outcome->end(fatal_, abandoned_);
  }

  // -- restart ----------------------------------------------------------------

  // Reads the boot file, env and libraries again (on a master: file I/O)
  // and boots anew in this process (OTP's init:restart).
  void reload() {
    auto options = cfg_.options;
    options.release_vsn = restart_vsn_; // one restart into an installed release
    restart_vsn_.clear();
    auto steps = std::make_shared<std::vector<std::string>>();
    auto loaded
      = std::make_shared<caf::expected<std::shared_ptr<loaded_release>>>(
        caf::error{});
    cfg_.load_began = clock_type::now();
    run_job(
      [options, steps, loaded] {
        *loaded = load_release(options, [steps](const std::string& s) {
          steps->push_back(s);
        });
        return job_result{};
      },
      std::chrono::milliseconds{0},
      [this, steps, loaded](job_result r, bool) {
        for (auto& s : *steps)
          step(s);
        auto reply = std::move(after_restart_);
        after_restart_ = nullptr;
        if (!restarting_) { // a stop was asked for meanwhile
          reply(make_error(runtime_errc::interrupted, "the node was stopped"));
          finish_stop();
          return;
        }
        if (r.error || !*loaded) {
          restarting_ = false;
          auto err = r.error ? r.error : loaded->error();
          cfg_.outcome->end("restart: boot failed: " + describe_error(err),
                            abandoned_);
          reply(err);
          return;
        }
        install(**loaded);
        // A restart that fails ends the node: the boot's own stop then
        // reports it (finish_stop, after_restart_).
        after_restart_ = reply;
        run_boot([this](caf::error err) {
          restarting_ = false;
          auto reply = std::move(after_restart_);
          after_restart_ = nullptr;
          if (reply)
            reply(err);
        });
      });
  }

  ctl_ptr self_;
  controller_config cfg_;
  std::shared_ptr<loaded_release> rel_;
  // Apps' callback objects and contexts may still be referenced by
  // actors of an earlier boot: releases and policies are kept, not freed.
  std::vector<std::shared_ptr<loaded_release>> retired_;
  std::vector<std::unique_ptr<boot_policy>> retired_policies_;
  std::map<std::string, app_entry> entries_;
  std::vector<std::string> started_order_; // completed starts
  std::map<caf::actor_addr, std::string> live_tops_;
  std::unique_ptr<boot_policy> policy_;
  std::vector<caf::actor> idle_masters_;
  caf::actor install_listener_; // of the install under way (on_install)
  std::vector<caf::actor> subscribers_;
  library_reaper reaper_;
  static constexpr int max_reap_attempts = 10;
  node_status status_;
  std::vector<timeline_entry> timeline_;
  std::deque<job_fn> jobs_;
  bool job_running_ = false;
  // Stopping.
  bool stopping_ = false;
  bool stop_finished_ = false;
  bool stop_chain_running_ = false;
  clock_type::time_point stop_began_;
  clock_type::time_point stop_deadline_;
  uint64_t stop_serial_ = 0;
  std::vector<caf::typed_response_promise<caf::ok_atom>> stop_waiters_;
  std::string fatal_;
  caf::error boot_error_;
  done_fn after_boot_stop_;
  bool restarting_ = false;
  done_fn after_restart_;
  std::string restart_vsn_; // the release the next restart boots (empty: permanent)
  clock_type::time_point probation_until_;
  std::string probation_failure_;
  int abandoned_ = 0;
  std::map<uint64_t, std::shared_ptr<start_batch>> batches_;
  std::shared_ptr<step_board> board_ = std::make_shared<step_board>();
  std::shared_ptr<stop_batch> stop_batch_;
  uint64_t batch_serial_ = 0;
};

caf::behavior controller_impl(ctl_ptr self, controller_config cfg) {
  self->state.ctl = std::make_unique<application_controller>(self,
                                                              std::move(cfg));
  auto* c = self->state.ctl.get();
  self->set_down_handler([c](caf::down_msg& dm) { c->on_down(dm); });
  return {
    [c](ctl_atoms::boot) { return c->on_boot(); },
    [c](ctl_atoms::stop) { return c->on_stop(); },
    [c](ctl_atoms::restart) { return c->on_restart(); },
    [c](ctl_atoms::start_app, const std::string& app) {
      return c->on_start_app(app);
    },
    // A distributed application's start by the net kernel (failover,
    // takeover), which the app's start sees (app_context::start_type).
    [c](ctl_atoms::start_app_as, const std::string& app,
        const std::string& type, const std::string& from) {
      return c->on_start_app(app, start_reason{type, from});
    },
    [c](ctl_atoms::stop_app, const std::string& app) {
      return c->on_stop_app(app);
    },
    [c](ctl_atoms::apps) { return c->on_apps(); },
    [c](ctl_atoms::status) { return c->on_status(); },
    [c](ctl_atoms::timeline) { return c->on_timeline(); },
    [c](ctl_atoms::env_get, const std::string& app, const std::string& key) {
      return c->on_env_get(app, key);
    },
    [c](ctl_atoms::env_set, const std::string& app, const std::string& key,
        const term& value) { return c->on_env_set(app, key, value); },
    [c](ctl_atoms::top, const std::string& app) { return c->on_top(app); },
    [](ctl_atoms::ping) { return caf::ok_atom::value; },
    // Events of the node's other parts (the net kernel's node_up and
    // node_down), on the node's one event stream.
    [c](ctl_atoms::publish, const lifecycle_event& ev) {
      c->on_publish(ev);
    },
    [c](ctl_atoms::reap, int attempt) { c->reap(attempt); },
    [c](ctl_atoms::subscribe, const caf::actor& who) {
      c->on_subscribe(who);
      return caf::ok_atom::value;
    },
    [c](ctl_atoms::registry) { return c->on_registry(); },
    [c](ctl_atoms::install, const std::string& vsn, const caf::actor& listener) {
      return c->on_install(vsn, listener);
    },
    [c](ctl_atoms::install, const std::string& vsn) {
      return c->on_install(vsn);
    },
    [c](ctl_atoms::probation, int64_t ms) {
      return c->on_probation_request(ms);
    },
    [c](ctl_atoms::health) { return c->on_health(); },
    [c](ctl_atoms::release) {
      auto& p = c->release().plan;
      return caf::make_message(p.name, p.vsn);
    },
    [c](ctl_atoms::stop_deadline, uint64_t serial) {
      c->on_stop_deadline(serial);
    },
    [c](ctl_atoms::start_wait_deadline, uint64_t serial) {
      c->on_start_wait_deadline(serial);
    },
    [c](ctl_atoms::stop_began, uint64_t id, uint64_t k, caf::timespan share) {
      c->on_stop_began(id, k, share);
    },
    [c](ctl_atoms::batch_stopped, uint64_t id, uint64_t k) {
      c->on_batch_stopped(id, k);
    },
    [c](ctl_atoms::stop_share_deadline, uint64_t id, uint64_t k) {
      c->on_stop_share_deadline(id, k);
    },
    [c](ctl_atoms::batch_tick, uint64_t id) { c->on_batch_tick(id); },
    [c](ctl_atoms::batch_started, uint64_t id, uint64_t i, job_result& r) {
      c->on_batch_started(id, i, std::move(r));
    },
  };
}

} // namespace

caf::actor spawn_application_controller(caf::actor_system& sys,
                                        controller_config cfg) {
  return sys.spawn<caf::hidden>(controller_impl, std::move(cfg));
}

} // namespace relc
