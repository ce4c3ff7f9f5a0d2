#!/bin/sh
# Builds everything and runs every test (unit, CLI in process, end to end),
# then the ThreadSanitizer job over the runtime (scripts/tsan.sh; skip it
# with RELC_TSAN=0).
set -eu
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
./scripts/build.sh
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)"
if [ "${RELC_TSAN:-1}" != "0" ]; then
  ./scripts/tsan.sh
fi
