#include "start_script.hpp"

namespace relc::release {

std::string make_start_script(const std::string& rel_name,
                              const std::string& rel_vsn,
                              const std::string& runtime_vsn) {
  // POSIX sh only: the release must start on minimal systems (dash, busybox).
  std::string text = R"sh(#!/bin/sh
# Start script of release @REL@ @VSN@, written by relc build.
set -eu

SCRIPT_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd -P)
RELEASE_ROOT=$(CDPATH='' cd -- "$SCRIPT_DIR/.." && pwd -P)
REL_NAME="@REL@"
REL_VSN="@VSN@"
RUNTIME_VSN="@RUNTIME@"
if [ -r "$RELEASE_ROOT/releases/start.data" ]; then
  read -r RUNTIME_VSN REL_VSN < "$RELEASE_ROOT/releases/start.data"
fi

# The bundled runtime when the release has one (it finds its libraries
# through its RUNPATH, $ORIGIN-relative), else relc from PATH.
if [ -x "$RELEASE_ROOT/bin/relc" ]; then
  RELC="$RELEASE_ROOT/bin/relc"
else
  RELC=$(command -v relc || true)
  if [ -z "$RELC" ]; then
    echo "$REL_NAME: no bundled runtime and no relc in PATH" >&2
    exit 1
  fi
fi

# Several nodes of one release on one host: the node name selects the
# control socket, the log and the state directory. Each directory defaults
# to under the release root; a read-only install sets them elsewhere
# (systemd: RuntimeDirectory=, LogsDirectory=, StateDirectory=). An
# operator's shell has none of systemd's variables: where the release's
# own run/ has no node of that name but the shipped unit's /run/<rel> has,
# the node is the unit's, with its /var/log/<rel> and /var/lib/<rel>.
NAME=${RELC_NODE_NAME:-$REL_NAME}
UNIT_RUN_DIR="/run/$REL_NAME"
# The name becomes paths (socket, log, state): checked before any is made.
case "$NAME" in
  ""|.*|-*|*[!A-Za-z0-9_.-]*) bad_name=1 ;;
  *) bad_name=0; [ ${#NAME} -le 64 ] || bad_name=1 ;;
esac
if [ "$bad_name" = 1 ]; then
  echo "$REL_NAME: node name '$NAME': expected 1-64 characters of [A-Za-z0-9_.-], not starting with '.' or '-'" >&2
  exit 2
fi
if [ -z "${RELC_RUN_DIR:-}" ] && [ -z "${RUNTIME_DIRECTORY:-}" ] \
   && [ ! -S "$RELEASE_ROOT/run/$NAME.sock" ] && [ -S "$UNIT_RUN_DIR/$NAME.sock" ]; then
  RELC_RUN_DIR="$UNIT_RUN_DIR"
  RELC_LOG_DIR=${RELC_LOG_DIR:-${LOGS_DIRECTORY:-/var/log/$REL_NAME}}
  RELC_VAR_DIR=${RELC_VAR_DIR:-${STATE_DIRECTORY:-/var/lib/$REL_NAME}}
fi
RELC_RUN_DIR=${RELC_RUN_DIR:-${RUNTIME_DIRECTORY:-$RELEASE_ROOT/run}}
RELC_LOG_DIR=${RELC_LOG_DIR:-${LOGS_DIRECTORY:-$RELEASE_ROOT/log}}
RELC_VAR_DIR=${RELC_VAR_DIR:-${STATE_DIRECTORY:-$RELEASE_ROOT/var}}
export RELC_RUN_DIR RELC_LOG_DIR RELC_VAR_DIR
RUN_DIR="$RELC_RUN_DIR"
LOG_DIR="$RELC_LOG_DIR/$NAME"
SOCKET="$RUN_DIR/$NAME.sock"

usage() {
  cat <<USAGE
Usage: $REL_NAME COMMAND [ARGS...]   (release $REL_NAME $REL_VSN)

  foreground [BOOT FLAGS]  boot in this terminal; SIGTERM or Ctrl-C stops it
  console                  the same as foreground
  start [BOOT FLAGS]       boot as a daemon (log: $LOG_DIR/node.log);
                           returns once the node is started or says why not
  stop                     stop the node; returns once it is gone
  restart                  run the boot script again in the running node
  reboot                   the process exits and is started again
  ping | pid | status      is it up / its process id / its boot state
  versions                 the releases of this root and their states
                           (unpacked, current, permanent, old; * runs)
  unpack TARBALL           verify and unpack a release beside this one
  install VSN              upgrade (or downgrade) the running node to VSN
  make_permanent VSN       boot VSN from now on (after install)
  remove VSN               delete a release that neither runs nor is permanent
  upgrade VSN              unpack releases/$REL_NAME-VSN.tar.gz if needed,
                           install, make_permanent
  downgrade VSN            install an earlier VSN, make_permanent
  apps | registered | timeline | tree APP
  remote                   an admin prompt on the running node
  rpc CMD [ARGS...]        one admin command (rpc help lists them)

BOOT FLAGS: --config FILE, --env APP.KEY=VALUE, --init-debug,
  --shutdown-time MS, --log-level debug|info|warning|error, and CAF's own
  options (--scheduler.max-threads=N ...); node.args holds the defaults.
Environment: RELC_NODE_NAME, RELC_RUN_DIR, RELC_LOG_DIR, RELC_VAR_DIR,
  RELC_LOG_MAX_BYTES, RELC_LOG_KEEP, HEART=1 (HEART_BEAT_TIMEOUT,
  HEART_COMMAND, HEART_MAX_RESTARTS, HEART_RESTART_PERIOD).
USAGE
}

ctl() {
  if [ ! -S "$SOCKET" ]; then
    where="$SOCKET"
    [ "$SOCKET" = "$UNIT_RUN_DIR/$NAME.sock" ] || where="$where (nor $UNIT_RUN_DIR/$NAME.sock, the systemd unit's)"
    echo "$REL_NAME: node $NAME not running: no socket at $where" >&2
    return 1
  fi
  "$RELC" ctl "$SOCKET" "$@"
}

# Whether process $1 runs: kill -0 alone also succeeds on a zombie, which
# this shell leaves unreaped while it waits on the ready FIFO.
running() {
  kill -0 "$1" 2>/dev/null || return 1
  [ -r "/proc/$1/stat" ] || return 0
  stat_line=""
  read -r stat_line < "/proc/$1/stat" 2>/dev/null || return 1
  case "${stat_line##*) }" in
    Z*|X*) return 1 ;;
  esac
  return 0
}

# Every command's --help prints the usage and does nothing else.
for arg in "$@"; do
  case "$arg" in
    --) break ;;
    -h|--help) usage; exit 0 ;;
  esac
