#pragma once

// The release handler's disk side (OTP's release_handler; docs/upgrades.md):
// releases/RELEASES and its state machine, unpack, make_permanent, remove.
// Each change is atomic on disk: written beside its target and renamed into
// place, so a kill at any moment leaves a node that boots its permanent
// release. The install itself (running the relup) is the application
// controller's (release_upgrade.hpp). Blocking file I/O: call it from a
// detached actor or a plain thread, never from an actor on the scheduler.

#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "relc/runtime/release_layout.hpp"

namespace relc::release_handler {

/// A release's state (RELEASES `state`; layout::release_state).
inline constexpr const char* unpacked = layout::release_state::unpacked;
inline constexpr const char* current = layout::release_state::current;
inline constexpr const char* permanent = layout::release_state::permanent;
inline constexpr const char* old = layout::release_state::old;

using release_entry = layout::release_row;

/// Reads `<root>/releases/RELEASES`.
[[nodiscard]] caf::expected<std::vector<release_entry>>
read_releases(const std::string& root);

/// Writes it atomically.
[[nodiscard]] caf::error write_releases(const std::string& root,
                                        const std::vector<release_entry>& xs);

/// `<name> <vsn> <state>` per release, the running one marked ` *`.
std::string render_versions(const std::vector<release_entry>& xs,
                            const std::string& running);

/// Verifies the release tarball `tarball` (a path, or a file name under
/// releases/) and unpacks it beside the running release: releases/<vsn>/
/// and the lib/<app>-<vsn> directories it adds; state unpacked. Returns the
/// version. Nothing is left behind on failure (a disk that fills, a
/// checksum that does not match, a tarball of another release).
[[nodiscard]] caf::expected<std::string>
unpack(const std::string& root, const std::string& rel_name,
       const std::string& tarball);

/// `vsn` was installed (state current); the previous current one, if not
/// permanent, is unpacked again.
[[nodiscard]] caf::error mark_installed(const std::string& root,
                                        const std::string& vsn);

/// Makes `vsn` the release the node boots (start.data); the permanent one
/// before becomes old.
[[nodiscard]] caf::error make_permanent(const std::string& root,
                                        const std::string& vsn);

/// The node booted `vsn`: a current release that is not it was never made
/// permanent, so it is unpacked again (OTP: a reboot before make_permanent
/// falls back to the permanent release).
[[nodiscard]] caf::error booted(const std::string& root, const std::string& vsn);

/// Removes release `vsn` (never the running or the permanent one): its
/// releases/<vsn>/ and the lib directories no other release uses.
[[nodiscard]] caf::error remove(const std::string& root, const std::string& vsn,
                                const std::string& running);

/// The unpacked release `vsn`'s entry, or an error saying what it is.
[[nodiscard]] caf::expected<release_entry>
find_release(const std::string& root, const std::string& vsn);

} // namespace relc::release_handler
