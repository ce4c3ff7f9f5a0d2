#include "relc/release/diagnostics.hpp"

#include <algorithm>

#include "relc/runtime/log.hpp"

namespace relc::release {

std::string source_location::to_string() const {
  std::string result = file;
  if (line > 0) {
    result += ':';
    result += std::to_string(line);
    if (column > 0) {
      result += ':';
      result += std::to_string(column);
    }
  }
  return result;
}


// One diagnostic is one line whatever the input held (relc::one_line), so
// no input can split a message or forge a `relc: error:` line of its own.
std::string one_line(const std::string& text) {
  return relc::one_line(text);
}

std::string diagnostic::to_string() const {
  std::string result = "relc: ";
  switch (level) {
    case severity::note: result += "note: "; break;
    case severity::warning: result += "warning: "; break;
    case severity::error: result += "error: "; break;
  }
  if (!where.file.empty()) {
    result += relc::one_line(where.to_string());
    result += ": ";
  }
  result += relc::one_line(message);
  return result;
}

void diagnostics::error(source_location where, std::string message) {
  items_.push_back({severity::error, std::move(where), std::move(message)});
}

void diagnostics::warning(source_location where, std::string message) {
  items_.push_back({severity::warning, std::move(where), std::move(message)});
}

void diagnostics::note(source_location where, std::string message) {
  items_.push_back({severity::note, std::move(where), std::move(message)});
}

size_t diagnostics::error_count() const {
  return static_cast<size_t>(
    std::count_if(items_.begin(), items_.end(),
                  [](auto& x) { return x.level == severity::error; }));
}

size_t diagnostics::warning_count() const {
  return static_cast<size_t>(
    std::count_if(items_.begin(), items_.end(),
                  [](auto& x) { return x.level == severity::warning; }));
}

void diagnostics::promote_warnings() {
  for (auto& x : items_)
    if (x.level == severity::warning) {
      x.level = severity::error;
      x.message += " (--strict)";
    }
}

void diagnostics::append(const diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

} // namespace relc::release
