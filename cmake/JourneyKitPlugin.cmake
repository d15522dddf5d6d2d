# JourneyKitPlugin.cmake — declare a JourneyKit plugin in one line:
#   journeykit_add_plugin(my-source SOURCES my_source.cpp [LIBRARIES extra::lib]
#                         [OUTPUT_DIRECTORY dir] [NO_INSTALL])
# Builds a MODULE library named journeykit-<name>.so with hidden visibility that links only
# the header-only authoring layer (JourneyKit::plugin_api), and installs it into the plugin
# directory the host searches last.
include_guard(GLOBAL)

function(journeykit_add_plugin name)
  cmake_parse_arguments(ARG "NO_INSTALL" "OUTPUT_DIRECTORY" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "journeykit_add_plugin(${name}): SOURCES is required")
  endif()
  set(target journeykit-plugin-${name})
  add_library(${target} MODULE ${ARG_SOURCES})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "journeykit-${name}"
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIRECTORY}")
  elseif(DEFINED JOURNEYKIT_BUILD_PLUGIN_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${JOURNEYKIT_BUILD_PLUGIN_DIR}")
  endif()
  target_compile_features(${target} PRIVATE cxx_std_20)
  target_link_libraries(${target} PRIVATE JourneyKit::plugin_api ${ARG_LIBRARIES})
  # Every symbol must resolve when the plugin is linked, not when a host loads it; and the
  # entry point is the only symbol the library exports (no C++ symbol can clash with the host's).
  set(version_script "${CMAKE_CURRENT_BINARY_DIR}/journeykit-plugin-exports.map")
  if(NOT EXISTS "${version_script}")
    file(WRITE "${version_script}" "{ global: journeykit_plugin_v1; local: *; };\n")
  endif()
  target_link_options(${target} PRIVATE "LINKER:--no-undefined" "LINKER:--version-script=${version_script}")
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${version_script}")
  if(DEFINED JOURNEYKIT_PLUGIN_INSTALL_DIR AND NOT ARG_NO_INSTALL)
    install(TARGETS ${target} LIBRARY DESTINATION "${JOURNEYKIT_PLUGIN_INSTALL_DIR}")
  endif()
endfunction()
