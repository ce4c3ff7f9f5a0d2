#include "net_kernel.hpp"

#include <functional>
#include <map>
#include <random>
#include <set>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "controller_protocol.hpp"
#include "dist_protocol.hpp"
#include "global_table.hpp"
#include "placement.hpp"
#include "relc/runtime/global_names.hpp"
#include "relc/runtime/application.hpp"
#include "relc/runtime/lifecycle_event.hpp"
#include "relc/runtime/log.hpp"
#include "relc/runtime/runtime_error.hpp"

namespace relc {

namespace {

using namespace std::chrono_literals;

// A connect, or a hello over it, that takes longer is a failed attempt.
constexpr auto attempt_timeout = std::chrono::seconds(5);
// Between two rounds of connects while a sync waits: doubling from the
// first to the last, so a peer that refuses us is not hammered.
constexpr auto first_retry = std::chrono::milliseconds(100);
constexpr auto last_retry = std::chrono::milliseconds(1600);
// A listed node that went down is tried again, from the first pause to
// the last, until it is back (a partition heals, a node restarts).
constexpr int64_t first_reconnect_ms = 100;
constexpr int64_t last_reconnect_ms = 2000;

struct peer {
  std::string address;  ///< where it listens, HOST:PORT
  caf::actor kernel;    ///< its net kernel (null while down)
  bool up = false;
  bool connecting = false;
  std::string why;      ///< the last failure or the reason it went down
  /// While a connect's hello is under way: the kernel it went to (its
  /// proxy dies if the connection is lost meanwhile), and how that attempt
  /// fails at once then.
  caf::actor dialing;
  std::function<void(const std::string&)> lost;
  bool retry_pending = false; ///< a reconnect message is on its way
  bool was_up = false;        ///< connected at least once
  int mesh_tries = 0;         ///< retries of a node learnt of (bounded)
};

// One distributed application as this node sees it.
struct app_place {
  dist_app cfg;
  std::string runner;        ///< the node running it ("" none)
  bool here = false;         ///< it runs on this node (during a takeover
                             ///< also while `runner` is the new node)
  bool starting = false;     ///< this node's start is under way
  start_reason starting_as;  ///< ... of this type
  std::string failover_from; ///< its node went down: wait, then fail over
  bool waiting = false;      ///< the failover timeout has not passed yet
  bool enabled = true;       ///< false after a cluster-wide stop
  bool releasing = false;    ///< taken over: its stop here is under way
};

struct kernel_state {
  dist_settings cfg;
  caf::io::middleman_actor mm;
  caf::actor events; ///< the application controller, once it runs
  std::map<std::string, peer> peers;
  // The sync the host waits for (at most one, at boot).
  caf::response_promise sync;
  bool syncing = false;
  int64_t sync_seconds = 0; // the sync's progress lines so far
  std::chrono::milliseconds retry_delay = first_retry;
  global_table globals{""};
  // await_global requests by name, each with its id.
  std::map<std::string, std::vector<std::pair<uint64_t, caf::response_promise>>>
    awaiting;
  uint64_t next_await = 0;
  std::map<std::string, app_place> apps; ///< kernel env distributed
  /// Nodes this node learnt of from another (connect_all), not listed.
  std::map<std::string, dist_peer> mesh;
  std::minstd_rand rng{std::random_device{}()}; ///< retry jitter
  static inline const char* name = "relc_net_kernel";
};

using kernel_ptr = caf::stateful_actor<kernel_state>*;

std::string listen_address(const dist_settings& s) {
  return s.listen_host + ":" + std::to_string(s.listen_port);
}

void emit(kernel_ptr self, lifecycle_kind kind, const std::string& node,
          const std::string& reason) {
  auto& st = self->state;
  relc::log(kind == lifecycle_kind::node_up ? log_level::info
                                            : log_level::warning,
            "dist", std::string{kind == lifecycle_kind::node_up ? "node up: "
                                                                 : "node down: "}
                      + node + " (" + reason + ")");
  if (!st.events)
    return;
  lifecycle_event ev;
  ev.kind = kind;
  ev.detail = node;
  ev.reason = reason;
  self->send(st.events, ctl_atoms::publish::value, std::move(ev));
}

void decide_all(kernel_ptr self);
void broadcast(kernel_ptr self, const caf::message& msg);

// An address that names no one host (0.0.0.0:P, [::]:P): not an identity,
// and no use to another node.
bool wildcard_address(const std::string& address) {
  return address.rfind("0.0.0.0:", 0) == 0 || address.rfind("[::]:", 0) == 0
         || address.rfind(":::", 0) == 0;
}

void node_up(kernel_ptr self, const std::string& name,
             const std::string& address, caf::actor kernel) {
  auto& p = self->state.peers[name];
  p.connecting = false;
  if (p.up && p.kernel == kernel)
    return;
  if (p.up && p.kernel) // the same node again over another connection
    self->demonitor(p.kernel);
  p.address = address;
  p.kernel = kernel;
  p.up = true;
  p.was_up = true;
  p.why.clear();
  self->monitor(kernel);
  emit(self, lifecycle_kind::node_up, name, address);
  // connect_all: the new node connects to every other node this one is
  // connected to, so a cluster stays a full mesh whichever node one joins.
  if (self->state.cfg.connect_all) {
    std::vector<std::string> others;
    for (auto& [other, q] : self->state.peers)
      if (q.up && other != name && !wildcard_address(q.address))
        others.push_back(other + "@" + q.address);
    if (!others.empty())
      self->send(kernel, dist_atoms::peers::value, std::move(others));
  }
  // The new node learns this node's global names (and this node its own,
  // from its node_up): a name held on both sides is settled the same way
  // on each (global_table::add).
  for (auto& [gname, actor] : self->state.globals.owned())
    self->send(kernel, dist_atoms::global_add::value, gname, actor,
               self->state.cfg.name);
  // ... and where this node runs distributed apps, and which are stopped
  // cluster-wide.
  for (auto& [app, place] : self->state.apps) {
    if (place.here && place.runner == self->state.cfg.name)
      self->send(kernel, dist_atoms::app_state::value, app,
                 self->state.cfg.name, true);
    if (!place.enabled)
      self->send(kernel, dist_atoms::app_enabled::value, app, false);
  }
  decide_all(self);
}

// -- distributed applications (OTP's dist_ac) --------------------------------

std::set<std::string> live_nodes(const kernel_state& st) {
  std::set<std::string> result{st.cfg.name};
  for (auto& [name, p] : st.peers)
    if (p.up)
      result.insert(name);
  return result;
}

caf::actor kernel_of(const kernel_state& st, const std::string& node) {
  auto i = st.peers.find(node);
  return i != st.peers.end() && i->second.up ? i->second.kernel : caf::actor{};
}

void place_log(const std::string& app, const std::string& text) {
  relc::log(log_level::info, "dist", "distributed app " + app + ": " + text);
}

// Starts `app` here when this node is the one that should run it: normal
// when it ran nowhere, failover after its node went down, takeover from a
// node of lower priority.
void decide(kernel_ptr self, const std::string& app) {
  auto& st = self->state;
  auto& place = st.apps[app];
  if (!st.events || place.starting || place.here || !place.enabled)
    return;
  auto live = live_nodes(st);
  if (!place.runner.empty() && live.count(place.runner) == 0)
    place.runner.clear();
  if (preferred_node(place.cfg, live, place.runner) != st.cfg.name)
    return;
  start_reason why;
  if (!place.runner.empty()) {
    why = {"takeover", place.runner};
  } else if (!place.failover_from.empty()) {
    if (place.waiting)
      return;
    why = {"failover", place.failover_from};
  }
  place.starting = true;
  place.starting_as = why;
  place_log(app, why.type == "normal"
                   ? std::string{"starting here"}
                   : "starting here (" + why.type + " from " + why.from_node + ")");
  self
    ->request(st.events, caf::infinite, ctl_atoms::start_app_as::value, app,
              why.type, why.from_node)
    .then([](caf::ok_atom) {},
          [self, app](caf::error& err) {
            auto& p = self->state.apps[app];
            p.starting = false;
            place_log(app, "start here failed: " + describe_error(err));
          });
}

void decide_all(kernel_ptr self) {
  for (auto& [app, place] : self->state.apps)
    decide(self, app);
}

// Of two nodes that both run `app`, whether `a` keeps it: higher priority,
// or the first by name within a group.
bool comes_first(const dist_app& app, const std::string& a,
                 const std::string& b) {
  auto pa = app.priority(a), pb = app.priority(b);
  return pa >= 0 && (pb < 0 || pa < pb || (pa == pb && a < b));
}

// Asks this node's controller to stop `app` here; `what` names the stop in
// the line a failure gets.
void stop_here(kernel_ptr self, const std::string& app, const char* what) {
  if (!self->state.events)
    return;
  self->request(self->state.events, caf::infinite, ctl_atoms::stop_app::value, app)
    .then([](caf::ok_atom) {}, [app, what](caf::error& err) {
      place_log(app, std::string{what} + " failed: " + describe_error(err));
    });
}

// `app` runs here and on `other`, which comes first: it stops here.
void yield_to(kernel_ptr self, const std::string& app, app_place& place,
              const std::string& other) {
  place_log(app, "runs on " + other + " too, which comes first: stopping it "
                 "here");
  place.runner = other;
  place.releasing = true;
  stop_here(self, app, "stop");
}

// A lifecycle event of this node's controller about a distributed app.
void local_app_event(kernel_ptr self, const lifecycle_event& ev) {
  auto& st = self->state;
  auto i = st.apps.find(ev.app);
  if (i == st.apps.end())
    return;
  auto& place = i->second;
  if (ev.kind == lifecycle_kind::started) {
    auto as = place.starting_as;
    // News that another node runs it came while this start was under way.
    auto other = place.runner;
    place.starting = false;
    place.failover_from.clear();
    place.runner = st.cfg.name;
    place.here = true;
    if (!other.empty() && other != st.cfg.name && as.type != "takeover"
        && kernel_of(st, other) && comes_first(place.cfg, other, st.cfg.name)) {
      yield_to(self, ev.app, place, other);
      return;
    }
    // A takeover: only now is the app stopped where it ran (told before
    // the news that it runs here, which would read as a conflict there).
    if (as.type == "takeover")
      if (auto k = kernel_of(st, as.from_node))
        self->send(k, dist_atoms::release::value, ev.app);
    broadcast(self, caf::make_message(dist_atoms::app_state::value, ev.app,
                                      st.cfg.name, true));
  } else if (ev.kind == lifecycle_kind::stopped
             || ev.kind == lifecycle_kind::exited
             || ev.kind == lifecycle_kind::crashed
             || ev.kind == lifecycle_kind::start_failed) {
    place.starting = false;
    place.here = false;
    place.releasing = false;
    if (place.runner == st.cfg.name) {
      place.runner.clear();
      broadcast(self, caf::make_message(dist_atoms::app_state::value, ev.app,
                                        st.cfg.name, false));
    }
  }
}

// A name is held now: its awaiters get the actor.
void name_held(kernel_ptr self, const std::string& name,
               const caf::actor& actor) {
  auto i = self->state.awaiting.find(name);
  if (i == self->state.awaiting.end())
    return;
  for (auto& [id, promise] : i->second)
    promise.deliver(actor);
  self->state.awaiting.erase(i);
}

void broadcast(kernel_ptr self, const caf::message& msg) {
  for (auto& [name, p] : self->state.peers)
    if (p.up && p.kernel)
      self->send(p.kernel, msg);
}

void add_global(kernel_ptr self, const std::string& name, global_holder h) {
  auto& st = self->state;
  auto r = st.globals.add(name, h);
  if (r.conflict) {
    auto& winner = r.added ? h : *st.globals.find(name);
    relc::log(log_level::warning, "dist",
              "global name " + name + " was held on " + winner.node
                + " and on " + r.loser.node + ": " + winner.node
                + "'s holder keeps it");
    if (r.loser.node == st.cfg.name)
      self->send(r.loser.actor, global_name_conflict::value, name);
  }
  if (r.added)
    name_held(self, name, h.actor);
}

std::vector<const dist_peer*> listed(const kernel_state& st) {
  std::vector<const dist_peer*> result;
  for (auto* xs : {&st.cfg.mandatory, &st.cfg.optional})
    for (auto& x : *xs)
      result.push_back(&x);
  return result;
}

// The sync is done when every listed node is up.
void check_sync(kernel_ptr self) {
  auto& st = self->state;
  if (!st.syncing)
    return;
  for (auto* p : listed(st)) {
    auto i = st.peers.find(p->name);
    if (i == st.peers.end() || !i->second.up)
      return;
  }
  st.syncing = false;
  st.sync.deliver(std::string{});
}

// The sync's end: at its deadline, or after the one round of connects a
// timeout of 0 asks for. A missing mandatory node is the sync's failure.
void finish_sync(kernel_ptr self) {
  auto& st = self->state;
  if (!st.syncing)
    return;
  st.syncing = false;
  std::string missing_mandatory, missing_optional;
  auto missing = [&](const dist_peer& p, std::string& out) {
    auto& q = st.peers[p.name];
    if (q.up)
      return;
    out += (out.empty() ? "" : ", ") + p.text()
           + (q.why.empty() ? std::string{" (no answer)"} : " (" + q.why + ")");
  };
  for (auto& p : st.cfg.mandatory)
    missing(p, missing_mandatory);
  for (auto& p : st.cfg.optional)
    missing(p, missing_optional);
  auto waited = std::to_string(st.cfg.sync_timeout.count()) + " ms";
  if (!missing_optional.empty())
    relc::log(log_level::warning, "dist",
              "sync_nodes: optional node(s) not connected after " + waited
                + ": " + missing_optional);
  if (!missing_mandatory.empty())
    st.sync.deliver("sync_nodes: mandatory node(s) not connected after "
                    + waited + ": " + missing_mandatory);
  else
    st.sync.deliver(std::string{});
}

// Once a second of a sync: which listed nodes it still waits for, and why,
// so a boot held up by sync_nodes says by whom.
void sync_tick(kernel_ptr self) {
  auto& st = self->state;
  if (!st.syncing)
    return;
  std::string waiting;
  for (auto* p : listed(st)) {
    auto& q = st.peers[p->name];
    if (q.up)
      continue;
    waiting += (waiting.empty() ? "" : ", ") + p->text()
               + (q.why.empty() ? std::string{} : " (" + q.why + ")");
  }
  ++st.sync_seconds;
  auto of = st.cfg.sync_timeout.count() > 0
              ? " of " + std::to_string(st.cfg.sync_timeout.count() / 1000) + " s"
              : std::string{};
  relc::log(log_level::info, "dist",
            "sync_nodes: waiting for " + waiting + " ("
              + std::to_string(st.sync_seconds) + " s" + of + ")");
  self->delayed_send(self, std::chrono::seconds(1), dist_atoms::sync_tick::value);
}

// With sync_nodes_timeout 0 the sync ends when its one round is answered.
void round_answered(kernel_ptr self) {
  auto& st = self->state;
  if (!st.syncing || st.cfg.sync_timeout.count() > 0)
    return;
  for (auto* p : listed(st))
    if (st.peers[p->name].connecting)
      return;
  finish_sync(self);
}

// A failed connect in a few words.
std::string connect_failure(const caf::error& err) {
  if (err.category() == caf::atom("system")) {
    switch (static_cast<caf::sec>(err.code())) {
      case caf::sec::cannot_connect_to_node:
        return "cannot connect";
      case caf::sec::request_timeout:
        return "no answer within "
               + std::to_string(attempt_timeout.count()) + " s";
      case caf::sec::disconnect_during_handshake:
        return "it closed the connection during the handshake (TLS refused, "
               "or plain TCP against TLS)";
      default:
        break;
    }
  }
  return describe_error(err);
}

bool is_listed(const kernel_state& st, const std::string& name) {
  for (auto* p : listed(st))
    if (p->name == name)
      return true;
  return false;
}

// A node learnt of from another is dialled again until it was up once (it
// left the cluster for good otherwise: its own seeds bring it back).
bool dials_again(const kernel_state& st, const std::string& name) {
  if (is_listed(st, name))
    return true;
  auto i = st.peers.find(name);
  return st.mesh.count(name) > 0 && (i == st.peers.end() || !i->second.was_up);
}

// The address to dial for `name`: listed, or learnt of.
const dist_peer* target_of(const kernel_state& st, const std::string& name) {
  for (auto* p : listed(st))
    if (p->name == name)
      return p;
  auto i = st.mesh.find(name);
  return i != st.mesh.end() ? &i->second : nullptr;
}

// A listed node that is not up is dialled again until it is, however its
// last attempt ended (refused, lost, no answer): no link stays one-sided.
// Of two nodes that lost crossing connects, the one with the smaller name
// dials again first and the other a little later, so they do not cross
// again (the same rule on both sides).
// How a connect ends when the two nodes dialled each other at once and
// each closed the connection the other kept.
constexpr const char* crossed_connects
  = "the connection was lost during the handshake (both nodes dialled each "
    "other at once?)";

void schedule_retry(kernel_ptr self, const std::string& name,
                    const std::string& why) {
  auto& st = self->state;
  auto& q = st.peers[name];
  if (q.up || q.retry_pending || !dials_again(st, name))
    return;
  // A node learnt of from another gets a few tries, not a dial for good.
  if (!is_listed(st, name) && ++q.mesh_tries > 5)
    return;
  q.retry_pending = true;
  if (why == crossed_connects) {
    int64_t ms = st.cfg.name < name ? 20 : 250;
    self->delayed_send(self, std::chrono::milliseconds(ms),
                       dist_atoms::reconnect::value, name, first_reconnect_ms);
    return;
  }
  // A node that is not there (yet): a try every 1-2 s, at a moment of its
  // own, so that its own dial when it starts rarely meets one of ours.
  std::uniform_int_distribution<int64_t> jitter{0, 1000};
  self->delayed_send(self, std::chrono::milliseconds(1000 + jitter(st.rng)),
                     dist_atoms::reconnect::value, name, last_reconnect_ms);
}

void connect(kernel_ptr self, const dist_peer& target,
             std::function<void(const std::string&)> done = nullptr) {
  auto& p = self->state.peers[target.name];
  if (p.up || p.connecting) {
    if (done)
      done(p.up ? std::string{} : "a connect is under way");
    return;
  }
  p.connecting = true;
  if (p.address.empty())
    p.address = target.host + ":" + std::to_string(target.port);
  auto name = target.name;
  auto attempt = std::make_shared<bool>(false); // settled
  auto fail = [self, name, done, attempt](const std::string& why) {
    if (*attempt)
      return;
    *attempt = true;
    auto& q = self->state.peers[name];
    q.connecting = false;
    // Not demonitored: the same proxy may be the peer's kernel, monitored
    // since an incoming hello put the peer up (demonitor drops every
    // monitor on it); a later down message of it is then ignored here.
    q.dialing = nullptr;
    q.lost = nullptr;
    if (!q.up)
      q.why = why;
    round_answered(self);
    if (done)
      done(why);
    schedule_retry(self, name, why);
  };
  auto address = target.host + ":" + std::to_string(target.port);
  self->request(self->state.mm, attempt_timeout, caf::connect_atom::value,
                target.host, target.port)
    .then(
      [=](const caf::node_id&, caf::strong_actor_ptr& ptr,
          const std::set<std::string>&) {
        auto kernel = caf::actor_cast<caf::actor>(ptr);
        if (!kernel)
          return fail("no relc node listens there");
        // Two nodes that dial each other at the same moment may each close
        // the connection the other keeps (CAF drops a redundant one on
        // each side): the hello is then lost, and the kernel's proxy dies.
        // Watching it ends the attempt at once, not after the timeout.
        auto& q = self->state.peers[name];
        q.dialing = kernel;
        q.lost = fail;
        self->monitor(kernel);
        self->request(kernel, attempt_timeout, dist_atoms::hello::value,
                      self->state.cfg.name, listen_address(self->state.cfg))
          .then(
            [=](const std::string& theirs) {
              if (*attempt)
                return;
              if (theirs != name)
                return fail("the node there is named " + theirs);
              *attempt = true;
              auto& q = self->state.peers[name];
              q.dialing = nullptr; // not demonitored: see fail
              q.lost = nullptr;
              node_up(self, name, address, kernel);
              check_sync(self);
              round_answered(self);
              if (done)
                done(std::string{});
            },
            [=](caf::error& err) { fail(describe_error(err)); });
      },
      [=](caf::error& err) { fail(connect_failure(err)); });
}

void connect_listed(kernel_ptr self) {
  for (auto* p : listed(self->state))
    connect(self, *p);
}

// Node `name` is down (its kernel died, its connection was lost, or it
// came back as a new incarnation): its global names go, its distributed
// apps fail over, and a listed node is dialled again.
void peer_down(kernel_ptr self, const std::string& name, const std::string& why) {
  auto& p = self->state.peers[name];
  if (p.kernel)
    self->demonitor(p.kernel);
  p.up = false;
  p.kernel = nullptr;
  p.why = why;
  self->state.globals.remove_node(name);
  emit(self, lifecycle_kind::node_down, name, p.why);
  for (auto& [app, place] : self->state.apps)
    if (place.runner == name) {
      place.runner.clear();
      place.failover_from = name;
      place.waiting = true;
      self->delayed_send(self, place.cfg.failover_timeout,
                         dist_atoms::failover::value, app);
    }
  decide_all(self);
  if (is_listed(self->state, name) && !p.retry_pending) {
    p.retry_pending = true;
    self->delayed_send(self, std::chrono::milliseconds(first_reconnect_ms),
                       dist_atoms::reconnect::value, name, first_reconnect_ms);
  }
}

std::string render_nodes(const kernel_state& st) {
  std::string out = st.cfg.name + " self " + listen_address(st.cfg)
                    + (st.cfg.insecure ? " insecure" : " tls") + "\n";
  for (auto& [name, p] : st.peers)
    out += name + (p.up ? " up " : " down ") + p.address
           + (p.up || p.why.empty() ? "" : " (" + p.why + ")") + "\n";
  return out;
}

caf::behavior net_kernel_behavior(kernel_ptr self, dist_settings cfg,
                         caf::io::middleman_actor mm) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.mm = std::move(mm);
  st.globals = global_table{st.cfg.name};
  // whereis_global reads the names from here, without a round trip.
  st.globals.mirror_to(detail::global_view::attach(self->system()));
  for (auto& app : st.cfg.apps)
    st.apps[app.name].cfg = app;
  self->system().registry().put(net_kernel_key,
                                caf::actor_cast<caf::strong_actor_ptr>(self));
  self->attach_functor([sys = &self->system()] {
    sys->registry().erase(net_kernel_key);
    detail::global_view::detach(*sys);
  });
  // Listed nodes show as down until they are up.
  for (auto* p : listed(st))
    st.peers[p->name].address = p->host + ":" + std::to_string(p->port);
  self->set_down_handler([self](caf::down_msg& msg) {
    // A connect whose hello is under way lost its connection; the same
    // proxy may also be the peer's kernel (it is up by its own hello):
    // that goes on below.
    for (auto& [name, p] : self->state.peers)
      if (p.dialing && p.dialing.address() == msg.source && p.lost) {
        auto lost = p.lost; // fail() clears it
        lost(crossed_connects);
        break;
      }
    for (auto& [name, p] : self->state.peers)
      if (p.up && p.kernel && p.kernel.address() == msg.source) {
        peer_down(self, name,
                  msg.reason == caf::exit_reason::remote_link_unreachable
                    ? std::string{"connection lost"}
                    : exit_reason_text(msg.reason));
        return;
      }
    // A holder of global names on this node died: its names go everywhere.
    for (auto& gname : self->state.globals.remove_actor(msg.source))
      broadcast(self, caf::make_message(dist_atoms::global_del::value, gname,
                                        self->state.cfg.name));
  });
  return {
    [self](dist_atoms::hello, const std::string& name,
           const std::string& address) -> caf::result<std::string> {
      auto& st = self->state;
      auto from = caf::actor_cast<caf::actor>(self->current_sender());
      if (!from)
        return make_error(runtime_errc::distribution, "hello without a sender");
      if (!valid_node_name(name))
        return make_error(runtime_errc::distribution,
                          "bad node name '" + name + "'");
      auto refuse = [&](const std::string& why) {
        relc::log(log_level::warning, "dist",
                  "refused node " + name + " at " + address + ": " + why);
        return make_error(runtime_errc::distribution, why);
      };
      if (name == st.cfg.name)
        return refuse("node name " + name + " is taken (by "
                      + listen_address(st.cfg) + ")");
      auto i = st.peers.find(name);
      if (i != st.peers.end() && i->second.up && i->second.kernel
          && i->second.kernel.node() != from.node()) {
        // The same name at the same address is that node restarted before
        // its old connection was seen to drop (two live nodes cannot
        // listen on one address): the new one replaces it.
        if (i->second.address != address || wildcard_address(address))
          return refuse("node name " + name + " is taken (by "
                        + i->second.address + ")");
        relc::log(log_level::info, "dist",
                  "node " + name + " at " + address
                    + " restarted: its new connection replaces the old");
        peer_down(self, name, "restarted");
      }
      node_up(self, name, address, from);
      check_sync(self);
      return st.cfg.name;
    },
    [self](dist_atoms::sync) -> caf::result<std::string> {
      auto& st = self->state;
      if (listed(st).empty())
        return std::string{};
      st.sync = self->make_response_promise();
      st.syncing = true;
      connect_listed(self);
      // The listed nodes may have connected already (their reconnects find
      // this node as soon as it listens).
      auto promise = st.sync;
      check_sync(self);
      if (!st.syncing)
        return promise;
      self->delayed_send(self, std::chrono::seconds(1),
                         dist_atoms::sync_tick::value);
      if (st.cfg.sync_timeout.count() > 0) {
        self->delayed_send(self, st.retry_delay, dist_atoms::retry::value);
        self->delayed_send(self, st.cfg.sync_timeout,
                           dist_atoms::sync_deadline::value);
      }
      return st.sync;
    },
    [self](dist_atoms::retry) {
      if (!self->state.syncing)
        return;
      auto& st = self->state;
      connect_listed(self);
      st.retry_delay = std::min(st.retry_delay * 2, last_retry);
      self->delayed_send(self, st.retry_delay, dist_atoms::retry::value);
    },
    [self](dist_atoms::sync_deadline) { finish_sync(self); },
    [self](dist_atoms::sync_tick) { sync_tick(self); },
    [self](dist_atoms::nodes) { return render_nodes(self->state); },
    [self](dist_atoms::reconnect, const std::string& name, int64_t ms) {
      auto* target = target_of(self->state, name);
      auto& q = self->state.peers[name];
      q.retry_pending = false;
      if (!target || q.up || q.connecting || !dials_again(self->state, name))
        return;
      // Failed: the next try after a growing pause (not the quick one
      // schedule_retry would make); a node learnt of gets a few tries.
      q.retry_pending = true;
      auto peer = *target;
      connect(self, peer, [self, name, ms](const std::string& why) {
        auto& q = self->state.peers[name];
        if (why.empty() || q.up || (!is_listed(self->state, name)
                                    && ms >= last_reconnect_ms)) {
          q.retry_pending = false;
          return;
        }
        auto next = std::min(ms * 2, last_reconnect_ms);
        self->delayed_send(self, std::chrono::milliseconds(next),
                           dist_atoms::reconnect::value, name, next);
      });
    },
    [self](dist_atoms::peers, const std::vector<std::string>& others) {
      auto& st = self->state;
      if (!st.cfg.connect_all)
        return;
      for (auto& text : others) {
        auto peer = parse_dist_peer(text);
        if (!peer || peer->name == st.cfg.name)
          continue;
        if (st.cfg.insecure && !is_loopback_host(peer->host))
          continue; // plain TCP stays on loopback
        auto& q = st.peers[peer->name];
        if (q.up || q.connecting)
          continue;
        if (!is_listed(st, peer->name))
          st.mesh[peer->name] = *peer;
        q.address = peer->host + ":" + std::to_string(peer->port);
        connect(self, *peer);
      }
    },
    [self](dist_atoms::connect, const std::string& text)
      -> caf::result<std::string> {
      auto peer = parse_dist_peer(text);
      if (!peer)
        return "connect: " + describe_error(peer.error());
      if (peer->name == self->state.cfg.name)
        return std::string{"connect: that is this node"};
      auto promise = self->make_response_promise<std::string>();
      connect(self, *peer, [promise](const std::string& why) mutable {
        promise.deliver(why);
      });
      return promise;
    },
    [self](global_atoms::register_name, const std::string& name,
           const caf::actor& who) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      if (!who)
        return make_error(runtime_errc::distribution,
                          "register_global " + name + ": no actor");
      if (auto* h = st.globals.find(name)) {
        if (h->actor == who)
          return caf::ok_atom::value;
        return make_error(runtime_errc::name_taken,
                          "global name " + name + " is held on node " + h->node);
      }
      add_global(self, name, {who, st.cfg.name});
      self->monitor(who);
      broadcast(self, caf::make_message(dist_atoms::global_add::value, name,
                                        who, st.cfg.name));
      return caf::ok_atom::value;
    },
    [self](global_atoms::whereis, const std::string& name) {
      auto* h = self->state.globals.find(name);
      return h ? h->actor : caf::actor{};
    },
    [self](global_atoms::await, const std::string& name,
           int64_t ms) -> caf::result<caf::actor> {
      auto& st = self->state;
      if (auto* h = st.globals.find(name))
        return h->actor;
      auto id = ++st.next_await;
      auto promise = self->make_response_promise<caf::actor>();
      st.awaiting[name].emplace_back(id, promise);
      self->delayed_send(self, std::chrono::milliseconds(ms),
                         dist_atoms::await_deadline::value, name, id);
      return promise;
    },
    [self](dist_atoms::await_deadline, const std::string& name, uint64_t id) {
      auto& st = self->state;
      auto i = st.awaiting.find(name);
      if (i == st.awaiting.end())
        return;
      auto& xs = i->second;
      for (auto j = xs.begin(); j != xs.end(); ++j)
        if (j->first == id) {
          j->second.deliver(make_error(runtime_errc::await_timeout,
                                       "await_global " + name
                                         + ": not registered in time"));
          xs.erase(j);
          break;
        }
      if (xs.empty())
        st.awaiting.erase(i);
    },
    [self](global_atoms::names) { return self->state.globals.render(); },
    [self](const lifecycle_event& ev) { local_app_event(self, ev); },
    [self](dist_atoms::app_state, const std::string& app,
           const std::string& node, bool running) {
      auto& st = self->state;
      auto i = st.apps.find(app);
      if (i == st.apps.end() || node == st.cfg.name)
        return;
      auto& place = i->second;
      if (running && place.here && !place.starting && !place.releasing) {
        // Both run it (a partition healed, or a node booted before it saw
        // the others): the holder of higher priority keeps it, by name
        // within a group; the other stops it here.
        if (comes_first(place.cfg, node, st.cfg.name))
          yield_to(self, app, place, node);
        return;
      }
      if (running) {
        place.runner = node;
        place.failover_from.clear();
        place.waiting = false;
      } else if (place.runner == node) {
        place.runner.clear();
      }
      decide(self, app);
    },
    [self](dist_atoms::release, const std::string& app) {
      auto& st = self->state;
      auto i = st.apps.find(app);
      if (i == st.apps.end() || !i->second.here || i->second.releasing
          || !st.events)
        return;
      place_log(app, "taken over: stopping it here");
      i->second.releasing = true;
      stop_here(self, app, "stop after takeover");
    },
    // A cluster-wide start or stop (admin start_app/stop_app on any node).
    [self](dist_atoms::app_control, const std::string& app,
           bool start) -> caf::result<std::string> {
      auto& st = self->state;
      auto i = st.apps.find(app);
      if (i == st.apps.end())
        return std::string{"local"};
      broadcast(self, caf::make_message(dist_atoms::app_enabled::value, app,
                                        start));
      self->send(self, dist_atoms::app_enabled::value, app, start);
      if (start)
        return app + " started on the cluster: it runs where its list says\n";
      return app + " stopped on the cluster"
             + (i->second.runner.empty() ? std::string{}
                                         : " (it ran on " + i->second.runner + ")")
             + "\n";
    },
    [self](dist_atoms::app_enabled, const std::string& app, bool enabled) {
      auto& st = self->state;
      auto i = st.apps.find(app);
      if (i == st.apps.end() || i->second.enabled == enabled)
        return;
      auto& place = i->second;
      place.enabled = enabled;
      place_log(app, enabled ? "started on the cluster" : "stopped on the cluster");
      if (enabled) {
        decide(self, app);
      } else if (place.here) {
        stop_here(self, app, "stop");
      }
    },
    [self](dist_atoms::failover, const std::string& app) {
      auto& place = self->state.apps[app];
      place.waiting = false;
      decide(self, app);
    },
    [self](dist_atoms::where, const std::string& app)
      -> caf::result<std::string> {
      auto& st = self->state;
      auto i = st.apps.find(app);
      if (i == st.apps.end())
        return make_error(runtime_errc::not_found,
                          app + " is not a distributed application");
      if (i->second.runner.empty())
        return make_error(runtime_errc::not_found, app + " runs nowhere");
      return i->second.runner;
    },
    [self](dist_atoms::global_add, const std::string& name,
           const caf::actor& actor, const std::string& owner) {
      if (owner != self->state.cfg.name && actor)
        add_global(self, name, {actor, owner});
    },
    [self](dist_atoms::global_del, const std::string& name,
           const std::string& owner) { self->state.globals.remove(name, owner); },
    [self](dist_atoms::listening, uint16_t port) {
      self->state.cfg.listen_port = port;
    },
    // The controller runs: it gets the nodes up so far, then each change;
    // its events tell where distributed apps start and stop.
    [self](dist_atoms::controller, const caf::actor& ctl) {
      auto& st = self->state;
      st.events = ctl;
      if (!st.apps.empty())
        self->request(ctl, caf::infinite, ctl_atoms::subscribe::value,
                      caf::actor{self})
          .then([self](caf::ok_atom) { decide_all(self); },
                [](caf::error&) {});
      for (auto& [name, p] : st.peers)
        if (p.up) {
          lifecycle_event ev;
          ev.kind = lifecycle_kind::node_up;
          ev.detail = name;
          ev.reason = p.address;
          self->send(ctl, ctl_atoms::publish::value, std::move(ev));
        }
    },
  };
}

} // namespace

caf::actor spawn_net_kernel(caf::actor_system& sys, dist_settings settings,
                            caf::io::middleman_actor middleman) {
  return sys.spawn<caf::hidden>(net_kernel_behavior, std::move(settings),
                                std::move(middleman));
}

} // namespace relc
