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
  std::string runpath_text;         ///< that entry as written, empty entries kept
  uint64_t runpath_offset = 0;      ///< file offset of its string; 0: none
  std::set<std::string> exports;    ///< defined, default-visibility symbols
  /// The text of the `.relc_runtime` section: the runtime version a relc
  /// node executable carries (runtime/node/main.cpp); empty elsewhere.
  std::string relc_runtime;
};

/// Parses ELF bytes (64- or 32-bit, little-endian); a truncated or
/// inconsistent file is an error that says what is wrong.
[[nodiscard]] caf::expected<elf_info> parse_elf(std::string_view bytes);

/// Replaces the RUNPATH (or RPATH) string of the ELF file in `bytes` by
/// `value`, in place: `value` must be no longer than the string there
/// (the rest is zeroed). An error when there is none or it has no room.
[[nodiscard]] caf::error rewrite_runpath(std::string& bytes,
                                         const elf_info& info,
                                         const std::string& value);

/// The e_machine of the running process (read once from /proc/self/exe).
uint16_t host_elf_machine();

/// A name for an e_machine value ("x86-64", "AArch64", ...).
std::string elf_machine_name(uint16_t machine);

} // namespace relc::release
