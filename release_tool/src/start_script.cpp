#include "start_script.hpp"

namespace relc::release {

std::string make_start_script(const std::string& rel_name,
                              const std::string& rel_vsn,
                              const std::string& runtime_vsn) {
  // POSIX sh only: the release must start on minimal systems (dash, busybox).
  std::string text = R"sh(#!/bin/sh
# Start script of release @REL@ @VSN@, written by relc build.
set -eu

SCRIPT_DIR=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd -P)
RELEASE_ROOT=$(CDPATH= cd -- "$SCRIPT_DIR/.." && pwd -P)
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

usage() {
  echo "Usage: $REL_NAME {foreground|versions} [ARGS...]" >&2
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  foreground|console)
    exec "$RELC" boot "$RELEASE_ROOT" "$@"
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
