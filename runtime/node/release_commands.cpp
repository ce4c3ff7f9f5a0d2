#include "release_commands.hpp"

#include <filesystem>

#include <caf/all.hpp>

#include "controller_protocol.hpp"
#include "relc/runtime/log.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "release_handler.hpp"

namespace fs = std::filesystem;

namespace relc {

namespace {

namespace rh = release_handler;

// What a command's steps share: the node, and a blocking actor to ask the
// controller from (the command runs on that actor's own thread).
struct command_run {
  caf::blocking_actor* self;
  release_command_context ctx;

  // The running release version, asked from the controller.
  caf::expected<std::string> running() {
    caf::expected<std::string> result{caf::error{}};
    self->request(ctx.controller, std::chrono::seconds(10),
                  ctl_atoms::release::value)
      .receive([&](const std::string&, const std::string& vsn) { result = vsn; },
               [&](caf::error& err) { result = err; });
    return result;
  }

  // Runs the relup to `vsn` in the node; the report, or why not.
  caf::expected<std::string> install(const std::string& vsn) {
    auto known = rh::find_release(ctx.release_root, vsn);
    if (!known)
      return known.error();
    caf::expected<std::string> result{caf::error{}};
    self->request(ctx.controller, caf::infinite, ctl_atoms::install::value, vsn)
      .receive([&](std::string& report) { result = std::move(report); },
               [&](caf::error& err) { result = err; });
    if (!result)
      return result;
    if (auto err = rh::mark_installed(ctx.release_root, vsn))
      return err;
    return result;
  }

  caf::error make_permanent(const std::string& vsn) {
    auto now = running();
    if (!now)
      return now.error();
    if (*now != vsn)
      return make_error(runtime_errc::release_handling,
                        "release " + vsn + " is not running (the node runs "
                          + *now + "): install it first");
    return rh::make_permanent(ctx.release_root, vsn);
  }

  // upgrade/downgrade: unpack if needed, install, make permanent.
  caf::expected<std::string> change_to(const std::string& vsn, bool unpack) {
    std::string out;
    if (unpack && !rh::find_release(ctx.release_root, vsn)) {
      auto tarball = ctx.release_name + "-" + vsn + ".tar.gz";
      auto got = rh::unpack(ctx.release_root, ctx.release_name, tarball);
      if (!got)
        return got.error();
      out += "unpacked " + *got + "\n";
    }
    auto report = install(vsn);
    if (!report)
      return report.error();
    out += *report;
    if (auto err = make_permanent(vsn))
      return err;
    out += "release " + vsn + " is permanent\n";
    return out;
  }
};

std::string answer(const caf::expected<std::string>& x) {
  if (!x)
    return "error: " + describe_error(x.error()) + "\n";
  return "ok\n" + *x;
}

} // namespace

bool run_release_command(caf::actor_system& sys, release_command_context ctx,
                         const std::vector<std::string>& w,
                         std::function<void(std::string)> reply) {
  if (w.empty())
    return false;
  auto& cmd = w[0];
  bool one_arg = w.size() == 2;
  using job = std::function<caf::expected<std::string>(command_run&)>;
  job fn;
  if (cmd == "releases" && w.size() == 1) {
    fn = [](command_run& r) -> caf::expected<std::string> {
      auto now = r.running();
      if (!now)
        return now.error();
      auto xs = rh::read_releases(r.ctx.release_root);
      if (!xs)
        return xs.error();
      return rh::render_versions(*xs, *now);
    };
  } else if (cmd == "unpack" && one_arg) {
    auto tarball = w[1];
    fn = [tarball](command_run& r) -> caf::expected<std::string> {
      auto vsn = rh::unpack(r.ctx.release_root, r.ctx.release_name, tarball);
      if (!vsn)
        return vsn.error();
      log(log_level::info, "release_handler", "release " + *vsn + " unpacked");
      return "unpacked " + *vsn + "\n";
    };
  } else if (cmd == "install" && one_arg) {
    auto vsn = w[1];
    fn = [vsn](command_run& r) { return r.install(vsn); };
  } else if (cmd == "make_permanent" && one_arg) {
    auto vsn = w[1];
    fn = [vsn](command_run& r) -> caf::expected<std::string> {
      if (auto err = r.make_permanent(vsn))
        return err;
      log(log_level::info, "release_handler", "release " + vsn + " is permanent");
      return "release " + vsn + " is permanent\n";
    };
  } else if (cmd == "remove" && one_arg) {
    auto vsn = w[1];
    fn = [vsn](command_run& r) -> caf::expected<std::string> {
      auto now = r.running();
      if (!now)
        return now.error();
      if (auto err = rh::remove(r.ctx.release_root, vsn, *now))
        return err;
      log(log_level::info, "release_handler", "release " + vsn + " removed");
      return "removed " + vsn + "\n";
    };
  } else if ((cmd == "upgrade" || cmd == "downgrade") && one_arg) {
    auto vsn = w[1];
    bool unpack = cmd == "upgrade";
    fn = [vsn, unpack](command_run& r) { return r.change_to(vsn, unpack); };
  } else {
    return false;
  }
  if (!ctx.controller) {
    reply("error: the node is not booted yet\n");
    return true;
  }
  sys.spawn<caf::hidden>(
    [ctx, fn, reply](caf::blocking_actor* self) {
      command_run r{self, ctx};
      reply(answer(fn(r)));
    });
  return true;
}

const char* release_commands_help() {
  return "releases                 each release with its state (* runs)\n"
         "unpack TARBALL           verify and unpack a release beside this one\n"
         "install VSN              run the relup to VSN (state current)\n"
         "make_permanent VSN       boot VSN from now on\n"
         "remove VSN               delete a release that neither runs nor is permanent\n"
         "upgrade VSN              unpack (releases/<rel>-VSN.tar.gz) if needed, install, make_permanent\n"
         "downgrade VSN            install an earlier VSN (down script), make_permanent\n";
}

} // namespace relc
