#!/bin/sh
# The main job: build relc and the example apps, then build the example
# releases (bsc, top, rvi) into ./_rel with relc build.
set -eu
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
./scripts/build.sh
for rel in bsc top rvi; do
  "$BUILD_DIR/bin/relc" build "rel/$rel.rel" --lib-dir "$BUILD_DIR/relc-lib" --out _rel
done
"$BUILD_DIR/bin/relc" deps rel/top.rel --lib-dir "$BUILD_DIR/relc-lib"
ls -l _rel
