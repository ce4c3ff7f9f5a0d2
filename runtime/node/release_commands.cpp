#include "release_commands.hpp"

#include <cstdlib>
#include <filesystem>
#include <thread>

#include <caf/all.hpp>

#include "controller_protocol.hpp"
#include "relc/runtime/log.hpp"
#include "relc/runtime/registry.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "release_handler.hpp"

namespace fs = std::filesystem;

namespace relc {

namespace {

namespace rh = release_handler;

using relay_tick = caf::atom_constant<caf::atom("rh_tick")>;

// Hands an install's report lines to `progress` as the controller sends
// them. While one step goes on, it says so after 2 s and every 5 s after
// (an operator tells a slow step from a hung one), and sends an empty line
// twice a second, which tells the client the node is alive. A request (ok)
// is answered once every line sent before it was handed on.
caf::behavior progress_relay(caf::event_based_actor* self, progress_fn progress,
                             std::string command) {
  using clock = std::chrono::steady_clock;
  struct relay_state {
    std::string last;
    clock::time_point since = clock::now();
    clock::time_point said = clock::now();
  };
  auto st = std::make_shared<relay_state>();
  st->last = std::move(command);
  constexpr auto tick = std::chrono::milliseconds(500);
  self->delayed_send(self, tick, relay_tick::value);
  return {
    [st, progress](ctl_atoms::progress, const std::string& line) {
      progress(line);
      st->last = line;
      st->since = st->said = clock::now();
    },
    [self, st, progress](relay_tick) {
      auto now = clock::now();
      auto secs = std::chrono::duration_cast<std::chrono::seconds>(now - st->since);
      if (secs.count() >= 2
          && (st->said == st->since || now - st->said >= std::chrono::seconds(5))) {
        progress("still at: " + st->last + " (" + std::to_string(secs.count())
                 + " s)");
        st->said = now;
      } else {
        progress("");
      }
      self->delayed_send(self, tick, relay_tick::value);
    },
    [](caf::ok_atom) { return caf::ok_atom::value; },
  };
}

std::string join_words(const std::vector<std::string>& w) {
  std::string out;
  for (auto& x : w)
    out += (out.empty() ? "" : " ") + x;
  return out;
}

// "1.5 s": a time for a progress line.
std::string seconds_text(std::chrono::milliseconds x) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(x.count()) / 1000.0);
  return buf;
}

// What a command's steps share: the node, and a blocking actor to ask the
// controller from (the command runs on that actor's own thread).
struct command_run {
  caf::blocking_actor* self;
  release_command_context ctx;
  progress_fn progress; // null: nobody asked
  /// With `progress`: the relay every line goes through, for the whole
  /// command (progress_relay).
  caf::actor relay;

  void say(const std::string& line) {
    if (relay)
      caf::anon_send(relay, ctl_atoms::progress::value, line);
  }

  // Every line said so far is handed on, then the relay goes.
  void end_progress() {
    if (!relay)
      return;
    self->request(relay, std::chrono::seconds(10), caf::ok_atom::value)
      .receive([](caf::ok_atom) {}, [](caf::error&) {});
    self->send_exit(relay, caf::exit_reason::user_shutdown);
    relay = nullptr;
  }
  /// An exec into another runtime took the command on: the new program
  /// answers it (resume_release_command).
  bool handed_over = false;

  // Stops the node and execs runtime `rvsn` into `vsn` (empty: the
  // permanent release), which goes on with `then`.
  caf::error exec_into(const std::string& rvsn, const std::string& vsn,
                       resume_plan then) {
    if (!ctx.exec_runtime)
      return make_error(runtime_errc::release_handling,
                        "runtime " + rvsn + ": this node cannot exec another "
                        "runtime (its host program embeds the runtime)");
    runtime_exec req;
    if (auto err = find_runtime_executable(ctx.release_root, rvsn, req.executable))
      return err;
    req.runtime_vsn = rvsn;
    req.release_vsn = vsn;
    req.resume = std::move(then);
    if (auto err = ctx.exec_runtime(std::move(req)))
      return err;
    handed_over = true;
    return {};
  }

  // The running release version, asked from the controller.
  caf::expected<std::string> running() {
    caf::expected<std::string> result{caf::error{}};
    self->request(ctx.controller, std::chrono::seconds(10),
                  ctl_atoms::release::value)
      .receive([&](const std::string&, const std::string& vsn) { result = vsn; },
               [&](caf::error& err) { result = err; });
    return result;
  }

