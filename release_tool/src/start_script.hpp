#pragma once

#include <string>

namespace relc::release {

/// The text of `bin/<rel>`, a POSIX sh script that runs the node.
std::string make_start_script(const std::string& rel_name,
                              const std::string& rel_vsn,
                              const std::string& runtime_vsn);

/// A systemd unit template (Type=notify) for the release, shipped as
/// `etc/<rel>.service`.
std::string make_systemd_unit(const std::string& rel_name);

} // namespace relc::release
