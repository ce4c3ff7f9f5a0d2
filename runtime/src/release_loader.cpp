#include "release_loader.hpp"

#include <filesystem>

#include "app_library.hpp"
#include "env_config.hpp"
#include "relc/runtime/log.hpp"
#include "library_record.hpp"
#include "library_verifier.hpp"
#include "relc/runtime/export_names.hpp"
#include "relc/runtime/runtime_error.hpp"

namespace fs = std::filesystem;

namespace relc {

caf::error boot_failure(const std::string& app, const std::string& step,
                        const std::string& reason) {
  return make_error(runtime_errc::boot_failed,
                    app + ": " + step + ": " + reason);
}

namespace {

using step_fn = std::function<void(const std::string&)>;

caf::error load_env(loaded_release& rel, const node_options& options,
                    const step_fn& step) {
  std::map<std::string, term> sys_config;
  // A sys.config the release names must be there: a missing one is a boot
  // error, not a silent fallback to the manifests' defaults.
  std::string path;
  if (!options.config_file.empty())
    path = options.config_file;
  else if (!rel.plan.sys_config.empty())
    path = (fs::path{rel.plan.release_root} / rel.plan.sys_config).string();
  if (!path.empty()) {
    std::error_code ec;
    if (!fs::exists(path, ec))
      return boot_failure("kernel", "config", path + ": no such file");
    step("read " + path);
    auto cfg = load_sys_config(path);
    if (!cfg) {
      auto text = describe_error(cfg.error());
      // "app.key: file: ..." errors name their app; others the kernel.
      auto end = text.find_first_of(".:");
      auto app = end != std::string::npos && rel.find(text.substr(0, end))
                   ? text.substr(0, end)
                   : std::string{"kernel"};
      return boot_failure(app, "config", text);
    }
    sys_config = std::move(*cfg);
  }
  std::map<std::string, term> overrides;
  for (auto& text : options.env_overrides) {
    auto x = parse_env_override(text);
    if (!x)
      return boot_failure("kernel", "config", describe_error(x.error()));
    overrides[x->first].set(x->second.first, x->second.second);
  }
  for (auto& [app, env] : overrides)
    if (!rel.find(app))
      return boot_failure("kernel", "config",
                          "--env names application '" + app
                            + "', which is not in the release");
  for (auto& a : rel.apps) {
    auto env = a->plan.env;
    if (auto i = sys_config.find(a->plan.name); i != sys_config.end())
      merge_env(env, i->second);
    if (auto i = overrides.find(a->plan.name); i != overrides.end())
      merge_env(env, i->second);
    a->env.reset(std::move(env));
  }
  // The log level is kernel's env, as in OTP (kernel's logger_level): set
  // in sys.config, or by --log-level (an --env kernel.logger_level=...).
  if (auto k = rel.find("kernel")) {
    auto level = k->env.get("logger_level");
    if (level.is_string()) {
      auto parsed = parse_log_level(level.as_string());
      if (!parsed)
        return boot_failure("kernel", "config",
                            "logger_level: expected debug, info, warning or "
                            "error, found '" + level.as_string() + "'");
      set_log_level(*parsed);
    } else if (!level.is_null()) {
      return boot_failure("kernel", "config",
                          "logger_level: expected debug, info, warning or "
                          "error, found a " + std::string{to_string(level.type())});
    }
  }
  return {};
}

caf::error load_libraries(loaded_release& rel, const node_options& options,
                          const step_fn& step, const loaded_release* beside) {
  std::vector<app_record*> todo;
  std::vector<library_file> files;
  for (auto& a : rel.apps)
    if (a->plan.type != app_start_type::none && a->plan.library) {
      // The very library a running release has open (an upgrade's
      // unchanged app): shared, not verified and opened again.
      if (beside)
        if (auto* same = beside->find(a->plan.name);
            same && same->library && same->plan.vsn == a->plan.vsn
            && same->plan.library == a->plan.library
            && same->plan.sha256 == a->plan.sha256) {
          a->library = same->library;
          a->module_library = same->library;
          continue;
        }
      todo.push_back(a.get());
      files.push_back(
        {(fs::path{rel.plan.release_root} / *a->plan.library).string(),
         *a->plan.library, a->plan.sha256});
    }
  // Only the boot's own loading keeps a record (an upgrade loads beside
  // the running release, whose libraries it shares unverified).
  std::string record_file = beside ? "" : options.library_record_file;
  if (!record_file.empty())
    step("read " + record_file);
  auto earlier = record_file.empty() ? library_record{}
                                     : library_record::read(record_file);
  library_verifier verifier{std::move(files), earlier};
  step("verify " + std::to_string(verifier.hashing()) + " of "
       + std::to_string(todo.size()) + " libraries (the rest are unchanged "
       "since an earlier boot verified them)");
  for (size_t i = 0; i < todo.size(); ++i) {
    auto* a = todo[i];
    auto& path = verifier.file(i).path;
    step("load " + a->plan.name + " " + *a->plan.library);
    if (auto err = verifier.result(i))
      return boot_failure(a->plan.name, "load", describe_error(err));
    auto handle = open_app_library(path);
    if (!handle)
      return boot_failure(a->plan.name, "load", describe_error(handle.error()));
    a->library = *handle;
    a->module_library = *handle;
    if (a->plan.mod) {
      auto symbol = export_names::application_prefix + *a->plan.mod;
      auto factory = reinterpret_cast<application_factory>(
        find_symbol(a->library, symbol));
      if (!factory)
        return boot_failure(a->plan.name, "load",
                            path + " does not export " + symbol);
      try {
        a->callback.reset(factory());
      } catch (const std::exception& ex) {
        return boot_failure(a->plan.name, "load",
                            std::string{"exception: "} + ex.what());
      } catch (...) {
        return boot_failure(a->plan.name, "load", "unknown exception");
      }
    }
  }
  if (!record_file.empty()) {
    // A read-only var directory only means the next boot hashes again.
    // Nothing hashed and nothing beyond this release's libraries recorded:
    // the record stands as it is.
    bool same = verifier.hashing() == 0 && earlier.size() == todo.size();
    if (!same && !verifier.record().write(record_file))
      step("cannot write " + record_file + "; the next boot verifies "
           "every library again");
  }
  for (auto& a : rel.apps)
    a->ctx = std::make_unique<app_ctx>(rel, *a);
  return {};
}

} // namespace

caf::expected<std::shared_ptr<loaded_release>>
load_release(const node_options& options, const step_fn& step,
             const loaded_release* beside) {
  step("read boot file of " + options.release_dir);
  auto read = load_boot_plan(options.release_dir, options.release_vsn);
  if (!read)
    return boot_failure("kernel", "boot file", describe_error(read.error()));
  auto rel = std::make_shared<loaded_release>();
  rel->plan = std::move(*read);
  if (rel->plan.boot) // shoehorn: all start as temporary, the handler decides
    for (auto& p : rel->plan.apps)
      if (p.name != "kernel"
          && (p.type == app_start_type::permanent
              || p.type == app_start_type::transient))
        p.type = app_start_type::temporary;
  for (auto& p : rel->plan.apps) {
    auto record = std::make_unique<app_record>();
    record->plan = std::move(p);
    rel->apps.push_back(std::move(record));
  }
  rel->plan.apps.clear();
  rel->index();
  if (auto err = load_env(*rel, options, step))
    return err;
  if (auto err = load_libraries(*rel, options, step, beside))
    return err;
  return rel;
}

} // namespace relc
