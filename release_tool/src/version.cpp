#include "relc/release/version.hpp"

#include <cctype>

namespace relc::release {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Compares pre-release suffixes piecewise: runs of digits as numbers, other
// runs as text, so rc2 < rc10.
int compare_suffix(const std::string& x, const std::string& y) {
  size_t i = 0;
  size_t j = 0;
  while (i < x.size() && j < y.size()) {
    if (is_digit(x[i]) && is_digit(y[j])) {
      size_t i_end = i;
      size_t j_end = j;
      while (i_end < x.size() && is_digit(x[i_end]))
        ++i_end;
      while (j_end < y.size() && is_digit(y[j_end]))
        ++j_end;
      auto a = x.substr(i, i_end - i);
      auto b = y.substr(j, j_end - j);
      a.erase(0, std::min(a.find_first_not_of('0'), a.size()));
      b.erase(0, std::min(b.find_first_not_of('0'), b.size()));
      if (a.size() != b.size())
        return a.size() < b.size() ? -1 : 1;
      if (auto c = a.compare(b); c != 0)
        return c < 0 ? -1 : 1;
      i = i_end;
      j = j_end;
    } else {
      if (x[i] != y[j])
        return x[i] < y[j] ? -1 : 1;
      ++i;
      ++j;
    }
  }
  if (i == x.size() && j == y.size())
    return 0;
  return i == x.size() ? -1 : 1;
}

} // namespace

std::optional<version> version::parse(const std::string& text) {
  version result;
  result.text_ = text;
  auto dash = text.find('-');
  auto numbers = text.substr(0, dash);
  if (dash != std::string::npos) {
    result.suffix_ = text.substr(dash + 1);
    if (result.suffix_.empty())
      return std::nullopt;
    for (char c : result.suffix_)
      if (!(isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_'))
        return std::nullopt;
  }
  if (numbers.empty())
    return std::nullopt;
  size_t pos = 0;
  while (true) {
    size_t end = pos;
    while (end < numbers.size() && is_digit(numbers[end]))
      ++end;
    if (end == pos || end - pos > 18)
      return std::nullopt;
    result.parts_.push_back(std::stoull(numbers.substr(pos, end - pos)));
    if (end == numbers.size())
      break;
    if (numbers[end] != '.')
      return std::nullopt;
    pos = end + 1;
  }
  while (!result.parts_.empty() && result.parts_.back() == 0)
    result.parts_.pop_back();
  return result;
}

int version::compare(const version& other) const {
  auto n = std::max(parts_.size(), other.parts_.size());
  for (size_t i = 0; i < n; ++i) {
    auto a = i < parts_.size() ? parts_[i] : 0;
    auto b = i < other.parts_.size() ? other.parts_[i] : 0;
    if (a != b)
      return a < b ? -1 : 1;
  }
  if (suffix_.empty() || other.suffix_.empty()) {
    if (suffix_.empty() == other.suffix_.empty())
      return 0;
    return suffix_.empty() ? 1 : -1; // a pre-release sorts first
  }
  return compare_suffix(suffix_, other.suffix_);
}

} // namespace relc::release
