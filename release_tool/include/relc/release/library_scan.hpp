#pragma once

#include <map>
#include <string>

#include "relc/release/diagnostics.hpp"
#include "relc/release/elf_file.hpp"
#include "relc/release/resolver.hpp"

namespace relc::release {

/// An app's shared library, read once: its checksum and its ELF facts.
struct app_library {
  std::string path; ///< source path
  std::string sha256;
  uint64_t size = 0;
  elf_info elf;
};

/// Reads the library of every app that has one. A missing or unreadable
/// file, a file that is not a shared object, or one built for another
/// machine is an error naming the app and the file; that app is left out.
std::map<std::string, app_library> scan_libraries(const resolved_release& rel,
                                                  diagnostics& diags);

} // namespace relc::release
