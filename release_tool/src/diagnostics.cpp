#include "relc/release/diagnostics.hpp"

#include <algorithm>

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

namespace {

// One diagnostic is one line whatever the input held: control characters
// (a newline in a YAML value or a file name) are escaped, so no input can
// split a message or forge a `relc: error:` line of its own.
void append_escaped(std::string& out, const std::string& text) {
  static const char* hex = "0123456789abcdef";
  for (unsigned char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
}

} // namespace

std::string one_line(const std::string& text) {
  std::string out;
  append_escaped(out, text);
  return out;
}

std::string diagnostic::to_string() const {
  std::string result = "relc: ";
  switch (level) {
    case severity::note: result += "note: "; break;
    case severity::warning: result += "warning: "; break;
    case severity::error: result += "error: "; break;
  }
  if (!where.file.empty()) {
    append_escaped(result, where.to_string());
    result += ": ";
  }
  append_escaped(result, message);
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
