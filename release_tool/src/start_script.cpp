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

# The bundled runtime when the release has one, else relc from PATH.
if [ -x "$RELEASE_ROOT/bin/relc" ]; then
  RELC="$RELEASE_ROOT/bin/relc"
  LD_LIBRARY_PATH="$RELEASE_ROOT/runtime-$RUNTIME_VSN/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export LD_LIBRARY_PATH
else
  RELC=$(command -v relc || true)
  if [ -z "$RELC" ]; then
    echo "$REL_NAME: no bundled runtime and no relc in PATH" >&2
    exit 1
  fi
fi

# Several nodes of one release on one host: the node name selects the
# control socket and the log directory.
NAME=${RELC_NODE_NAME:-$REL_NAME}
RUN_DIR="$RELEASE_ROOT/run"
LOG_DIR="$RELEASE_ROOT/log/$NAME"
SOCKET="$RUN_DIR/$NAME.sock"
LOG_MAX_BYTES=${RELC_LOG_MAX_BYTES:-10485760}

usage() {
  echo "Usage: $REL_NAME {foreground|console|start|stop|restart|reboot|ping|pid|status|versions|apps|registered|timeline|tree APP|remote|rpc CMD...} [ARGS...]" >&2
}

ctl() {
  "$RELC" ctl "$SOCKET" "$@"
}

# Keeps the log bounded: at start, a log over LOG_MAX_BYTES becomes node.log.1.
rotate_log() {
  log="$LOG_DIR/node.log"
  if [ -f "$log" ] && [ "$(wc -c < "$log")" -gt "$LOG_MAX_BYTES" ]; then
    mv -f "$log" "$log.1"
  fi
}

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
    mkdir -p "$RUN_DIR" "$LOG_DIR"
    chmod 700 "$RUN_DIR"
    rotate_log
    fifo="$RUN_DIR/$NAME.ready.$$"
    rm -f "$fifo"
    mkfifo -m 600 "$fifo"
    # HEART=1: relc heart watches the node and restarts it when it dies or
    # hangs (HEART_BEAT_TIMEOUT, HEART_COMMAND, HEART_MAX_RESTARTS, ...).
    if [ "${HEART:-0}" = "1" ]; then
      nohup "$RELC" heart -- "$RELC" boot "$RELEASE_ROOT" --name "$NAME" \
        --notify-fifo "$fifo" "$@" >> "$LOG_DIR/node.log" 2>&1 < /dev/null &
    else
      nohup "$RELC" boot "$RELEASE_ROOT" --name "$NAME" --notify-fifo "$fifo" "$@" \
        >> "$LOG_DIR/node.log" 2>&1 < /dev/null &
    fi
    pid=$!
    # The node writes its outcome to the FIFO; if it dies before opening it,
    # this watcher unblocks the read.
    # It must not hold our stdout: a caller reading it would wait for EOF.
    ( while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
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
      "") echo "$REL_NAME: node $NAME exited during boot (see $LOG_DIR/node.log)" >&2; exit 1 ;;
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
  versions)
    echo "$REL_NAME $REL_VSN (runtime $RUNTIME_VSN)"
    ;;
  *)
    usage
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
  // A template: copy it to /etc/systemd/system/ and set the paths.
  return "# systemd unit for release " + rel_name + R"u( (written by relc build).
# Install: copy to /etc/systemd/system/)u" + rel_name + R"u(.service, set RELEASE_ROOT
# below to where the release is unpacked, then: systemctl enable --now )u"
         + rel_name + R"u(
[Unit]
Description=)u" + rel_name + R"u( (relc release)
After=network.target

[Service]
Type=notify
NotifyAccess=main
Environment=RELEASE_ROOT=/opt/)u" + rel_name + R"u(
ExecStart=/bin/sh ${RELEASE_ROOT}/bin/)u" + rel_name + R"u( foreground
# The node sends READY=1 when started, STOPPING=1 on stop and, with a
# watchdog, WATCHDOG=1 at half the interval.
WatchdogSec=30
KillSignal=SIGTERM
TimeoutStopSec=60
Restart=on-failure

[Install]
WantedBy=multi-user.target
)u";
}

} // namespace relc::release
