#pragma once

#include <chrono>
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

/// From now on the default sink (stderr) is written by a background thread:
/// log() appends the line to a bounded queue (about 1 MiB) and returns, so
/// no caller waits for a write and a stderr nobody reads blocks nobody;
/// past the bound lines are dropped and their count is reported once the
/// writer gets through. Errors are written at once, other lines within a
/// few milliseconds; a normal exit and a crash signal write what is queued.
/// relc-node calls it once its libraries are loaded; a host program may.
/// Before it (the default) every line is written before log() returns.
void start_background_log_writer();

/// Blocks until every report logged so far has been written, or `limit`
/// has passed (stderr is not being read); true when all was written. Call
/// it before printing to stderr directly, before exec and before _exit.
bool flush_log_blocking(std::chrono::milliseconds limit
                        = std::chrono::seconds{1});

/// Replaces the sink (default: stderr); an empty function restores it.
void set_log_sink(std::function<void(log_level, const std::string& line)> f);

} // namespace relc
