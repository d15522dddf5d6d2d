# JourneyKitSubdirectories.cmake — adds every sub-folder that has a CMakeLists.txt, in
# name order, so a new plugin, connector, example or test folder needs no registration.
include_guard(GLOBAL)

function(journeykit_add_all_subdirectories)
  file(GLOB children LIST_DIRECTORIES true CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*)
  foreach(child ${children})
    if(IS_DIRECTORY ${child} AND EXISTS ${child}/CMakeLists.txt)
      add_subdirectory(${child})
    endif()
  endforeach()
endfunction()
