# relc_packed_relocs_flag(<var>)
#   Sets <var> to the linker option that packs relative relocations
#   (-Wl,-z,pack-relative-relocs: DT_RELR, binutils >= 2.38, glibc >= 2.36),
#   or to nothing where the toolchain lacks it. A relative relocation takes
#   24 bytes as RELA and about one bit as RELR: for a typical app library
#   (its vtables and typeinfo) that is a page less to map and keep resident,
#   and fewer entries for the dynamic loader to apply at dlopen.
include_guard(GLOBAL)
include(CheckCXXSourceCompiles)

function(relc_packed_relocs_flag out)
  if(NOT DEFINED RELC_HAVE_PACKED_RELOCS)
    set(CMAKE_REQUIRED_LINK_OPTIONS -Wl,-z,pack-relative-relocs)
    set(CMAKE_REQUIRED_QUIET ON)
    check_cxx_source_compiles("int main() { return 0; }" RELC_HAVE_PACKED_RELOCS)
  endif()
  if(RELC_HAVE_PACKED_RELOCS)
    set(${out} -Wl,-z,pack-relative-relocs PARENT_SCOPE)
  else()
    set(${out} "" PARENT_SCOPE)
  endif()
endfunction()
