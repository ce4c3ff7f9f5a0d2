# relc_add_application(NAME VERSION vsn SOURCES src... MANIFEST file
#                      [PRIV dir] [LIB_DIR dir] [LINK_LIBRARIES lib...])
#   Builds lib<NAME>.so (hidden visibility, linked to relc::runtime) and stages
#   <LIB_DIR>/<NAME>-<vsn>/{<NAME>.app, lib/lib<NAME>.so, priv/}. LIB_DIR
#   defaults to ${CMAKE_BINARY_DIR}/relc-lib, a lib dir for relc build.
#   An app without SOURCES is a manifest-only app (library: none).
#
# relc_add_release(NAME SPEC file [LIB_DIRS dir...] [OUT dir] [DEPENDS tgt...]
#                  [ALL])
#   A target that runs `relc build` on SPEC; OUT defaults to
#   ${CMAKE_BINARY_DIR}/_rel.

set(RELC_DEFAULT_LIB_DIR "${CMAKE_BINARY_DIR}/relc-lib" CACHE PATH
    "where relc_add_application stages applications")

function(relc_add_application NAME)
  cmake_parse_arguments(ARG "" "VERSION;MANIFEST;PRIV;LIB_DIR"
                        "SOURCES;LINK_LIBRARIES" ${ARGN})
  if(NOT ARG_VERSION OR NOT ARG_MANIFEST)
    message(FATAL_ERROR "relc_add_application(${NAME}): VERSION and MANIFEST are required")
  endif()
  if(NOT ARG_LIB_DIR)
    set(ARG_LIB_DIR "${RELC_DEFAULT_LIB_DIR}")
  endif()
  set(app_dir "${ARG_LIB_DIR}/${NAME}-${ARG_VERSION}")
  get_filename_component(manifest "${ARG_MANIFEST}" ABSOLUTE)
  set(staged_manifest "${app_dir}/${NAME}.app")
  # Copied at build time so edits to the manifest need no re-configure.
  add_custom_command(OUTPUT "${staged_manifest}"
    COMMAND ${CMAKE_COMMAND} -E copy "${manifest}" "${staged_manifest}"
    DEPENDS "${manifest}" VERBATIM)
  set(stage_deps "${staged_manifest}")
  if(ARG_PRIV)
    get_filename_component(priv "${ARG_PRIV}" ABSOLUTE)
    file(GLOB_RECURSE priv_files CONFIGURE_DEPENDS "${priv}/*")
    set(priv_stamp "${CMAKE_CURRENT_BINARY_DIR}/${NAME}.priv.stamp")
    add_custom_command(OUTPUT "${priv_stamp}"
      COMMAND ${CMAKE_COMMAND} -E rm -rf "${app_dir}/priv"
      COMMAND ${CMAKE_COMMAND} -E copy_directory "${priv}" "${app_dir}/priv"
      COMMAND ${CMAKE_COMMAND} -E touch "${priv_stamp}"
      DEPENDS ${priv_files} VERBATIM)
    list(APPEND stage_deps "${priv_stamp}")
  endif()
  if(ARG_SOURCES)
    add_library(${NAME} MODULE ${ARG_SOURCES})
    set_target_properties(${NAME} PROPERTIES
      PREFIX "lib" OUTPUT_NAME "${NAME}"
      LIBRARY_OUTPUT_DIRECTORY "${app_dir}/lib"
      CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
    target_link_libraries(${NAME} PRIVATE relc::runtime CAF::core ${ARG_LINK_LIBRARIES})
    target_sources(${NAME} PRIVATE ${stage_deps})
  else()
    add_custom_target(${NAME} ALL DEPENDS ${stage_deps})
  endif()
  set_property(TARGET ${NAME} PROPERTY RELC_APP_DIR "${app_dir}")
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
endfunction()
