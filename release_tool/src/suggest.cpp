#include "relc/release/suggest.hpp"

#include <algorithm>

namespace relc::release {

namespace {

// Optimal string alignment distance (Damerau-Levenshtein without
// repeated edits of one substring).
size_t distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1,
                                     std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      auto cost = a[i - 1] == b[j - 1] ? 0u : 1u;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

} // namespace

std::string closest_match(const std::string& word,
                          const std::vector<std::string>& candidates) {
  if (word.size() > 64)
    return {};
  auto limit = word.size() <= 4 ? size_t{1} : size_t{2};
  std::string best;
  auto best_distance = limit + 1;
  for (auto& c : candidates) {
    auto dist = distance(word, c);
    if (dist < best_distance) {
      best = c;
      best_distance = dist;
    }
  }
  return best;
}

std::string did_you_mean(const std::string& word,
                         const std::vector<std::string>& candidates) {
  auto match = closest_match(word, candidates);
  return match.empty() ? std::string{} : "; did you mean '" + match + "'?";
}

} // namespace relc::release
