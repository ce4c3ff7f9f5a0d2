#!/bin/sh
# The main job: build relc and the example apps, build the example releases
# (bsc, bsc_safe, top, rvi) into ./_rel with relc build, then boot the bsc release with
# its demo on (phones allocate and free frequencies; the frequency server is
# killed and restarted by its supervisor) and stop it with SIGTERM.
set -eu
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
./scripts/build.sh examples
for rel in bsc bsc_safe top rvi; do
  "$BUILD_DIR/bin/relc" build "rel/$rel.rel" --lib-dir "$BUILD_DIR/relc-lib" --out _rel
done
"$BUILD_DIR/bin/relc" deps rel/top.rel --lib-dir "$BUILD_DIR/relc-lib"

echo "== booting _rel/bsc (bin/bsc foreground --env bsc.demo=true)"
log=$(mktemp)
_rel/bsc/bin/bsc foreground --env bsc.demo=true --init-debug 2>"$log" &
pid=$!
i=0
while ! grep -q "bsc demo: done" "$log" && kill -0 "$pid" 2>/dev/null && [ $i -lt 200 ]; do
  sleep 0.05
  i=$((i + 1))
done
kill -TERM "$pid" 2>/dev/null || true
status=0
wait "$pid" || status=$?
cat "$log"
rm -f "$log"
echo "== node exited with status $status"
exit "$status"
