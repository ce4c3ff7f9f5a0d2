#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

namespace relc::release {

/// What the release tool needs to know about a shared library, read from its
/// ELF headers only: nothing of the library runs in the relc process.
struct elf_info {
  uint16_t machine = 0;         ///< e_machine
  bool is_64bit = false;
  bool is_shared_object = false; ///< ET_DYN
  std::string soname;
  std::vector<std::string> needed; ///< DT_NEEDED in order
  std::vector<std::string> runpath; ///< DT_RUNPATH, else DT_RPATH, split
  std::set<std::string> exports;    ///< defined, default-visibility symbols
};

/// Parses ELF bytes (64- or 32-bit, little-endian); a truncated or
/// inconsistent file is an error that says what is wrong.
[[nodiscard]] caf::expected<elf_info> parse_elf(std::string_view bytes);

/// The e_machine of the running process (read once from /proc/self/exe).
uint16_t host_elf_machine();

/// A name for an e_machine value ("x86-64", "AArch64", ...).
std::string elf_machine_name(uint16_t machine);

} // namespace relc::release
