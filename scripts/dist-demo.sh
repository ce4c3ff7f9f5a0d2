#!/bin/sh
# Three nodes of the bsc release on one machine (loopback ports, TLS with a
# test CA) where bsc, serving its phones' calls, is a distributed
# application over [n1, [n2, n3]] (docs/distribution.md): it runs on n1,
# fails over to n2 when n1 is killed, and is taken back when n1 returns.
# Needs _rel/bsc (scripts/example.sh). Leaves nothing running.
# DIST_DEMO_INSECURE=1: plain TCP; DIST_DEMO_KEEP=1: keep the logs.
set -eu
cd "$(dirname "$0")/.."
rel=${1:-_rel/bsc}
[ -x "$rel/bin/bsc" ] || { echo "no $rel/bin/bsc: run scripts/example.sh first" >&2; exit 1; }
work=$(mktemp -d)
trap 'for n in n1 n2 n3; do RELC_NODE_NAME=$n RELC_RUN_DIR=$work/run "$rel/bin/bsc" stop >/dev/null 2>&1 || true; done; [ -n "${DIST_DEMO_KEEP:-}" ] || rm -rf "$work"' EXIT
scripts/dist-certs.sh "$work/certs" n1 n2 n3 >/dev/null
peers="n1@127.0.0.1:4370,n2@127.0.0.1:4371,n3@127.0.0.1:4372"
node() { # node NAME PORT COMMAND...
  name=$1 port=$2
  shift 2
  if [ -n "${DIST_DEMO_INSECURE:-}" ]; then
    set -- "$@" --dist-insecure
  else
    set -- "$@" --dist-cert "$work/certs/$name.pem" --dist-key "$work/certs/$name.key" \
      --dist-ca "$work/certs/ca.pem"
  fi
  RELC_NODE_NAME=$name RELC_RUN_DIR=$work/run RELC_LOG_DIR=$work/log RELC_VAR_DIR=$work/var \
    "$rel/bin/bsc" "$@" --dist-listen "127.0.0.1:$port" \
    --env "kernel.sync_nodes_optional=[$peers]" --env kernel.sync_nodes_timeout=1000 \
    --env "kernel.distributed=[{app: bsc, failover_timeout: 1000, nodes: [n1, [n2, n3]]}]" \
    --env bsc.traffic=true
}
rpc() { RELC_NODE_NAME=$1 RELC_RUN_DIR=$work/run "$rel/bin/bsc" rpc "$2" ${3:-}; }
node n1 4370 start
node n2 4371 start
node n3 4372 start
echo "== three nodes; bsc runs on: $(rpc n3 where bsc)"
rpc n3 nodes
echo "== SIGKILL n1"
kill -9 "$(rpc n1 pid)"
sleep 1.5
echo "== after the failover timeout (1 s), bsc runs on: $(rpc n3 where bsc)"
rpc n2 apps
echo "== n1 comes back"
node n1 4370 start
sleep 0.5
echo "== bsc runs on: $(rpc n3 where bsc) (taken over); n2's apps now:"
rpc n2 apps
grep -h "distributed app" "$work"/log/*/node.log
