#pragma once

// The boot script's schema (docs/formats.md, the .script/.boot pair), defined once:
// the key names the release tool writes (relc/release/boot_script.hpp)
// and the runtime reads (boot_plan). Bump boot_file's format version when
// a key changes meaning.

namespace relc::boot_keys {

// Top level.
inline constexpr const char* format = "format";
inline constexpr const char* release = "release";
inline constexpr const char* apps = "apps";
inline constexpr const char* boot = "boot";
inline constexpr const char* sys_config = "sys_config";
inline constexpr const char* node_args = "node_args";
inline constexpr const char* start = "start"; // sequential (absent) | parallel
inline constexpr const char* parallel = "parallel";
inline constexpr const char* health = "health"; // names install --health awaits

// release: {name, vsn, runtime}; an app's entry shares name and vsn.
inline constexpr const char* name = "name";
inline constexpr const char* vsn = "vsn";
inline constexpr const char* runtime = "runtime";

// One app's entry in apps.
inline constexpr const char* type = "type";
inline constexpr const char* dir = "dir";
inline constexpr const char* library = "library";           // {path, sha256, size}
inline constexpr const char* path = "path";
inline constexpr const char* sha256 = "sha256";
inline constexpr const char* size = "size";
inline constexpr const char* description = "description";
inline constexpr const char* mod = "mod";                   // {module, args}
inline constexpr const char* module = "module";
inline constexpr const char* args = "args";
inline constexpr const char* start_phases = "start_phases"; // [{name, args}]
inline constexpr const char* applications = "applications";
inline constexpr const char* optional_applications = "optional_applications";
inline constexpr const char* included_applications = "included_applications";
inline constexpr const char* included_by = "included_by";
inline constexpr const char* registered = "registered";
inline constexpr const char* modules = "modules";
inline constexpr const char* env = "env";

// boot: shoehorn control.
inline constexpr const char* init = "init";                 // [{app} | {call, args}]
inline constexpr const char* app = "app";
inline constexpr const char* call = "call";                 // {app, function}
inline constexpr const char* function = "function";
inline constexpr const char* main = "main";
inline constexpr const char* handler = "handler";           // {module, args}
inline constexpr const char* shutdown_timer = "shutdown_timer";
inline constexpr const char* restart_limit = "restart_limit"; // {max, period, exceeded}
inline constexpr const char* max = "max";
inline constexpr const char* period = "period";
inline constexpr const char* exceeded = "exceeded";
inline constexpr const char* give_up = "give_up";           // a value of exceeded
inline constexpr const char* halt = "halt";                 // the other one
inline constexpr const char* recovery_after = "recovery_after";

} // namespace relc::boot_keys
