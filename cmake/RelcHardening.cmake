# The hardening Debian's own packages build with: stack protector, fortified
# libc calls, position-independent executables, full RELRO, no executable
# stack. Applies to everything relc builds (runtime, tools, tests).
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
include(CheckPIESupported)
check_pie_supported()
add_compile_options(-fstack-protector-strong -fstack-clash-protection
  "$<$<NOT:$<CONFIG:Debug>>:-D_FORTIFY_SOURCE=2>")
add_link_options(-Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack)
