#include "relc/runtime/log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>

namespace relc {

namespace {

std::mutex sink_mutex;
std::function<void(log_level, const std::string&)> sink;
std::atomic<int> threshold{static_cast<int>(log_level::info)};

} // namespace

const char* to_string(log_level x) {
  switch (x) {
    case log_level::debug: return "DEBUG";
    case log_level::info: return "INFO";
    case log_level::warning: return "WARNING";
    case log_level::error: return "ERROR";
  }
  return "?";
}

void log(log_level level, const std::string& source, const std::string& text) {
  if (static_cast<int>(level) < threshold.load())
    return;
  std::string line = "=";
  line += to_string(level);
  line += " REPORT= ";
  line += source;
  line += ": ";
  line += text;
  std::lock_guard<std::mutex> guard{sink_mutex};
  if (sink) {
    sink(level, line);
  } else {
    line += '\n';
    fputs(line.c_str(), stderr);
    fflush(stderr);
  }
}

void set_log_level(log_level level) {
  threshold = static_cast<int>(level);
}

void set_log_sink(std::function<void(log_level, const std::string&)> f) {
  std::lock_guard<std::mutex> guard{sink_mutex};
  sink = std::move(f);
}

} // namespace relc
