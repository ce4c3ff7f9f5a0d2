#!/bin/sh
# The ThreadSanitizer job: builds the runtime, the node and their tests with
# -fsanitize=thread into build-tsan (g++, the compiler Debian's CAF is built
# with) and runs the runtime's unit tests and the end-to-end suites that
# boot nodes. A report makes the reporting process exit 66, which fails its
# test (a node's report fails the e2e test that booted it). Suppressions:
# tests/sanitizers/tsan.supp, CAF's own internals only, with the reason.
# Not here: the distribution tests (e2e_dist). Their nodes load CAF's
# network layer and OpenSSL, none of it built with TSan, so their reports
# are suppressed anyway (tsan.supp), and TSan's runtime itself failed now
# and then in such a node at start ("ThreadSanitizer failed to allocate
# ... errno 12", its shadow memory), which is no finding but a red job.
# Nor the tests of a node that an app crashes with SIGSEGV: TSan takes
# that signal itself (and exits 66).
# The plugin's name table and placement rule run here as unit tests; the
# plugin itself is not built (-DRELC_BUILD_DIST=OFF), which keeps the job
# inside CI's time.
set -eu
cd "$(dirname "$0")/.."
BUILD_DIR=${TSAN_BUILD_DIR:-build-tsan}
flags="-fsanitize=thread -fno-omit-frame-pointer"
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DRELC_BUILD_TESTS=ON -DRELC_BUILD_EXAMPLES=ON -DRELC_BUILD_DIST=OFF \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread \
  -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread \
  -DCMAKE_MODULE_LINKER_FLAGS=-fsanitize=thread
cmake --build "$BUILD_DIR" -j "$(nproc)" \
  --target unit_runtime e2e_faults e2e_shoehorn e2e_boot e2e_service e2e_upgrade \
  e2e_blocking
TSAN_OPTIONS="suppressions=$(pwd)/tests/sanitizers/tsan.supp halt_on_error=0 exitcode=66"
export TSAN_OPTIONS
ctest --test-dir "$BUILD_DIR" -R '^(runtime|e2e):' --output-on-failure -j "$(nproc)" \
  -E 'bad release handling input|relc test-upgrade|killed at any moment|disk space|crashed the node|crashes during its boot'
