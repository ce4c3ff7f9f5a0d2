# Debian packages of relc, built with CPack (cpack -G DEB in the build dir):
#   relc      the relc tool, the node executable, librelc_runtime.so.<soversion>
#             and the kernel application
#   relc-dev  headers, the CMake package (find_package(relc)), relc.pc and
#             the librelc_runtime.so link
# Both install under /usr; the binaries find their library through $ORIGIN,
# so the packages' trees also work unpacked anywhere (dpkg-deb -x).
set(CPACK_PACKAGE_NAME relc)
set(CPACK_PACKAGE_VENDOR "relc")
set(CPACK_PACKAGE_CONTACT "relc maintainers <relc@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "OTP-style applications and releases for C++ on CAF")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME relc)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_DEV_PACKAGE_NAME relc-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "relc (= ${PROJECT_VERSION}), libcaf-dev (>= 0.17.6), cmake (>= 3.16)")
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION
    "relc tool, node executable and runtime library")
set(CPACK_COMPONENT_DEV_DESCRIPTION
    "relc headers, CMake package and pkg-config file for app libraries")
include(CPack)
