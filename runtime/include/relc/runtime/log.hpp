#pragma once

#include <functional>
#include <string>

namespace relc {

enum class log_level { debug, info, warning, error };

const char* to_string(log_level x);

/// Writes one report line (`=INFO REPORT= source: message`) to the log sink;
/// thread-safe, line-atomic. Supervisors report starts, exits and restarts
/// here, the application controller reports app starts and exits.
void log(log_level level, const std::string& source, const std::string& text);

/// Reports below `level` are dropped (default: info).
void set_log_level(log_level level);

/// Replaces the sink (default: stderr); an empty function restores it.
void set_log_sink(std::function<void(log_level, const std::string& line)> f);

} // namespace relc