  // Runs the relup to `vsn` in the node; the report, or why not. A target
  // on another runtime is an exec of that runtime, which goes on with
  // `then` (its report starts with what `then.report` holds).
  caf::expected<std::string> install(const std::string& vsn,
                                     resume_plan then = {}) {
    auto known = rh::find_release(ctx.release_root, vsn);
    if (!known)
      return known.error();
    caf::expected<std::string> result{caf::error{}};
    std::string exec_runtime;
    auto got = [&](std::string& report, std::string& runtime) {
      result = std::move(report);
      exec_runtime = std::move(runtime);
    };
    auto failed = [&](caf::error& err) { result = err; };
    if (relay) {
      self->request(ctx.controller, caf::infinite, ctl_atoms::install::value,
                    vsn, relay)
        .receive(got, failed);
    } else {
      self->request(ctx.controller, caf::infinite, ctl_atoms::install::value, vsn)
        .receive(got, failed);
    }
    if (!result)
      return result;
    if (!exec_runtime.empty()) {
      then.install = vsn;
      then.report += *result;
      if (auto err = exec_into(exec_runtime, vsn, std::move(then))) {
        auto now = running();
        return make_error(runtime_errc::release_handling,
                          "install " + vsn + ": " + describe_error(err)
                            + " (the node still runs "
                            + (now ? *now : std::string{"?"}) + ")");
      }
      return result;
    }
    if (auto err = rh::mark_installed(ctx.release_root, vsn))
      return err;
    return result;
  }

  // The health gate: for `ms` after the install no permanent app may
  // terminate, every app must run and every health name be registered;
  // then the release is made permanent, else the node restarts into its
  // permanent release and the reason is the error.
  caf::expected<std::string> health_gate(const std::string& vsn, int64_t ms) {
    auto failure = [&](const std::string& why) -> caf::error {
      return make_error(runtime_errc::release_handling, why);
    };
    auto ask_health = [&](std::string& why, std::vector<std::string>& names) {
      self->request(ctx.controller, std::chrono::seconds(10),
                    ctl_atoms::health::value)
        .receive(
          [&](std::string& f, std::vector<std::string>& n) {
            why = std::move(f);
            names = std::move(n);
          },
          [&](caf::error& err) { why = "no answer: " + describe_error(err); });
    };
    self->request(ctx.controller, std::chrono::seconds(10),
                  ctl_atoms::probation::value, ms + 60000)
      .receive([](caf::ok_atom) {}, [](caf::error&) {});
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds{ms};
    std::string why;
    std::vector<std::string> names;
    // A countdown line each second of the window.
    auto next_line = std::chrono::steady_clock::now();
    for (;;) {
      ask_health(why, names);
      auto now = std::chrono::steady_clock::now();
      if (!why.empty() || now >= deadline)
        break;
      if (relay && now >= next_line) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - now);
        say("health check of " + vsn + ": " + seconds_text(left)
                 + " left of " + seconds_text(std::chrono::milliseconds{ms})
                 + ", every app running");
        next_line = now + std::chrono::seconds(1);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    if (why.empty()) {
      caf::actor reg;
      self->request(ctx.controller, std::chrono::seconds(10),
                    ctl_atoms::registry::value)
        .receive([&](registry_actor& r) { reg = caf::actor_cast<caf::actor>(r); },
                 [](caf::error&) {});
      for (auto& name : names) {
        caf::actor who;
        if (reg)
          self->request(reg, std::chrono::seconds(10), reg_atoms::get::value, name)
            .receive([&](caf::actor& a) { who = a; }, [](caf::error&) {});
        if (!who) {
          why = "name " + name + " is not registered";
          break;
        }
      }
    }
    self->request(ctx.controller, std::chrono::seconds(10),
                  ctl_atoms::probation::value, int64_t{0})
      .receive([](caf::ok_atom) {}, [](caf::error&) {});
    if (why.empty()) {
      if (auto err = make_permanent(vsn))
        return err;
      return "release " + vsn + " is healthy after " + std::to_string(ms)
             + " ms: permanent\n";
    }
    auto line_of = [&](const std::string& back) {
      return "release " + vsn + ": rolled back to " + back + ": " + why;
    };
    // Back to the permanent release: on another runtime by an exec, else
    // in this process.
    if (auto xs = rh::read_releases(ctx.release_root)) {
      const rh::release_entry* perm = nullptr;
      const rh::release_entry* mine = nullptr;
      for (auto& x : *xs) {
        if (x.state == rh::permanent)
          perm = &x;
        if (x.vsn == vsn)
          mine = &x;
      }
      if (perm && mine && perm->runtime != mine->runtime) {
        resume_plan back;
        back.rolled_back = line_of(perm->vsn);
        log(log_level::error, "release_handler", back.rolled_back);
        auto err = exec_into(perm->runtime, {}, back);
        if (!err)
          return failure(back.rolled_back);
        log(log_level::error, "release_handler",
            "rollback to " + perm->vsn + ": " + describe_error(err)
              + "; restarting in this process");
      }
    }
    caf::error restart_error;
    self->request(ctx.controller, caf::infinite, ctl_atoms::restart::value)
      .receive([](caf::ok_atom) {}, [&](caf::error& err) { restart_error = err; });
    auto now = running();
    auto back = now ? *now : std::string{"?"};
    auto line = line_of(back);
    if (restart_error)
      line += " (the restart failed: " + describe_error(restart_error) + ")";
    log(log_level::error, "release_handler", line);
    if (now)
      if (auto err = rh::booted(ctx.release_root, back))
        log(log_level::warning, "release_handler", describe_error(err));
    return failure(line);
  }

