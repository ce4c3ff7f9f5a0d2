#pragma once

/// Names under which an application library exports its entry points.
/// The release tool finds them in the library's dynamic symbol table without
/// loading it; the runtime finds them with dlsym. Keep both sides on these.
namespace relc::export_names {

/// `relc_application__<module>`: creates the app's callback object.
inline constexpr const char application_prefix[] = "relc_application__";

/// `relc_module__<name>`: spawns one named actor type of the library.
inline constexpr const char module_prefix[] = "relc_module__";

/// `relc_code_change__<name>`: how actor type `name` (a module) hands its
/// state to its next version in a release upgrade, and takes it back on a
/// downgrade (OTP's code_change; docs/formats.md, "Appup": `update`).
inline constexpr const char code_change_prefix[] = "relc_code_change__";

/// `relc_call__<function>`: a function a boot `init` entry calls,
/// `caf::error (relc::app_context&, const relc::term& args)` (boot_handler.hpp).
inline constexpr const char call_prefix[] = "relc_call__";

/// `relc_boot_handler__<module>`: a shoehorn-style boot failure handler.
inline constexpr const char boot_handler_prefix[] = "relc_boot_handler__";

} // namespace relc::export_names
