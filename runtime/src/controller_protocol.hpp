#pragma once

// The application controller's messages (private to the runtime; the node
// facade and the plugin wrap them). Every request is answered; lifecycle
// requests (boot, stop, restart, start_app, stop_app) are answered once
// they are done, so a caller waits on the reply, never on a poll.

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include "relc/runtime/lifecycle_event.hpp"
#include "relc/runtime/node.hpp"

namespace relc::ctl_atoms {

using boot = caf::atom_constant<caf::atom("c_boot")>;         // -> ok | error
using stop = caf::atom_constant<caf::atom("c_stop")>;         // -> ok
using restart = caf::atom_constant<caf::atom("c_restart")>;   // -> ok | error
using start_app = caf::atom_constant<caf::atom("c_start")>;   // name -> ok | error
using stop_app = caf::atom_constant<caf::atom("c_stopapp")>;  // name -> ok | error
using start_app_as = caf::atom_constant<caf::atom("c_startas")>; // name, type, from -> ok | error
using apps = caf::atom_constant<caf::atom("c_apps")>;         // -> vector<running_app>
using status = caf::atom_constant<caf::atom("c_status")>;     // -> node_status
using timeline = caf::atom_constant<caf::atom("c_timeline")>; // -> vector<timeline_entry>
using env_get = caf::atom_constant<caf::atom("c_envget")>;    // app, key -> term
using env_set = caf::atom_constant<caf::atom("c_envset")>;    // app, key, term -> ok | error
using top = caf::atom_constant<caf::atom("c_top")>;           // app -> actor (null: none)
using ping = caf::atom_constant<caf::atom("c_ping")>;         // -> ok (liveness)
using subscribe = caf::atom_constant<caf::atom("c_sub")>;     // actor -> ok
using registry = caf::atom_constant<caf::atom("c_reg")>;      // -> actor
using install = caf::atom_constant<caf::atom("c_install")>;   // vsn [, listener] -> (report, exec runtime) | error
using progress = caf::atom_constant<caf::atom("c_progress")>; // line: to an install's listener, per report line
using release = caf::atom_constant<caf::atom("c_rel")>;       // -> name, vsn
using probation = caf::atom_constant<caf::atom("c_probat")>;  // int64 ms -> ok
using health = caf::atom_constant<caf::atom("c_health")>;     // -> failure, names
using publish = caf::atom_constant<caf::atom("c_publish")>;   // lifecycle_event: to subscribers
// Internal timers.
using stop_deadline = caf::atom_constant<caf::atom("c_stopdl")>;
using start_wait_deadline = caf::atom_constant<caf::atom("c_startdl")>;
using stop_began = caf::atom_constant<caf::atom("c_stopbeg")>;    // id, k, share
using batch_stopped = caf::atom_constant<caf::atom("c_stopped")>; // id, k
using stop_share_deadline = caf::atom_constant<caf::atom("c_sharedl")>; // id, k
using batch_started = caf::atom_constant<caf::atom("c_batch")>; // id, index, job_result
using batch_tick = caf::atom_constant<caf::atom("c_btick")>;    // id: hire a master?
using reap = caf::atom_constant<caf::atom("c_reap")>; // attempt: unload what is free

} // namespace relc::ctl_atoms

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(relc::node_status)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(relc::running_app)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<relc::running_app>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(relc::timeline_entry)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<relc::timeline_entry>)
