# relc_add_application(NAME VERSION vsn SOURCES src... MANIFEST file
#                      [APPUP file] [PRIV dir] [LIB_DIR dir]
#                      [LINK_LIBRARIES lib...] [COMPILE_DEFINITIONS def...]
#                      [TARGET name])
#   Builds lib<NAME>.so (hidden visibility, packed relocations, linked to relc::runtime) and stages
#   <LIB_DIR>/<NAME>-<vsn>/{<NAME>.app, <NAME>.appup, lib/lib<NAME>.so, priv/}.
#   LIB_DIR defaults to ${CMAKE_BINARY_DIR}/relc-lib, a lib dir for relc build.
#   An app without SOURCES is a manifest-only app (library: none). The
#   target is NAME; a second version of the same app in one project (for an
#   upgrade) is NAME-vsn unless TARGET names it.
#
#   The staged manifest is a symlink to MANIFEST, so relc's messages name
#   the file you edit. The library gets no RUNPATH (the node it loads into
#   provides relc and CAF); set BUILD_RPATH/INSTALL_RPATH to $ORIGIN-relative
#   paths for libraries it ships itself.
#
# relc_add_release(NAME SPEC file [LIB_DIRS dir...] [OUT dir] [DEPENDS tgt...]
#                  [ARGS arg...] [ALL])
#   A target that runs `relc build` on SPEC; OUT defaults to
#   ${CMAKE_BINARY_DIR}/_rel. It depends by itself on every app target that
#   relc_add_application staged into one of its LIB_DIRS (in this project,
#   wherever defined); DEPENDS adds more.

include("${CMAKE_CURRENT_LIST_DIR}/RelcPackedRelocs.cmake")

set(RELC_DEFAULT_LIB_DIR "${CMAKE_BINARY_DIR}/relc-lib" CACHE PATH
    "where relc_add_application stages applications")

function(relc_add_application NAME)
  cmake_parse_arguments(ARG "" "VERSION;MANIFEST;APPUP;PRIV;LIB_DIR;TARGET"
                        "SOURCES;LINK_LIBRARIES;COMPILE_DEFINITIONS" ${ARGN})
  if(NOT ARG_VERSION OR NOT ARG_MANIFEST)
    message(FATAL_ERROR "relc_add_application(${NAME}): VERSION and MANIFEST are required")
  endif()
  # The target is named after the app; a second version of the same app
  # (for an upgrade, docs/cmake.md) gets <app>-<vsn> unless TARGET says.
  if(NOT ARG_TARGET)
    if(TARGET ${NAME})
      set(ARG_TARGET "${NAME}-${ARG_VERSION}")
    else()
      set(ARG_TARGET "${NAME}")
    endif()
  endif()
  if(NOT ARG_LIB_DIR)
    set(ARG_LIB_DIR "${RELC_DEFAULT_LIB_DIR}")
  endif()
  set(app_dir "${ARG_LIB_DIR}/${NAME}-${ARG_VERSION}")
  get_filename_component(manifest "${ARG_MANIFEST}" ABSOLUTE)
  set(staged_manifest "${app_dir}/${NAME}.app")
  # A symlink to the source: edits need no rebuild, and relc's messages
  # name the file the user edits, not a copy in the build dir.
  add_custom_command(OUTPUT "${staged_manifest}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${app_dir}"
    COMMAND ${CMAKE_COMMAND} -E create_symlink "${manifest}" "${staged_manifest}"
    DEPENDS "${manifest}" VERBATIM)
  set(stage_deps "${staged_manifest}")
  if(ARG_APPUP)
    get_filename_component(appup "${ARG_APPUP}" ABSOLUTE)
    set(staged_appup "${app_dir}/${NAME}.appup")
    add_custom_command(OUTPUT "${staged_appup}"
      COMMAND ${CMAKE_COMMAND} -E make_directory "${app_dir}"
      COMMAND ${CMAKE_COMMAND} -E create_symlink "${appup}" "${staged_appup}"
      DEPENDS "${appup}" VERBATIM)
    list(APPEND stage_deps "${staged_appup}")
  endif()
  if(ARG_PRIV)
    get_filename_component(priv "${ARG_PRIV}" ABSOLUTE)
    file(GLOB_RECURSE priv_files CONFIGURE_DEPENDS "${priv}/*")
    set(priv_stamp "${CMAKE_CURRENT_BINARY_DIR}/${ARG_TARGET}.priv.stamp")
    add_custom_command(OUTPUT "${priv_stamp}"
      COMMAND ${CMAKE_COMMAND} -E rm -rf "${app_dir}/priv"
      COMMAND ${CMAKE_COMMAND} -E copy_directory "${priv}" "${app_dir}/priv"
      COMMAND ${CMAKE_COMMAND} -E touch "${priv_stamp}"
      DEPENDS ${priv_files} VERBATIM)
    list(APPEND stage_deps "${priv_stamp}")
  endif()
  if(ARG_SOURCES)
    add_library(${ARG_TARGET} MODULE ${ARG_SOURCES})
    set_target_properties(${ARG_TARGET} PROPERTIES
      PREFIX "lib" OUTPUT_NAME "${NAME}"
      LIBRARY_OUTPUT_DIRECTORY "${app_dir}/lib"
      CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
      SKIP_BUILD_RPATH ON BUILD_WITH_INSTALL_RPATH ON INSTALL_RPATH "")
    target_link_libraries(${ARG_TARGET} PRIVATE relc::runtime CAF::core ${ARG_LINK_LIBRARIES})
    # A node loads every app library: packed relocations make each smaller
    # to map and keep resident (RelcPackedRelocs.cmake).
    relc_packed_relocs_flag(packed_relocs)
    target_link_options(${ARG_TARGET} PRIVATE ${packed_relocs})
    if(ARG_COMPILE_DEFINITIONS)
      target_compile_definitions(${ARG_TARGET} PRIVATE ${ARG_COMPILE_DEFINITIONS})
    endif()
    target_sources(${ARG_TARGET} PRIVATE ${stage_deps})
  else()
    add_custom_target(${ARG_TARGET} ALL DEPENDS ${stage_deps})
  endif()
  set_property(TARGET ${ARG_TARGET} PROPERTY RELC_APP_DIR "${app_dir}")
  get_filename_component(lib_dir "${ARG_LIB_DIR}" ABSOLUTE)
  set_property(GLOBAL APPEND PROPERTY "RELC_APPS_IN:${lib_dir}" ${ARG_TARGET})
