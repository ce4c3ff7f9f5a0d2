// The node executable a release bundles as bin/relc: runtime commands only.
#include <cstdio>
#include <string>
#include <vector>

#include "relc/node/runtime_command.hpp"

int main(int argc, char** argv) {
  if (auto status = relc::run_runtime_command({argv + 1, argv + argc}))
    return *status;
  fprintf(stderr, "usage:\n%s(this is a release's runtime; relc build lives "
                  "in the relc tool)\n",
          relc::runtime_command_usage());
  return 2;
}
