#include "admin_commands.hpp"

#include <unistd.h>

#include <sstream>

#include <caf/all.hpp>

#include "controller_protocol.hpp"
#include "dist_protocol.hpp"
#include "relc/runtime/global_names.hpp"
#include "relc/runtime/node.hpp"
#include "relc/runtime/registry.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "release_commands.hpp"
#include "relc/runtime/release_layout.hpp"
#include "supervision_tree.hpp"

namespace relc {

namespace {

const caf::duration query_timeout{std::chrono::seconds(10)};

std::vector<std::string> words(const std::string& line) {
  std::istringstream in{line};
  std::vector<std::string> result;
  std::string w;
  while (in >> w)
    result.push_back(w);
  return result;
}

std::string error_reply(const caf::error& err) {
  return "error: " + describe_error(err) + "\n";
}

// The host's exec, for the command on connection `conn`.
std::function<caf::error(runtime_exec)>
with_connection(std::function<caf::error(runtime_exec)> exec, uint64_t conn) {
  if (!exec)
    return nullptr;
  return [exec, conn](runtime_exec req) {
    req.connection = conn;
    return exec(std::move(req));
  };
}

struct admin_state {
  admin_config cfg;
  static inline const char* name = "relc_admin";
};

using admin_ptr = caf::stateful_actor<admin_state>*;

class session {
public:
  session(admin_ptr self, uint64_t conn) : self_(self), conn_(conn) {}

  void reply(std::string text, bool keep_open = false) const {
    self_->state.cfg.outbox->post({conn_, std::move(text), keep_open});
  }

  // The node's controller; null (and the caller told) before the boot.
  caf::actor controller() const {
    auto ctl = self_->state.cfg.target->controller();
    if (!ctl)
      reply("error: the node is not booted yet\n");
    return ctl;
  }

  // One request to the controller; `ok` formats the answer.
  template <class Result, class F, class... Ts>
  void ask(caf::duration timeout, F ok, Ts&&... xs) const {
    auto ctl = controller();
    if (!ctl)
      return;
    auto me = *this;
    self_->request(ctl, timeout, std::forward<Ts>(xs)...)
      .then([me, ok](Result& r) { me.reply(ok(r)); },
            [me](caf::error& err) { me.reply(error_reply(err)); });
  }

