// The floor for boot: a program that does what a node must do at the least
// for a release of N apps: dlopen each app library the way the node does
// (RTLD_NOW | RTLD_LOCAL), start an actor system, and spawn the actors the
// benchmark apps have (a supervisor and two workers each), then say
// "ready" on stdout. boot_bench times exec to "ready" from outside, as it
// times the node. Usage: load_floor LIB...
#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include <caf/all.hpp>

namespace {

caf::behavior idle(caf::event_based_actor*) {
  return {[](caf::get_atom) { return 1; }};
}

} // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (!dlopen(argv[i], RTLD_NOW | RTLD_LOCAL)) {
      fprintf(stderr, "%s\n", dlerror());
      return 1;
    }
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::vector<caf::actor> actors;
  actors.reserve(static_cast<size_t>(argc) * 3);
  for (int i = 1; i < argc; ++i)
    for (int k = 0; k < 3; ++k)
      actors.push_back(sys.spawn(idle));
  // One round trip to the last one: every spawn has been processed.
  caf::scoped_actor self{sys};
  self->request(actors.back(), caf::infinite, caf::get_atom::value)
    .receive([](int) {}, [](caf::error&) {});
  (void) !write(STDOUT_FILENO, "ready\n", 6);
  for (auto& a : actors)
    caf::anon_send_exit(a, caf::exit_reason::kill);
}
