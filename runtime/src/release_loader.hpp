#pragma once

// Reads a release from disk into memory (private to the runtime): boot
// file, env (manifest < sys.config < --env) and every library, verified
// and opened, with its callback object created. Needs no actor system, so
// a process host runs it before CAF's threads exist; blocking file I/O, so
// inside a running node it runs on a master, never on the scheduler.

#include <memory>

#include <caf/expected.hpp>

#include "loaded_release.hpp"
#include "relc/runtime/node.hpp"

namespace relc {

/// On failure the error's text is `<app>: <step>: <reason>`. `step` gets
/// every load step for the timeline and --init-debug. With `beside` (the
/// running release, for an upgrade) an app whose version and library are
/// the running one's shares its open library and gets no callback object:
/// only changed and added apps are loaded.
[[nodiscard]] caf::expected<std::shared_ptr<loaded_release>>
load_release(const node_options& options,
             const std::function<void(const std::string&)>& step,
             const loaded_release* beside = nullptr);

/// The boot-failure error `<app>: <step>: <reason>`.
caf::error boot_failure(const std::string& app, const std::string& step,
                        const std::string& reason);

} // namespace relc
