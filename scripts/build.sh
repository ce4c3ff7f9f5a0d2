#!/bin/sh
# Configures and builds relc, the example apps, the tests and benchmarks
# into ./build (override with BUILD_DIR); with arguments, only those
# targets (scripts/example.sh: `examples`). Warnings fail the build in CI.
set -eu
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
WERROR=OFF
if [ "${CI:-}" = "true" ]; then WERROR=ON; fi
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
  -DRELC_BUILD_TESTS=ON -DRELC_BUILD_EXAMPLES=ON -DRELC_WARNINGS_AS_ERRORS=$WERROR
if [ $# -gt 0 ]; then
  for target in "$@"; do
    cmake --build "$BUILD_DIR" -j "$(nproc)" --target "$target"
  done
else
  cmake --build "$BUILD_DIR" -j "$(nproc)"
fi
