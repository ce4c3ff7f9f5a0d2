#pragma once

#include <map>
#include <string>

#include "relc/release/library_scan.hpp"
#include "relc/release/resolver.hpp"
#include "relc/runtime/term.hpp"

namespace relc::release {

/// Builds the boot script: everything the runtime needs to boot, in one
/// term: the release, its apps in start order with their types, manifests'
/// specs (env, callback, phases, included apps, registered names, modules)
/// and library paths with SHA-256 checksums, boot control and config files.
/// Paths are relative to the release root.
term make_boot_script(const resolved_release& rel,
                      const std::map<std::string, app_library>& libraries,
                      const std::string& runtime_version);

/// The readable `<rel>.script`: the boot script as block-style YAML.
std::string render_script(const term& script);

} // namespace relc::release
