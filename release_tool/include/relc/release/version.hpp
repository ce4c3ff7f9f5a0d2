#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace relc::release {

/// A version as docs/formats.md defines it: dot-separated non-negative integers with
/// an optional `-suffix`. Parts compare as integers, a pre-release sorts
/// before its release, and trailing `.0` parts do not matter (17.1.0 = 17.1).
class version {
public:
  /// Parses `text`; nullopt when it is not a version.
  static std::optional<version> parse(const std::string& text);

  /// The text as written (`17.1.0` stays `17.1.0`).
  const std::string& text() const { return text_; }

  /// Three-way comparison: negative, zero or positive.
  int compare(const version& other) const;

  friend bool operator==(const version& x, const version& y) {
    return x.compare(y) == 0;
  }
  friend bool operator!=(const version& x, const version& y) {
    return x.compare(y) != 0;
  }
  friend bool operator<(const version& x, const version& y) {
    return x.compare(y) < 0;
  }
  friend bool operator>(const version& x, const version& y) {
    return x.compare(y) > 0;
  }

private:
  std::string text_;
  std::vector<uint64_t> parts_; // trailing zeros removed
  std::string suffix_;          // without the '-'; empty for a release
};

} // namespace relc::release