  caf::error make_permanent(const std::string& vsn) {
    auto now = running();
    if (!now)
      return now.error();
    if (*now != vsn)
      return make_error(runtime_errc::release_handling,
                        "release " + vsn + " is not running (the node runs "
                          + *now + "): install it first");
    return rh::make_permanent(ctx.release_root, vsn);
  }

  // upgrade/downgrade: unpack if needed, install, make permanent.
  caf::expected<std::string> change_to(const std::string& vsn, bool unpack) {
    std::string out;
    if (unpack && !rh::find_release(ctx.release_root, vsn)) {
      auto tarball = ctx.release_name + "-" + vsn + ".tar.gz";
      auto got = rh::unpack(ctx.release_root, ctx.release_name, tarball);
      if (!got)
        return got.error();
      out += "unpacked " + *got + "\n";
      say("unpacked " + *got);
    }
    resume_plan then;
    then.make_permanent = true;
    then.report = out;
    auto report = install(vsn, then);
    if (!report || handed_over)
      return report;
    out += *report;
    if (auto err = make_permanent(vsn))
      return err;
    out += "release " + vsn + " is permanent\n";
    return out;
  }
};

std::string answer(const caf::expected<std::string>& x) {
  if (!x)
    return "error: " + describe_error(x.error()) + "\n";
  return "ok\n" + *x;
}

} // namespace

