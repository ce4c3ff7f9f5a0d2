#pragma once

#include <functional>
#include <optional>
#include <string>

namespace relc {

enum class log_level { debug, info, warning, error };

const char* to_string(log_level x);

/// `debug`, `info`, `warning` (or `warn`), `error`, any case; nothing else.
std::optional<log_level> parse_log_level(const std::string& text);

/// Writes one report line to the log sink, thread-safe and line-atomic:
/// `2026-12-02T10:15:30.123Z =INFO REPORT= source: message` (UTC, ms). A
/// newline in the text is written as `\n`: one report is one line. Supervisors report starts, exits and restarts
/// here, the application controller reports app starts and exits.
void log(log_level level, const std::string& source, const std::string& text);

/// `text` made one line: newline, carriage return and tab as `\n`, `\r`,
/// `\t`, other control characters as `\xNN`. Every report, diagnostic and
/// outcome line relc prints goes through it, so no input (an exception's
/// text, a YAML value, a file name) can split a line or forge one.
std::string one_line(const std::string& text);

/// Reports below `level` are dropped (default: info).
void set_log_level(log_level level);

/// Replaces the sink (default: stderr); an empty function restores it.
void set_log_sink(std::function<void(log_level, const std::string& line)> f);

} // namespace relc
