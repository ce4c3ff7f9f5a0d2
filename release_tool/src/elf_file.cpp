#include "relc/release/elf_file.hpp"

#include <elf.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "relc/release/release_error.hpp"

namespace relc::release {

namespace {

caf::error bad(const std::string& what) {
  return make_error(release_errc::bad_input, "not a valid ELF file: " + what);
}

// Reads ELF structures of one class with bounds checks on every access.
template <class Ehdr, class Shdr, class Sym, class Dyn>
caf::error parse_class(std::string_view bytes, elf_info& info) {
  auto fits = [&](uint64_t offset, uint64_t size) {
    return offset <= bytes.size() && size <= bytes.size() - offset;
  };
  Ehdr eh;
  if (!fits(0, sizeof eh))
    return bad("truncated header");
  memcpy(&eh, bytes.data(), sizeof eh);
  info.machine = eh.e_machine;
  info.is_shared_object = eh.e_type == ET_DYN;
  if (eh.e_shoff == 0 || eh.e_shnum == 0)
    return bad("no section headers");
  if (eh.e_shentsize != sizeof(Shdr)
      || !fits(eh.e_shoff, uint64_t{eh.e_shnum} * sizeof(Shdr)))
    return bad("section header table out of bounds");
  std::vector<Shdr> sections(eh.e_shnum);
  memcpy(sections.data(), bytes.data() + eh.e_shoff,
         sections.size() * sizeof(Shdr));
  auto section_data = [&](const Shdr& s) -> std::string_view {
    if (s.sh_type == SHT_NOBITS || !fits(s.sh_offset, s.sh_size))
      return {};
    return bytes.substr(s.sh_offset, s.sh_size);
  };
  auto str_at = [](std::string_view table, uint64_t offset) -> std::string {
    if (offset >= table.size())
      return {};
    auto end = table.find('\0', offset);
    if (end == std::string_view::npos)
      return {};
    return std::string{table.substr(offset, end - offset)};
  };
  if (eh.e_shstrndx < sections.size()) {
    auto names = section_data(sections[eh.e_shstrndx]);
    for (auto& s : sections)
      if (str_at(names, s.sh_name) == ".relc_runtime") {
        auto text = section_data(s);
        info.relc_runtime = std::string{text.substr(0, text.find('\0'))};
      }
  }
  for (auto& s : sections) {
    if (s.sh_type != SHT_DYNSYM && s.sh_type != SHT_DYNAMIC)
      continue;
    if (s.sh_link >= sections.size())
      return bad("section links to a missing string table");
    auto data = section_data(s);
    auto strtab = section_data(sections[s.sh_link]);
    if (data.size() != s.sh_size || strtab.empty())
      return bad("section out of bounds");
    if (s.sh_type == SHT_DYNSYM) {
      for (size_t off = 0; off + sizeof(Sym) <= data.size();
           off += sizeof(Sym)) {
        Sym sym;
        memcpy(&sym, data.data() + off, sizeof sym);
        auto bind = sym.st_info >> 4;
        auto visibility = sym.st_other & 0x3;
        if (sym.st_shndx == SHN_UNDEF || visibility != STV_DEFAULT
            || (bind != STB_GLOBAL && bind != STB_WEAK
                && bind != STB_GNU_UNIQUE))
          continue;
        auto name = str_at(strtab, sym.st_name);
        if (!name.empty())
          info.exports.insert(std::move(name));
      }
    } else {
      std::string runpath;
      std::string rpath;
      uint64_t runpath_at = 0;
      uint64_t rpath_at = 0;
      auto strtab_offset = sections[s.sh_link].sh_offset;
      for (size_t off = 0; off + sizeof(Dyn) <= data.size();
           off += sizeof(Dyn)) {
        Dyn d;
        memcpy(&d, data.data() + off, sizeof d);
        if (d.d_tag == DT_NULL)
          break;
        if (d.d_tag == DT_NEEDED)
          info.needed.push_back(str_at(strtab, d.d_un.d_val));
        else if (d.d_tag == DT_SONAME)
          info.soname = str_at(strtab, d.d_un.d_val);
        else if (d.d_tag == DT_RUNPATH) {
          runpath = str_at(strtab, d.d_un.d_val);
          runpath_at = strtab_offset + d.d_un.d_val;
        } else if (d.d_tag == DT_RPATH) {
          rpath = str_at(strtab, d.d_un.d_val);
          rpath_at = strtab_offset + d.d_un.d_val;
        }
      }
      auto path = runpath.empty() ? rpath : runpath;
      info.runpath_text = path;
      info.runpath_offset = path.empty() ? 0
                            : runpath.empty() ? rpath_at : runpath_at;
      size_t pos = 0;
      while (!path.empty() && pos <= path.size()) {
        auto end = path.find(':', pos);
        if (end == std::string::npos)
          end = path.size();
        if (end > pos)
          info.runpath.push_back(path.substr(pos, end - pos));
        pos = end + 1;
      }
    }
  }
  return {};
}

} // namespace

caf::expected<elf_info> parse_elf(std::string_view bytes) {
  if (bytes.size() < EI_NIDENT || memcmp(bytes.data(), ELFMAG, SELFMAG) != 0)
    return bad("no ELF magic");
  if (bytes[EI_DATA] != ELFDATA2LSB)
    return bad("big-endian ELF files are not supported");
  elf_info info;
  caf::error err;
  if (bytes[EI_CLASS] == ELFCLASS64) {
    info.is_64bit = true;
    err = parse_class<Elf64_Ehdr, Elf64_Shdr, Elf64_Sym, Elf64_Dyn>(bytes,
                                                                    info);
  } else if (bytes[EI_CLASS] == ELFCLASS32) {
    err = parse_class<Elf32_Ehdr, Elf32_Shdr, Elf32_Sym, Elf32_Dyn>(bytes,
                                                                    info);
  } else {
    return bad("unknown ELF class");
  }
  if (err)
    return err;
  return info;
}

caf::error rewrite_runpath(std::string& bytes, const elf_info& info,
                           const std::string& value) {
  auto old_size = info.runpath_text.size();
  if (info.runpath_offset == 0 || info.runpath_offset + old_size >= bytes.size())
    return make_error(release_errc::bad_input, "has no RUNPATH to rewrite");
  if (value.size() > old_size)
    return make_error(release_errc::bad_input,
                      "RUNPATH '" + info.runpath_text + "' has no room for '"
                        + value + "'");
  auto at = bytes.begin() + static_cast<std::ptrdiff_t>(info.runpath_offset);
  std::fill(at, at + static_cast<std::ptrdiff_t>(old_size), '\0');
  std::copy(value.begin(), value.end(), at);
  return {};
}

uint16_t host_elf_machine() {
  static const uint16_t machine = [] {
    std::ifstream in{"/proc/self/exe", std::ios::binary};
    char header[20] = {};
    in.read(header, sizeof header);
    uint16_t result = 0;
    memcpy(&result, header + 18, sizeof result); // e_machine, both classes
    return result;
  }();
  return machine;
}

std::string elf_machine_name(uint16_t machine) {
  switch (machine) {
    case EM_X86_64: return "x86-64";
    case EM_386: return "i386";
    case EM_AARCH64: return "AArch64";
    case EM_ARM: return "ARM";
    case EM_RISCV: return "RISC-V";
    case EM_PPC64: return "PowerPC64";
    case EM_S390: return "s390";
    default: return "machine " + std::to_string(machine);
  }
}

} // namespace relc::release
