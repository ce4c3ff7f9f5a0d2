#!/bin/sh
# Uses relc the way its users do, from outside this tree (docs/cmake.md, docs/formats.md):
#   1. `cmake --install` into a fresh prefix whose path has a space; relc runs
#      from there with no LD_LIBRARY_PATH, and nothing installed names the
#      build tree;
#   2. tests/consumer builds against that prefix with find_package(relc),
#      and its release starts, answers and stops;
#   3. `relc new release` writes a project that builds and boots as written;
#   4. a program builds with `pkg-config relc` alone;
#   5. CPack makes the relc and relc-dev Debian packages, and relc runs from
#      their unpacked tree.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -eu
build=$(cd "$1" && pwd -P)
src=$(cd "$2" && pwd -P)
work=$(mktemp -d /tmp/relc-install-XXXXXX)
nodes=""
cleanup() {
  for script in $nodes; do "$script" stop >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "install test: $*" >&2; exit 1; }
jobs=$(nproc 2>/dev/null || echo 2)

prefix="$work/some prefix"
echo "== cmake --install into '$prefix'"
cmake --install "$build" --prefix "$prefix" > "$work/install.log"
version=$(env -u LD_LIBRARY_PATH "$prefix/bin/relc" --version) || fail "installed relc does not run"
echo "$version"
for f in "$prefix/bin/relc" "$prefix/bin/relc-node" "$prefix"/lib/librelc_runtime.so.*.*.*; do
  runpath=$(readelf -d "$f" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p')
  case ":$runpath:" in
    *"$build"*|*::*) fail "$f has RUNPATH '$runpath'" ;;
  esac
  if grep -q -F "$build" "$f"; then fail "$f names the build tree $build"; fi
done
# The usual hardening: PIE, full RELRO (BIND_NOW), no executable stack,
# stack protector and fortified libc calls.
for f in "$prefix/bin/relc" "$prefix/bin/relc-node"; do
  readelf -h "$f" | grep -q "Type:.*DYN" || fail "$f is not a PIE"
done
for f in "$prefix/bin/relc" "$prefix/bin/relc-node" "$prefix"/lib/librelc_runtime.so.*.*.*; do
  readelf -d "$f" | grep -q "BIND_NOW\|FLAGS.*NOW" || fail "$f lacks full RELRO"
  readelf -lW "$f" | grep "GNU_STACK" | grep -q "RWE" && fail "$f has an executable stack"
  readelf -lW "$f" | grep -q "GNU_RELRO" || fail "$f lacks RELRO"
done
nm -D "$prefix"/lib/librelc_runtime.so | grep -q "__stack_chk_fail" || fail "no stack protector"
nm -D "$prefix"/lib/librelc_runtime.so | grep -q "__.*_chk@" || fail "no fortified calls"
soname=$(readelf -d "$prefix"/lib/librelc_runtime.so | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "librelc_runtime.so.0.1" ] || fail "SONAME is '$soname'"
# Only the relc API is exported: no CAF or std instantiations.
leaked=$(nm -D --defined-only -C "$prefix"/lib/librelc_runtime.so | grep -v 'relc' | grep -c ' [TW] ' || true)
[ "$leaked" -eq 0 ] || fail "librelc_runtime exports $leaked symbols outside relc"

echo "== tests/consumer against the prefix"
cmake -S "$src/tests/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=Release > "$work/consumer.log" || { cat "$work/consumer.log"; fail "configure"; }
cmake --build "$work/consumer" -j "$jobs" >> "$work/consumer.log" 2>&1 || { cat "$work/consumer.log"; fail "build"; }
consumer="$work/consumer/_rel/consumer/bin/consumer"
nodes="$nodes $consumer"
"$consumer" start || fail "consumer did not start"
[ "$("$consumer" ping)" = "pong" ] || fail "consumer does not answer"
"$consumer" rpc apps | grep -q "^ticker 1.2.0 permanent" || fail "ticker is not running"
"$consumer" stop
[ -f "$work/consumer/_rel/consumer-1.0.0.tar.gz" ] || fail "no tarball"

echo "== relc new release hello --app greeter"
(cd "$work" && "$prefix/bin/relc" new release hello --app greeter) > /dev/null
cmake -S "$work/hello" -B "$work/hello/build" -DCMAKE_PREFIX_PATH="$prefix" \
  > "$work/hello.log" || { cat "$work/hello.log"; fail "configure"; }
cmake --build "$work/hello/build" -j "$jobs" >> "$work/hello.log" 2>&1 || { cat "$work/hello.log"; fail "build"; }
hello="$work/hello/build/_rel/hello/bin/hello"
nodes="$nodes $hello"
HELLO_GREETING="hi from CI" "$hello" start || fail "hello did not start"
"$hello" rpc apps | grep -q "^greeter 0.1.0 permanent" || fail "greeter is not running"
"$hello" tree greeter | grep -q "greeter_worker" || fail "no worker in greeter's tree"
"$hello" stop
grep -q "worker started: hi from CI" "$work/hello/build/_rel/hello/log/hello/node.log" \
  || fail "the worker did not log its greeting"

echo "== pkg-config relc"
cat > "$work/pc.cpp" <<'CPP'
#include <cstdio>
#include <relc/runtime/log.hpp>
#include <relc/runtime/version.hpp>
int main() {
  auto level = relc::parse_log_level("warning");
  std::printf("relc %s %s\n", relc::runtime_version, level ? relc::to_string(*level) : "?");
}
CPP
flags=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs relc)
# pkg-config escapes the space in the prefix as '\ ': let the shell read it.
eval "c++ \"\$work/pc.cpp\" -o \"\$work/pc\" $flags -Wl,-rpath,\"\$prefix/lib\""
"$work/pc" | grep -q "^relc .* WARNING$" || fail "the pkg-config program does not run"

echo "== cpack -G DEB"
(cd "$work" && cpack --config "$build/CPackConfig.cmake" -B "$work/debs" > "$work/cpack.log" 2>&1) \
  || { cat "$work/cpack.log"; fail "cpack"; }
runtime_deb=$(ls "$work"/debs/relc_*.deb)
dev_deb=$(ls "$work"/debs/relc-dev_*.deb)
dpkg-deb -c "$runtime_deb" > "$work/runtime.list"
dpkg-deb -c "$dev_deb" > "$work/dev.list"
for f in usr/bin/relc usr/bin/relc-node usr/lib/librelc_runtime.so.0.1 \
         usr/share/relc/lib/kernel-; do
  grep -q "$f" "$work/runtime.list" || fail "relc.deb has no $f"
done
for f in usr/lib/cmake/relc/relc-config.cmake usr/lib/pkgconfig/relc.pc \
         usr/include/relc/runtime/application.hpp "usr/lib/librelc_runtime.so -> "; do
  grep -q "$f" "$work/dev.list" || fail "relc-dev.deb has no $f"
done
dpkg-deb -f "$dev_deb" Depends | grep -q "relc (= " || fail "relc-dev does not depend on relc"
mkdir "$work/deb-root"
dpkg-deb -x "$runtime_deb" "$work/deb-root"
env -u LD_LIBRARY_PATH "$work/deb-root/usr/bin/relc" --version > /dev/null || fail "relc from the .deb tree does not run"
echo "install test: all passed"
