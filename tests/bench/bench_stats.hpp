#pragma once

// A benchmark's samples of one figure, summarised the one way every
// benchmark here prints them: the median with the min-max range.

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace relc::bench {

struct series {
  std::vector<double> xs;

  void add(double x) { xs.push_back(x); }
  bool empty() const { return xs.empty(); }

  double median() const {
    auto v = xs;
    std::sort(v.begin(), v.end());
    if (v.empty())
      return 0;
    return v.size() % 2 ? v[v.size() / 2]
                        : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  }
  double min() const { return xs.empty() ? 0 : *std::min_element(xs.begin(), xs.end()); }
  double max() const { return xs.empty() ? 0 : *std::max_element(xs.begin(), xs.end()); }

  /// "12.3ms (11.0-15.2)"; `precision` digits after the point.
  std::string text(const char* unit, int precision = 1) const {
    char b[128];
    snprintf(b, sizeof b, "%.*f%s (%.*f-%.*f)", precision, median(), unit,
             precision, min(), precision, max());
    return b;
  }
};

} // namespace relc::bench
