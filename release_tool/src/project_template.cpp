#include "relc/release/project_template.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "relc/release/release_error.hpp"

namespace fs = std::filesystem;

namespace relc::release {

namespace {

std::string substitute(std::string text, const std::string& key,
                 const std::string& value) {
  for (auto pos = text.find(key); pos != std::string::npos;
       pos = text.find(key, pos + value.size()))
    text.replace(pos, key.size(), value);
  return text;
}

const char* app_source = R"cpp(// @APP@: an application of one supervisor and one worker (relc new app).
//
// start() runs when the node boots the app; it returns the app's top
// supervisor, which starts the worker and restarts it if it dies. The
// worker's greeting comes from the app's env (@APP@.app, overridden by
// sys.config or `--env @APP@.greeting=...`).
#include <string>

#include <caf/all.hpp>
#include <relc/runtime/application.hpp>
#include <relc/runtime/log.hpp>
#include <relc/runtime/supervisor.hpp>

namespace @APP@ {

namespace {

using hello_atom = caf::atom_constant<caf::atom("hello")>;

// The worker: logs its greeting when it starts, answers (hello) with it.
caf::behavior worker(caf::event_based_actor*, std::string greeting) {
  relc::log(relc::log_level::info, "@APP@", "worker started: " + greeting);
  return {[greeting](hello_atom) { return greeting; }};
}

class app : public relc::application {
public:
  caf::expected<caf::actor> start(relc::app_context& ctx,
                                  const relc::term&) override {
    auto greeting = ctx.get_env("greeting");
    auto text = greeting.is_string() ? greeting.as_string()
                                     : std::string{"hello"};
    relc::child_spec w;
    w.id = "@APP@_worker";
    w.start = [text](caf::actor_system& sys, const relc::term&)
      -> caf::expected<caf::actor> { return sys.spawn(worker, text); };
    relc::supervisor_flags flags;
    flags.name = "@APP@_sup";
    flags.intensity = 3;                       // at most 3 restarts
    flags.period = std::chrono::seconds(5);    // in 5 seconds
    return relc::start_supervisor(ctx.system(), flags, {w});
  }

  void stop(relc::app_context&) override {
    relc::log(relc::log_level::info, "@APP@", "stopped");
  }
};

} // namespace

} // namespace @APP@

// The manifest's `mod: {module: @APP@_app}` names this.
RELC_APPLICATION(@APP@_app, @APP@::app)
)cpp";

const char* app_manifest = R"yaml(# The manifest of application @APP@ (relc new app).
application: @APP@
vsn: "0.1.0"
description: "@APP@, written by relc new"
applications: []        # apps that must be started before this one
registered: []          # names it registers at run time
mod: {module: @APP@_app, args: []}
env:
  greeting: "hello from @APP@"
)yaml";

const char* app_cmake = R"cmake(# Application @APP@: builds lib@APP@.so and stages @APP@-0.1.0/ into the
# lib dir relc build reads. Works inside a release project and on its own.
cmake_minimum_required(VERSION 3.16)
if(CMAKE_SOURCE_DIR STREQUAL CMAKE_CURRENT_SOURCE_DIR)
  project(@APP@ LANGUAGES CXX)
  set(CMAKE_CXX_STANDARD 17)
  set(CMAKE_CXX_STANDARD_REQUIRED ON)
  find_package(relc REQUIRED)
endif()

relc_add_application(@APP@ VERSION 0.1.0 MANIFEST @APP@.app
  SOURCES src/@APP@_app.cpp)
)cmake";

const char* rel_cmake = R"cmake(# Release @REL@ (relc new release): its apps and the release target.
#   cmake -S . -B build -DCMAKE_PREFIX_PATH=<relc install prefix>
#   cmake --build build            # builds the apps and _rel/@REL@
#   build/_rel/@REL@/bin/@REL@ foreground
cmake_minimum_required(VERSION 3.16)
project(@REL@ LANGUAGES CXX)
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
if(NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE Release)
endif()

find_package(relc REQUIRED)

add_subdirectory(apps/@APP@)

