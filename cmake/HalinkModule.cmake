# One static library per source folder, named halink_<module>.
#   halink_module(bgp_wire DEPS halink_core)
# Sources: every .cpp in the calling folder (each folder has one responsibility,
# so listing files twice would only add a place to forget one).
function(halink_module name)
  cmake_parse_arguments(ARG "" "" "DEPS;PUBLIC_LIBS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  add_library(halink_${name} STATIC ${sources})
  target_include_directories(halink_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(halink_${name} PUBLIC ${ARG_DEPS} ${ARG_PUBLIC_LIBS})
endfunction()

# A GoogleTest executable registered with ctest under a label.
#   halink_test(core_test LABEL unit SOURCES a.cpp b.cpp DEPS halink_core)
find_package(GTest REQUIRED)
function(halink_test name)
  cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name} PRIVATE HALINK_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  if(NOT ARG_LABEL)
    set(ARG_LABEL unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS ${ARG_LABEL} TIMEOUT ${ARG_TIMEOUT})
endfunction()
