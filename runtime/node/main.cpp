// The node executable a release bundles as bin/relc: runtime commands only.
#include <cstdio>
#include <string>
#include <vector>

#include "relc/node/runtime_command.hpp"
#include "relc/runtime/version.hpp"

// The runtime version this executable is, where `relc build --runtime`
// reads it without running anything. A build may name another one (the
// tests build a second runtime to upgrade to).
#ifndef RELC_NODE_RUNTIME_VERSION
#define RELC_NODE_RUNTIME_VERSION RELC_RUNTIME_VERSION
#endif
extern "C" {
extern const char relc_runtime_version[];
__attribute__((section(".relc_runtime"), used))
const char relc_runtime_version[] = RELC_NODE_RUNTIME_VERSION;
}

int main(int argc, char** argv) {
  if (auto status = relc::run_runtime_command({argv + 1, argv + argc}))
    return *status;
  fprintf(stderr, "usage:\n%s(this is a release's runtime; relc build lives "
                  "in the relc tool)\n",
          relc::runtime_command_usage());
  return 2;
}