endfunction()

# Adds to release target REL every app staged into LIB_DIRS so far.
function(_relc_release_depends_on_apps REL LIB_DIRS)
  foreach(dir IN LISTS LIB_DIRS)
    get_filename_component(dir "${dir}" ABSOLUTE)
    get_property(apps GLOBAL PROPERTY "RELC_APPS_IN:${dir}")
    if(apps)
      add_dependencies(${REL} ${apps})
    endif()
  endforeach()
endfunction()

function(relc_add_release NAME)
  cmake_parse_arguments(ARG "ALL" "SPEC;OUT" "LIB_DIRS;DEPENDS;ARGS" ${ARGN})
  if(NOT ARG_SPEC)
    message(FATAL_ERROR "relc_add_release(${NAME}): SPEC is required")
  endif()
  if(NOT ARG_LIB_DIRS)
    set(ARG_LIB_DIRS "${RELC_DEFAULT_LIB_DIR}")
  endif()
  if(NOT ARG_OUT)
    set(ARG_OUT "${CMAKE_BINARY_DIR}/_rel")
  endif()
  if(TARGET relc)
    set(relc_command $<TARGET_FILE:relc>)
    list(APPEND ARG_DEPENDS relc)
    if(TARGET relc-node)
      list(APPEND ARG_DEPENDS relc-node)
    endif()
  else()
    set(relc_command "${RELC_EXECUTABLE}")
  endif()
  set(lib_args "")
  foreach(dir IN LISTS ARG_LIB_DIRS)
    list(APPEND lib_args --lib-dir "${dir}")
  endforeach()
  get_filename_component(spec "${ARG_SPEC}" ABSOLUTE)
  set(all_flag "")
  if(ARG_ALL)
    set(all_flag ALL)
  endif()
  add_custom_target(${NAME} ${all_flag}
    COMMAND ${relc_command} build "${spec}" ${lib_args} --out "${ARG_OUT}" ${ARG_ARGS}
    DEPENDS ${ARG_DEPENDS}
    COMMENT "relc build ${ARG_SPEC}" VERBATIM)
  # Apps defined after this call count too: look once the project is read.
  if(NOT CMAKE_VERSION VERSION_LESS 3.19)
    # A deferred call expands variables when it runs: bake the values in.
    cmake_language(EVAL CODE "cmake_language(DEFER DIRECTORY [[${CMAKE_SOURCE_DIR}]]
      CALL _relc_release_depends_on_apps [[${NAME}]] [[${ARG_LIB_DIRS}]])")
  else()
    _relc_release_depends_on_apps(${NAME} "${ARG_LIB_DIRS}")
  endif()
endfunction()
