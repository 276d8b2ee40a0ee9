# Warning and sanitizer flags for the project's own targets only (third-party headers are
# included as system headers and stay quiet).
add_library(drmm_options INTERFACE)
# -Wno-restrict: GCC 12 reports false -Wrestrict positives inside std::string's char_traits
# when inlining changes (optimised and sanitizer builds; GCC bug 105329); never about our code.
target_compile_options(drmm_options INTERFACE
  -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict> $<$<BOOL:${DRMM_WERROR}>:-Werror>)

# Sanitizer builds need line numbers in their reports, not full debug info (-g1 compiles and
# links markedly faster), and -O1 is what the sanitizers' documentation recommends.
if(NOT DRMM_SANITIZE STREQUAL "")
  target_compile_options(drmm_options INTERFACE -O1 -g1)
endif()

if(DRMM_SANITIZE STREQUAL "address")
  # -Wno-maybe-uninitialized: with ASan at -O2, GCC 12 warns inside libstdc++'s <regex>
  # automaton (std::function copies in _State), wherever std::regex is compiled.
  target_compile_options(drmm_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                -fno-sanitize-recover=undefined
                                                -Wno-maybe-uninitialized)
  target_link_options(drmm_options INTERFACE -fsanitize=address,undefined)
elseif(DRMM_SANITIZE STREQUAL "thread")
  target_compile_options(drmm_options INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(drmm_options INTERFACE -fsanitize=thread)
  # Every target gets the suppressions (libraries too: an executable's own copy wins, so the
  # libraries' copies are never pulled in and never clash).
  target_sources(drmm_options INTERFACE ${PROJECT_SOURCE_DIR}/cmake/tsan_suppressions.cc)
elseif(NOT DRMM_SANITIZE STREQUAL "")
  message(FATAL_ERROR "DRMM_SANITIZE must be '', 'address' or 'thread', not '${DRMM_SANITIZE}'")
endif()

# drmm_add_test(name SOURCES ... LIBS ...): one GoogleTest binary, registered with CTest.
function(drmm_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} drmm_test_support GTest::gmock GTest::gtest_main
                                        drmm_options)
  set(_labels unit)
  if(ARG_LABELS)
    set(_labels ${ARG_LABELS})
  endif()
  gtest_discover_tests(${name} PROPERTIES LABELS "${_labels}" TIMEOUT 120
                       DISCOVERY_TIMEOUT 60)
  # `ninja tests_<label>` builds the binaries of one label and what they link, no more: the
  # sanitizer builds in CI compile only the suites they run (tests/CMakeLists.txt adds the targets).
  foreach(_label IN LISTS _labels)
    set_property(GLOBAL APPEND PROPERTY DRMM_TESTS_${_label} ${name})
  endforeach()
endfunction()