bool run_release_command(caf::actor_system& sys, release_command_context ctx,
                         const std::vector<std::string>& w,
                         std::function<void(std::string)> reply,
                         progress_fn progress) {
  if (w.empty())
    return false;
  auto& cmd = w[0];
  bool one_arg = w.size() == 2;
  using job = std::function<caf::expected<std::string>(command_run&)>;
  job fn;
  if (cmd == "releases" && w.size() == 1) {
    fn = [](command_run& r) -> caf::expected<std::string> {
      auto now = r.running();
      if (!now)
        return now.error();
      auto xs = rh::read_releases(r.ctx.release_root);
      if (!xs)
        return xs.error();
      return rh::render_versions(*xs, *now);
    };
  } else if (cmd == "unpack" && one_arg) {
    auto tarball = w[1];
    fn = [tarball](command_run& r) -> caf::expected<std::string> {
      auto vsn = rh::unpack(r.ctx.release_root, r.ctx.release_name, tarball);
      if (!vsn)
        return vsn.error();
      log(log_level::info, "release_handler", "release " + *vsn + " unpacked");
      return "unpacked " + *vsn + "\n";
    };
  } else if (cmd == "install" && one_arg) {
    auto vsn = w[1];
    fn = [vsn](command_run& r) { return r.install(vsn); };
  } else if (cmd == "install" && w.size() == 4 && w[2] == "--health") {
    auto vsn = w[1];
    char* end = nullptr;
    auto ms = std::strtoll(w[3].c_str(), &end, 10);
    if (w[3].empty() || *end != '\0' || ms <= 0) {
      reply("error: install --health: expected a time in ms, found '" + w[3]
            + "'\n");
      return true;
    }
    fn = [vsn, ms](command_run& r) -> caf::expected<std::string> {
      resume_plan then;
      then.health_ms = ms;
      auto report = r.install(vsn, then);
      if (!report || r.handed_over)
        return report;
      auto gate = r.health_gate(vsn, ms);
      if (!gate)
        return gate.error();
      return *report + *gate;
    };
  } else if (cmd == "make_permanent" && one_arg) {
    auto vsn = w[1];
    fn = [vsn](command_run& r) -> caf::expected<std::string> {
      if (auto err = r.make_permanent(vsn))
        return err;
      log(log_level::info, "release_handler", "release " + vsn + " is permanent");
      return "release " + vsn + " is permanent\n";
    };
  } else if (cmd == "remove" && one_arg) {
    auto vsn = w[1];
    fn = [vsn](command_run& r) -> caf::expected<std::string> {
      auto now = r.running();
      if (!now)
        return now.error();
      if (auto err = rh::remove(r.ctx.release_root, vsn, *now))
        return err;
      log(log_level::info, "release_handler", "release " + vsn + " removed");
      return "removed " + vsn + "\n";
    };
  } else if ((cmd == "upgrade" || cmd == "downgrade") && one_arg) {
    auto vsn = w[1];
    bool unpack = cmd == "upgrade";
    fn = [vsn, unpack](command_run& r) { return r.change_to(vsn, unpack); };
  } else {
    return false;
  }
  if (!ctx.controller) {
    reply("error: the node is not booted yet\n");
    return true;
  }
  sys.spawn<caf::hidden>(
    [ctx, fn, reply, progress, line = join_words(w)](caf::blocking_actor* self) {
      command_run r{self, ctx, progress, {}};
      // Linked: it goes with this command whatever happens to it.
      if (progress)
        r.relay = self->spawn<caf::linked + caf::hidden>(progress_relay, progress,
                                                         line);
      auto result = fn(r);
      r.end_progress();
      if (!r.handed_over)
        reply(answer(result));
    });
  return true;
}

void resume_release_command(caf::actor_system& sys, release_command_context ctx,
                            resume_plan plan,
                            std::function<void(std::string)> reply) {
  sys.spawn<caf::hidden>([ctx, plan, reply](caf::blocking_actor* self) {
    if (!plan.rolled_back.empty()) {
      log(log_level::error, "release_handler", plan.rolled_back);
      reply("error: " + plan.rolled_back + "\n");
      return;
    }
    if (plan.install.empty()) { // a restart onto the permanent's runtime
      reply("ok\n");
      return;
    }
    command_run r{self, ctx, {}, {}};
    auto& vsn = plan.install;
    auto result = [&]() -> caf::expected<std::string> {
      if (auto err = rh::mark_installed(ctx.release_root, vsn))
        return err;
      auto line = "release " + vsn + " installed on runtime "
                  + running_runtime_version();
      log(log_level::info, "release_handler", line);
      auto out = plan.report + line + "\n";
      if (plan.health_ms > 0) {
        auto gate = r.health_gate(vsn, plan.health_ms);
        if (!gate)
          return gate.error();
        out += *gate;
      }
      if (plan.make_permanent) {
        if (auto err = r.make_permanent(vsn))
          return err;
        out += "release " + vsn + " is permanent\n";
      }
      return out;
    }();
    if (!r.handed_over)
      reply(answer(result));
  });
}

void note_booted(caf::actor_system& sys, release_command_context ctx,
                 std::function<void(caf::blocking_actor*)> done) {
  sys.spawn<caf::hidden>([ctx, done](caf::blocking_actor* self) {
    command_run r{self, ctx, {}, {}};
    if (auto now = r.running())
      if (auto err = rh::booted(ctx.release_root, *now))
        log(log_level::warning, "release_handler", describe_error(err));
    done(self);
  });
}

const char* release_commands_help() {
  return "releases                 each release with its state (* runs)\n"
         "unpack TARBALL           verify and unpack a release beside this one\n"
         "install VSN [--health MS]\n"
         "                         run the relup to VSN (state current); with\n"
         "                         --health: permanent if healthy for MS ms,\n"
         "                         else rolled back\n"
         "make_permanent VSN       boot VSN from now on\n"
         "remove VSN               delete a release that neither runs nor is permanent\n"
         "upgrade VSN              unpack (releases/<rel>-VSN.tar.gz) if needed, install, make_permanent\n"
         "downgrade VSN            install an earlier VSN (down script), make_permanent\n";
}

} // namespace relc
