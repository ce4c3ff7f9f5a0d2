#include "file_bytes.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace relc::release {

std::optional<std::string> read_file_bytes(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return std::nullopt;
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad())
    return std::nullopt;
  return buffer.str();
}

} // namespace relc::release
