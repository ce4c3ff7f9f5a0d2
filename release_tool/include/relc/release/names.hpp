#pragma once

#include <string>

namespace relc::release {

/// True for `[a-z][a-z0-9_]*` up to 64 characters: the names of apps,
/// releases and modules.
bool is_valid_name(const std::string& name);

} // namespace relc::release
