// The node executable a release bundles as bin/relc: runtime commands only.
#include <cstdio>
#include <string>
#include <vector>

#include "boot_host.hpp"
#include "heart.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args{argv + 1, argv + argc};
  if (!args.empty() && args[0] == "boot")
    return relc::run_boot_host({args.begin() + 1, args.end()});
  if (!args.empty() && args[0] == "heart") {
    std::vector<std::string> command{args.begin() + 1, args.end()};
    if (!command.empty() && command[0] == "--")
      command.erase(command.begin());
    return relc::run_heart(command);
  }
  if (!args.empty() && args[0] == "ctl")
    return relc::run_control_client({args.begin() + 1, args.end()});
  fprintf(stderr, "usage: relc boot RELEASE_DIR [FLAGS] | relc ctl SOCKET CMD\n"
                  "(this is a release's runtime; relc build lives in the "
                  "relc tool)\n");
  return 2;
}
