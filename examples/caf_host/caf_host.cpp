// An existing CAF program (a small counter service) that runs a relc
// release inside its own actor system. Against a plain CAF program it adds
// two lines, marked (1) and (2); the release is named in CAF's own config:
//
//   caf_host --relc.release-dir=_rel/rvi
//
// or `[relc] release-dir="_rel/rvi"` in caf-application.ini. The release
// boots when the actor system starts and stops, in reverse start order,
// when caf_main returns.
#include <cstdio>

#include <caf/all.hpp>

#include <relc/runtime/module.hpp> // (1)

namespace {

struct config : caf::actor_system_config {
  config() {
    load<relc::module>(); // (2)
  }
};

using add_atom = caf::atom_constant<caf::atom("add")>;

caf::behavior counter(caf::stateful_actor<int>* self) {
  return {
    [self](add_atom, int x) { return self->state += x; },
  };
}

void caf_main(caf::actor_system& sys, const config&) {
  // The program's own work, as before.
  auto c = sys.spawn(counter);
  caf::scoped_actor self{sys};
  int total = 0;
  for (int i = 1; i <= 3; ++i)
    self->request(c, std::chrono::seconds(5), add_atom::value, i)
      .receive([&](int x) { total = x; }, [](caf::error&) {});
  printf("host: counter at %d\n", total);
  // What the release brought along (optional: the release runs either way).
  auto& rel = relc::module::of(sys);
  if (rel.boot_error()) {
    printf("host: the release did not boot\n");
  } else if (auto* node = rel.node()) {
    for (auto& app : node->which_applications())
      printf("host: app %s %s running\n", app.name.c_str(), app.vsn.c_str());
  }
  self->send_exit(c, caf::exit_reason::user_shutdown);
  fflush(stdout);
}

} // namespace

CAF_MAIN()