done

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  foreground|console)
    exec "$RELC" boot "$RELEASE_ROOT" --name "$NAME" "$@"
    ;;
  start)
    if ctl ping >/dev/null 2>&1; then
      echo "$REL_NAME: node $NAME is already running" >&2
      exit 1
    fi
    mkdir -p "$RUN_DIR" "$LOG_DIR" || exit 1
    chmod 700 "$RUN_DIR" 2>/dev/null || true
    fifo="$RUN_DIR/$NAME.ready.$$"
    rm -f "$fifo"
    mkfifo -m 600 "$fifo"
    # HEART=1: relc heart watches the node and restarts it when it dies or
    # hangs (HEART_BEAT_TIMEOUT, HEART_COMMAND, HEART_MAX_RESTARTS, ...).
    if [ "${HEART:-0}" = "1" ]; then
      nohup "$RELC" heart -- "$RELC" boot "$RELEASE_ROOT" --name "$NAME" \
        --log-file "$LOG_DIR/node.log" --notify-fifo "$fifo" "$@" \
        >> "$LOG_DIR/node.log" 2>&1 < /dev/null &
    else
      # The node takes over its log file (--log-file): it rotates it past
      # RELC_LOG_MAX_BYTES while it runs and reopens it on SIGHUP.
      nohup "$RELC" boot "$RELEASE_ROOT" --name "$NAME" --log-file "$LOG_DIR/node.log" \
        --notify-fifo "$fifo" "$@" >> "$LOG_DIR/node.log" 2>&1 < /dev/null &
    fi
    pid=$!
    # The node writes its outcome to the FIFO; if it dies first (whatever
    # of), this watcher unblocks the read within 50 ms.
    # It must not hold our stdout: a caller reading it would wait for EOF.
    ( while running "$pid"; do sleep 0.05; done
      [ -p "$fifo" ] && echo "exited" > "$fifo" ) > /dev/null 2>&1 &
    watcher=$!
    outcome=""
    read -r outcome < "$fifo" || true
    kill "$watcher" 2>/dev/null || true
    rm -f "$fifo"
    case "$outcome" in
      started) exit 0 ;;
      started*)
        # Up, but not as planned (shoehorn: main failed, or recovery plan).
        echo "$REL_NAME: node $NAME $outcome" >&2
        exit 0
        ;;
      ""|exited)
        # It ended before it said anything: its own last line says why.
        status=0
        wait "$pid" 2>/dev/null || status=$?
        last=$(tail -n 1 "$LOG_DIR/node.log" 2>/dev/null || true)
        echo "$REL_NAME: node $NAME exited during boot (status $status): ${last:-no output} (log: $LOG_DIR/node.log)" >&2
        exit 1
        ;;
      *) echo "$outcome" >&2; exit 1 ;;
    esac
    ;;
  stop)
    # Returns once the node has stopped: the reply's connection closes then.
    ctl stop
    ;;
  restart)
    # The boot script runs again inside the running process (init:restart);
    # returns once the node is started again.
    ctl restart
    ;;
  reboot)
    # The process exits; heart starts it again, or else this script does.
    reply=$(ctl reboot) || exit 1
    case "$reply" in
      heart*) echo "$REL_NAME: node $NAME rebooting: $reply" ;;
      *) exec "$0" start "$@" ;;
    esac
    ;;
  remote)
    # An admin prompt on the running node: one command per line.
    exec "$RELC" ctl "$SOCKET" --remote
    ;;
  ping)
    ctl ping
    ;;
  pid|status|apps|registered|timeline|tree)
    ctl "$cmd" "$@"
    ;;
  rpc)
    ctl "$@"
    ;;
  versions|unpack|remove)
    # A tarball path is the caller's, relative to its directory.
    if [ "$cmd" = unpack ] && [ $# -ge 1 ] && [ -e "$1" ]; then
      case "$1" in /*) ;; *) t="$(pwd)/$1"; shift; set -- "$t" "$@" ;; esac
    fi
    # The running node answers (it knows which release runs); a stopped
    # one's releases are handled on disk.
    if ctl ping >/dev/null 2>&1; then
      if [ "$cmd" = versions ]; then ctl releases; else ctl "$cmd" "$@"; fi
    elif [ "$cmd" = versions ]; then
      "$RELC" releases "$RELEASE_ROOT"
    else
      "$RELC" releases "$RELEASE_ROOT" "$cmd" "$@"
    fi
    ;;
  install|make_permanent|upgrade|downgrade)
    ctl "$cmd" "$@"
    ;;
  help)
    usage
    ;;
  "")
    usage >&2
    exit 2
    ;;
  *)
    echo "$REL_NAME: unknown command '$cmd' (see $REL_NAME help)" >&2
    exit 2
    ;;
esac
)sh";
  auto replace = [&](const std::string& key, const std::string& value) {
    for (auto pos = text.find(key); pos != std::string::npos;
         pos = text.find(key, pos + value.size()))
      text.replace(pos, key.size(), value);
  };
  replace("@REL@", rel_name);
  replace("@VSN@", rel_vsn);
  replace("@RUNTIME@", runtime_vsn);
  return text;
}

} // namespace relc::release

namespace relc::release {

std::string make_systemd_unit(const std::string& rel_name) {
  // A template: install the release (root-owned, read-only), create the
  // service user, copy this to /etc/systemd/system/ and set RELEASE_ROOT.
  std::string text = R"u(# systemd unit for release @REL@ (written by relc build).
# Install: unpack the release as root under /opt/@REL@ (read-only is fine),
# create the service user (useradd --system --no-create-home @REL@), copy
# this file to /etc/systemd/system/@REL@.service, then:
#   systemctl enable --now @REL@
# systemd creates /run/@REL@ (socket), /var/log/@REL@ and /var/lib/@REL@
# (state) owned by the user; the start script finds them through
# RUNTIME_DIRECTORY, LOGS_DIRECTORY and STATE_DIRECTORY.
[Unit]
Description=@REL@ (relc release)
After=network.target

[Service]
Type=notify
NotifyAccess=main
User=@REL@
Group=@REL@
Environment=RELEASE_ROOT=/opt/@REL@
ExecStart=/bin/sh ${RELEASE_ROOT}/bin/@REL@ foreground
RuntimeDirectory=@REL@
RuntimeDirectoryMode=0700
LogsDirectory=@REL@
StateDirectory=@REL@
UMask=0077
# The node sends READY=1 when started, STOPPING=1 on stop and, with a
# watchdog, WATCHDOG=1 after each round trip through its controller.
WatchdogSec=30
KillSignal=SIGTERM
TimeoutStopSec=60
Restart=on-failure

# Hardening: the node needs its release (read), its three directories
# (write) and sockets; nothing else.
NoNewPrivileges=yes
CapabilityBoundingSet=
AmbientCapabilities=
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
ProtectProc=invisible
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
SystemCallArchitectures=native
SystemCallFilter=@system-service

[Install]
WantedBy=multi-user.target
)u";
  for (auto pos = text.find("@REL@"); pos != std::string::npos;
       pos = text.find("@REL@", pos + rel_name.size()))
    text.replace(pos, 5, rel_name);
  return text;
}

} // namespace relc::release