  admin_ptr self() const { return self_; }

private:
  admin_ptr self_;
  uint64_t conn_;
};

std::string render_status(const node_status& st) {
  return std::string{"ok\n"} + to_string(st.state) + "\n" + st.last_step + "\n"
         + (st.note.empty() ? "" : st.note + "\n");
}

std::string render_timeline(const std::vector<timeline_entry>& xs) {
  std::string out = "ok\n";
  for (auto& e : xs)
    out += to_string(e) + "\n";
  return out;
}

void handle(admin_ptr self, uint64_t conn, const std::string& request) {
  session s{self, conn};
  auto& cfg = self->state.cfg;
  for (char c : request)
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\r') {
      s.reply("error: request contains control characters\n");
      return;
    }
  auto w = words(request);
  // `--progress CMD ...`: the client prints progress lines as they come
  // (only the release handler's long commands send any).
  bool wants_progress = !w.empty() && w[0] == progress_flag;
  if (wants_progress)
    w.erase(w.begin());
  if (w.empty()) {
    s.reply("error: empty request\n");
    return;
  }
  auto& cmd = w[0];
  auto arity = [&](size_t n) { return w.size() == n + 1; };
  auto ok = [](caf::ok_atom) { return std::string{"ok\n"}; };
  if (cmd == "ping" && arity(0)) {
    // A round trip through the controller: a pong says the node answers.
    s.ask<caf::ok_atom>(query_timeout,
                        [](caf::ok_atom) { return std::string{"ok\npong\n"}; },
                        ctl_atoms::ping::value);
  } else if (cmd == "pid" && arity(0)) {
    s.reply("ok\n" + std::to_string(getpid()) + "\n");
  } else if (cmd == "versions" && arity(0)) {
    // The running release, which an install changes: the controller's.
    auto ctl = cfg.target->controller();
    if (!ctl) { // not booted yet: the release it loaded
      s.reply("ok\n" + cfg.target->release_name() + " "
              + cfg.target->release_version() + "\n");
      return;
    }
    self->request(ctl, query_timeout, ctl_atoms::release::value)
      .then(
        [s](std::string& name, std::string& vsn) {
          s.reply("ok\n" + name + " " + vsn + "\n");
        },
        [s](caf::error& err) { s.reply(error_reply(err)); });
  } else if ((cmd == "help" || cmd == "?") && arity(0)) {
    s.reply(std::string{"ok\n"} + admin_help() + release_commands_help());
  } else if (cmd == "status" && arity(0)) {
    s.ask<node_status>(query_timeout, render_status, ctl_atoms::status::value);
  } else if (cmd == "timeline" && arity(0)) {
    s.ask<std::vector<timeline_entry>>(query_timeout, render_timeline,
                                       ctl_atoms::timeline::value);
  } else if (cmd == "apps" && arity(0)) {
    s.ask<std::vector<running_app>>(
      query_timeout,
      [](std::vector<running_app>& apps) {
        std::string out = "ok\n";
        for (auto& a : apps)
          out += a.name + " " + a.vsn + " " + a.type + "\n";
        return out;
      },
      ctl_atoms::apps::value);
  } else if (cmd == "registered" && arity(0)) {
    auto ctl = s.controller();
    if (!ctl)
      return;
    self->request(ctl, query_timeout, ctl_atoms::registry::value)
      .then(
        [self, s](registry_actor& reg) {
          if (!reg) {
            s.reply("error: the registry is not running\n");
            return;
          }
          self->request(reg, query_timeout, reg_atoms::names::value)
            .then(
              [s](std::vector<std::string>& names) {
                std::string out = "ok\n";
                for (auto& n : names)
                  out += n + "\n";
                s.reply(out);
              },
              [s](caf::error& err) { s.reply(error_reply(err)); });
        },
        [s](caf::error& err) { s.reply(error_reply(err)); });
  } else if (cmd == "tree" && arity(1)) {
    auto app = w[1];
    auto ctl = s.controller();
    if (!ctl)
      return;
    self->request(ctl, query_timeout, ctl_atoms::top::value, app)
      .then(
        [self, s, app](caf::actor& top) {
          if (!top) {
            s.reply("error: no running application " + app
                    + " with a supervisor\n");
            return;
          }
          // Rendering asks supervisor after supervisor: a helper thread.
          self->spawn<caf::detached + caf::hidden>(
            [top, app, s](caf::event_based_actor* helper) {
              s.reply("ok\n"
                      + render_supervision_tree(helper->system(), top, app));
              helper->quit();
            });
        },
        [s](caf::error& err) { s.reply(error_reply(err)); });
  } else if (cmd == "env_get" && arity(2)) {
    s.ask<term>(query_timeout,
                [](term& v) { return "ok\n" + v.to_string() + "\n"; },
                ctl_atoms::env_get::value, w[1], w[2]);
  } else if (cmd == "env_set" && w.size() >= 4) {
    // The value is the rest of the line, typed like YAML (42 is a number).
    auto pos = request.find(w[2], request.find(w[1]) + w[1].size());
    auto text = request.substr(pos + w[2].size());
    text.erase(0, text.find_first_not_of(" \t"));
    auto parsed = parse_yaml_term(text, "env_set");
    if (!parsed.ok) {
      s.reply("error: " + parsed.error + "\n");
      return;
    }
    s.ask<caf::ok_atom>(query_timeout, ok, ctl_atoms::env_set::value, w[1],
                        w[2], parsed.value);
  } else if ((cmd == "start_app" || cmd == "stop_app") && arity(1)) {
    auto local = [s, start = cmd == "start_app", app = w[1], ok] {
      if (start)
        s.ask<caf::ok_atom>(caf::infinite, ok, ctl_atoms::start_app::value, app);
      else
        s.ask<caf::ok_atom>(caf::infinite, ok, ctl_atoms::stop_app::value, app);
    };
    if (!cfg.net_kernel)
      return local();
    // A distributed app starts and stops on the whole cluster.
    self->request(cfg.net_kernel, query_timeout, dist_atoms::app_control::value,
                  w[1], cmd == "start_app")
      .then(
        [s, local](std::string& done) {
          if (done == "local")
            return local();
          s.reply("ok\n" + done);
        },
        [s](caf::error& err) { s.reply(error_reply(err)); });
  } else if (cmd == "restart" && arity(0)) {
    // Answers once the node is started again (with status' note, if any).
    auto ctl = s.controller();
    if (!ctl)
      return;
    // On a helper: it reads start.data. A permanent release on another
    // runtime restarts by an exec of that runtime, which answers.
    self->spawn<caf::detached + caf::hidden>(
      [ctl, conn, outbox = cfg.outbox, root = cfg.release_root,
       name = cfg.release_name,
       exec = with_connection(cfg.exec_runtime, conn)](
        caf::event_based_actor* helper) {
        auto fail = [outbox, conn](const caf::error& err) {
          outbox->post({conn, error_reply(err), false});
        };
        auto start = layout::read_start_data(root);
        if (exec && start && start->runtime_vsn != running_runtime_version()) {
          runtime_exec req;
          req.runtime_vsn = start->runtime_vsn;
          auto err = find_runtime_executable(root, req.runtime_vsn, req.executable);
          if (!err)
            err = exec(std::move(req));
          if (err)
            fail(err);
          helper->quit();
          return;
        }
        helper->request(ctl, caf::infinite, ctl_atoms::restart::value)
          .then(
            [helper, ctl, conn, outbox, root, name](caf::ok_atom) {
              // RELEASES follows what booted, then the reply (with status'
              // note).
              note_booted(helper->system(), {root, name, ctl, nullptr},
                          [ctl, conn, outbox](caf::blocking_actor* b) {
                            std::string text = "ok\n";
                            b->request(ctl, query_timeout, ctl_atoms::status::value)
                              .receive(
                                [&](node_status& st) {
                                  if (!st.note.empty())
                                    text += st.note + "\n";
                                },
                                [](caf::error&) {});
                            outbox->post({conn, text, false});
                          });
              helper->quit();
            },
            [helper, fail](caf::error& err) {
              fail(err);
              helper->quit();
            });
      });
  } else if ((cmd == "nodes" && arity(0)) || (cmd == "globals" && arity(0))
             || (cmd == "whereis_global" && arity(1))
             || (cmd == "connect" && arity(1)) || (cmd == "where" && arity(1))) {
    if (!cfg.net_kernel) {
      s.reply("error: this node is not distributed (--dist-listen)\n");
      return;
    }
    auto on_error = [s](caf::error& err) { s.reply(error_reply(err)); };
    if (cmd == "nodes") {
      self->request(cfg.net_kernel, query_timeout, dist_atoms::nodes::value)
        .then([s](std::string& text) { s.reply("ok\n" + text); }, on_error);
    } else if (cmd == "where") {
      self->request(cfg.net_kernel, query_timeout, dist_atoms::where::value, w[1])
        .then([s](std::string& node) { s.reply("ok\n" + node + "\n"); },
              on_error);
    } else if (cmd == "connect") {
      self->request(cfg.net_kernel, query_timeout, dist_atoms::connect::value, w[1])
        .then(
          [s, peer = w[1]](std::string& why) {
            s.reply(why.empty() ? "ok\n" + peer + " up\n"
                                : "error: " + peer + ": " + why + "\n");
          },
          on_error);
    } else {
      auto only = cmd == "whereis_global" ? w[1] : std::string{};
      self->request(cfg.net_kernel, query_timeout, global_atoms::names::value)
        .then(
          [s, only](std::string& text) {
            if (only.empty())
              return s.reply("ok\n" + text);
            // One line `NAME NODE` of the table.
            std::istringstream in{text};
            for (std::string line; std::getline(in, line);)
              if (line.rfind(only + " ", 0) == 0)
                return s.reply("ok\n" + line + "\n");
            s.reply("error: no global name " + only + "\n");
          },
          on_error);
    }
  } else if ((cmd == "stop" || cmd == "reboot") && arity(0)) {
    // The connection stays open until the process is gone: the caller of
    // `stop` returns then, and knows how long to wait for it.
    auto text = "ok\nstopping within "
                + std::to_string(cfg.shutdown_time.count()) + " ms\n";
    if (cmd == "reboot")
      text += cfg.heart_active() ? "heart restarts the node\n"
                                 : "no heart: the caller starts the node\n";
    s.reply(text, true);
    cfg.on_stop(cmd == "reboot");
  } else if (run_release_command(
               self->system(),
               {cfg.release_root, cfg.release_name, cfg.target->controller(),
                with_connection(cfg.exec_runtime, conn)},
               w,
               [outbox = cfg.outbox, conn](std::string text) {
                 outbox->post({conn, std::move(text), false});
               },
               wants_progress ? progress_fn{[outbox = cfg.outbox,
                                             conn](const std::string& line) {
                 control_reply r;
                 r.connection = conn;
                 r.text = progress_prefix + line + "\n";
                 r.partial = true;
                 outbox->post(std::move(r));
               }}
                              : progress_fn{})) {
    // answered by the release handler's own actor
  } else {
    s.reply("error: unknown command or wrong arguments: '"
            + request.substr(0, 80) + "' (try 'help')\n");
  }
}

} // namespace

