#pragma once

// "Did you mean ...?" for misspelled commands and keys.

#include <string>
#include <vector>

namespace relc::release {

/// The candidate closest to `word` by edit distance (insert, delete,
/// substitute, swap of neighbours), when close enough to be a typo: at most
/// 1 edit for words up to 4 characters, 2 for longer ones. Empty otherwise.
std::string closest_match(const std::string& word,
                          const std::vector<std::string>& candidates);

/// `; did you mean 'x'?` or nothing.
std::string did_you_mean(const std::string& word,
                         const std::vector<std::string>& candidates);

} // namespace relc::release