# relc build rel/@REL@.rel into build/_rel, after every app it needs.
relc_add_release(@REL@_release SPEC rel/@REL@.rel ALL)
)cmake";

const char* rel_spec = R"yaml(# Release @REL@ (relc new release): what boots, in which order.
release: @REL@
vsn: "0.1.0"
applications:
  - kernel
  - @APP@
sys_config: sys.config
node_args: node.args
)yaml";

const char* rel_sys_config = R"yaml(# Overrides app env at boot; ${VAR} and ${VAR:-default} read the OS
# environment when the node boots.
kernel:
  logger_level: info
@APP@:
  greeting: "${@UPPER@_GREETING:-hello from @REL@}"
)yaml";

const char* rel_node_args = R"(# relc boot flags and CAF options, one per line (--flag value or --flag=value)
--shutdown-time 5000
# --scheduler.max-threads 2
)";

const char* rel_readme = R"md(# @REL@

A relc release with one application, `@APP@` (written by `relc new release`).

```sh
cmake -S . -B build -DCMAKE_PREFIX_PATH=<where relc is installed>
cmake --build build
build/_rel/@REL@/bin/@REL@ foreground     # Ctrl-C stops it
build/_rel/@REL@/bin/@REL@ start          # or as a daemon
build/_rel/@REL@/bin/@REL@ rpc apps
build/_rel/@REL@/bin/@REL@ stop
```

- `apps/@APP@/` — the application: `@APP@.app` (manifest), `src/@APP@_app.cpp`.
- `rel/@REL@.rel` — the release spec; `rel/sys.config`, `rel/node.args`.
- `build/_rel/@REL@-0.1.0.tar.gz` — the release, packed, to ship.
)md";

std::string upper(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  return s;
}

} // namespace

std::vector<project_file> app_project(const std::string& name) {
  auto f = [&](const char* text) { return substitute(text, "@APP@", name); };
  return {
    {"CMakeLists.txt", f(app_cmake)},
    {name + ".app", f(app_manifest)},
    {"src/" + name + "_app.cpp", f(app_source)},
  };
}

std::vector<project_file> release_project(const std::string& rel,
                                          const std::string& app) {
  auto f = [&](const char* text) {
    return substitute(substitute(substitute(text, "@REL@", rel), "@APP@", app), "@UPPER@",
                upper(rel));
  };
  std::vector<project_file> files{
    {"CMakeLists.txt", f(rel_cmake)},
    {"README.md", f(rel_readme)},
    {"rel/" + rel + ".rel", f(rel_spec)},
    {"rel/sys.config", f(rel_sys_config)},
    {"rel/node.args", f(rel_node_args)},
  };
  for (auto& x : app_project(app)) {
    x.path = "apps/" + app + "/" + x.path;
    files.push_back(std::move(x));
  }
  return files;
}

caf::error write_project(const std::string& dir,
                         const std::vector<project_file>& files) {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(dir, ec)))
    return make_error(release_errc::bad_input,
                      dir + ": already exists (relc new writes a new "
                            "directory and never overwrites)");
  auto target = fs::path{dir};
  auto parent = target.parent_path().empty() ? fs::path{"."}
                                             : target.parent_path();
  if (!fs::is_directory(parent, ec))
    return make_error(release_errc::bad_input,
                      parent.string() + ": no such directory");
  auto tmp = parent / (".relc-new-" + target.filename().string() + "."
                       + std::to_string(getpid()));
  fs::remove_all(tmp, ec);
  auto fail = [&](const std::string& what) {
    fs::remove_all(tmp, ec);
    return make_error(release_errc::bad_input, what);
  };
  for (auto& file : files) {
    auto path = tmp / file.path;
    fs::create_directories(path.parent_path(), ec);
    std::ofstream out{path, std::ios::binary};
    out << file.content;
    out.close();
    if (!out)
      return fail("cannot write " + (target / file.path).string());
  }
  fs::rename(tmp, target, ec);
  if (ec)
    return fail("cannot create " + dir + ": " + ec.message());
  return {};
}

} // namespace relc::release