const char* admin_help() {
  return "ping                     pong, after a round trip through the node\n"
         "pid                      the node's process id\n"
         "status                   starting|started|stopping and the last step\n"
         "versions                 the running release's name and version\n"
         "apps                     running applications with versions and types\n"
         "registered               registered names\n"
         "env_get APP KEY          an application's env value\n"
         "env_set APP KEY VALUE    set it (VALUE is YAML)\n"
         "start_app APP            start a stopped application\n"
         "stop_app APP             stop an application on purpose\n"
         "tree APP                 its supervision tree\n"
         "nodes                    this node and the nodes it knows: up|down, address\n"
         "connect NODE@HOST:PORT   connect to a node (net_adm:ping)\n"
         "globals                  the cluster's global names: NAME NODE\n"
         "where APP                the node running a distributed application\n"
         "whereis_global NAME      the node holding a global name\n"
         "timeline                 every boot and stop step with its time\n"
         "restart                  run the boot script again in this process\n"
         "reboot                   exit; heart or the start script starts it again\n"
         "stop                     stop the node; returns once it is gone\n"
         "help                     this list\n"
         "-- release handling --\n";
}

caf::actor spawn_admin(caf::actor_system& sys, admin_config cfg) {
  return sys.spawn<caf::hidden>(
    [](admin_ptr self, admin_config cfg) -> caf::behavior {
      self->state.cfg = std::move(cfg);
      return {
        [self](uint64_t conn, const std::string& line) {
          handle(self, conn, line);
        },
      };
    },
    std::move(cfg));
}

} // namespace relc
