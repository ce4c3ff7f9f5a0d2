#pragma once

// The relup's schema (docs/formats.md, "Relup"), defined once: the step and
// key names the release tool writes (relc/release/relup.hpp) and the
// node's release handler is to read.

namespace relc::relup_keys {

// Top level: {up: [{from, do}], down: [{to, do}]}.
inline constexpr const char* up = "up";
inline constexpr const char* down = "down";
inline constexpr const char* from = "from";
inline constexpr const char* to = "to";
inline constexpr const char* steps = "do";

// Steps, in the order a script holds them.
inline constexpr const char* restart_node = "restart_node";
inline constexpr const char* load = "load";                 // {app, vsn}
inline constexpr const char* point_of_no_return = "point_of_no_return";
inline constexpr const char* stop = "stop";                 // {app}
inline constexpr const char* restart_application = "restart_application"; // {app, from, to}
inline constexpr const char* load_module = "load_module";   // {app, module}
inline constexpr const char* add_module = "add_module";     // {app, module}
inline constexpr const char* delete_module = "delete_module"; // {app, module}
inline constexpr const char* update = "update"; // {app, module, change, timeout, from, to}
inline constexpr const char* apply = "apply";   // {app, function, args}
inline constexpr const char* start = "start";   // {app}
inline constexpr const char* config_change = "config_change"; // {app, changed, new, removed}
inline constexpr const char* unload = "unload"; // {app, vsn}

// Step arguments.
inline constexpr const char* app = "app";
inline constexpr const char* vsn = "vsn";
inline constexpr const char* module = "module";
inline constexpr const char* change = "change";     // soft | {advanced: EXTRA}
inline constexpr const char* soft = "soft";
inline constexpr const char* advanced = "advanced";
inline constexpr const char* timeout = "timeout";   // ms
inline constexpr const char* function = "function";
inline constexpr const char* args = "args";
inline constexpr const char* changed = "changed";
inline constexpr const char* added = "new";
inline constexpr const char* removed = "removed";

} // namespace relc::relup_keys
