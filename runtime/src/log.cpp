#include "relc/runtime/log.hpp"

#include "log_writer.hpp"

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>

namespace relc {

namespace {

std::mutex sink_mutex;
std::function<void(log_level, const std::string&)> sink;
std::atomic<int> threshold{static_cast<int>(log_level::info)};

// ISO 8601 UTC with milliseconds: sortable, unambiguous across zones. The
// date and time up to the second are formatted once per second per thread
// (reports come in bursts: a supervisor restarting a child logs two).
void append_timestamp(std::string& out) {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto since = duration_cast<milliseconds>(now.time_since_epoch()).count();
  auto secs = static_cast<time_t>(since / 1000);
  auto ms = static_cast<int>(since % 1000);
  thread_local time_t cached_secs = -1;
  thread_local char cached[64];
  if (secs != cached_secs) {
    std::tm tm{};
    gmtime_r(&secs, &tm);
    snprintf(cached, sizeof cached, "%04d-%02d-%02dT%02d:%02d:%02d.",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec);
    cached_secs = secs;
  }
  out += cached;
  out += static_cast<char>('0' + ms / 100);
  out += static_cast<char>('0' + ms / 10 % 10);
  out += static_cast<char>('0' + ms % 10);
  out += "Z ";
}

bool needs_escape(unsigned char c) {
  return c < 0x20 || c == 0x7f;
}

// Whether any of the 8 bytes at `p` needs an escape: a byte below 0x20
// (bytes from 0x80 up, UTF-8, never match) or one equal to 0x7f.
bool any_escape_in_8(const char* p) {
  uint64_t w;
  memcpy(&w, p, sizeof w);
  constexpr uint64_t ones = 0x0101010101010101ull;
  constexpr uint64_t highs = 0x8080808080808080ull;
  auto below_0x20 = (w - ones * 0x20) & ~w & highs;
  auto x = w ^ (ones * 0x7f);
  auto is_0x7f = (x - ones) & ~x & highs;
  return (below_0x20 | is_0x7f) != 0;
}

// Every report goes through here: runs of plain bytes are appended whole,
// found 8 bytes at a time (a byte at a time was 3.8 % of a supervisor
// restart's samples).
void append_one_line(std::string& out, const std::string& text) {
  static const char* hex = "0123456789abcdef";
  size_t plain = 0; // start of the run of plain bytes not yet appended
  for (size_t i = 0; i < text.size(); ++i) {
    while (i + 8 <= text.size() && !any_escape_in_8(text.data() + i))
      i += 8;
    if (i == text.size())
      break;
    auto c = static_cast<unsigned char>(text[i]);
    if (!needs_escape(c))
      continue;
    out.append(text, plain, i - plain);
    plain = i + 1;
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    }
  }
  out.append(text, plain, std::string::npos);
}

} // namespace

std::string one_line(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  append_one_line(out, text);
  return out;
}

std::optional<log_level> parse_log_level(const std::string& text) {
  std::string t;
  for (char c : text)
    t += static_cast<char>(tolower(static_cast<unsigned char>(c)));
  if (t == "debug")
    return log_level::debug;
  if (t == "info")
    return log_level::info;
  if (t == "warning" || t == "warn")
    return log_level::warning;
  if (t == "error")
    return log_level::error;
  return std::nullopt;
}

const char* to_string(log_level x) {
  switch (x) {
    case log_level::debug: return "DEBUG";
    case log_level::info: return "INFO";
    case log_level::warning: return "WARNING";
    case log_level::error: return "ERROR";
  }
  return "?";
}

namespace detail {

std::string format_report(log_level level, const std::string& source,
                          const std::string& text) {
  std::string line;
  line.reserve(48 + source.size() + text.size());
  append_timestamp(line);
  line += '=';
  line += to_string(level);
  line += " REPORT= ";
  append_one_line(line, source);
  line += ": ";
  append_one_line(line, text);
  return line;
}

} // namespace detail

void log(log_level level, const std::string& source, const std::string& text) {
  if (static_cast<int>(level) < threshold.load())
    return;
  auto line = detail::format_report(level, source, text);
  std::lock_guard<std::mutex> guard{sink_mutex};
  auto& writer = detail::log_writer::instance();
  if (sink) {
    sink(level, line);
  } else if (writer.active()) {
    writer.post(line, level >= log_level::error);
  } else {
    line += '\n';
    fputs(line.c_str(), stderr);
    fflush(stderr);
  }
}

void start_background_log_writer() {
  detail::log_writer::instance().start();
}

bool flush_log_blocking(std::chrono::milliseconds limit) {
  return detail::log_writer::instance().flush_blocking(limit);
}

void set_log_level(log_level level) {
  threshold = static_cast<int>(level);
}

void set_log_sink(std::function<void(log_level, const std::string&)> f) {
  std::lock_guard<std::mutex> guard{sink_mutex};
  sink = std::move(f);
}

} // namespace relc
