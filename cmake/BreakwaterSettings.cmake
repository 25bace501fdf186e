# One INTERFACE target carries the settings every Breakwater target shares. Installed with the
# engine (Breakwater::settings), it gives a project using the engine C++20, which the headers
# need, but not the project's own rules and warnings (BUILD_INTERFACE: this build only).
add_library(breakwater_settings INTERFACE)
target_compile_features(breakwater_settings INTERFACE cxx_std_20)
target_compile_definitions(breakwater_settings INTERFACE "$<BUILD_INTERFACE:\
QT_NO_CAST_FROM_ASCII;QT_NO_CONTEXTLESS_CONNECT;QT_NO_NARROWING_CONVERSIONS_IN_CONNECT;QT_NO_KEYWORDS>")
target_compile_options(breakwater_settings INTERFACE
    "$<BUILD_INTERFACE:-Wall;-Wextra;-Wpedantic;-Wno-missing-field-initializers>")

set(CMAKE_CXX_EXTENSIONS OFF)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
    set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()

set(BREAKWATER_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address,undefined or thread")
# The libFuzzer build (tests/fuzz, clang only): the engine gets the fuzzer's coverage
# instrumentation and ASan+UBSan; the fuzz targets link libFuzzer's main themselves.
option(BREAKWATER_FUZZ "Build the libFuzzer targets of tests/fuzz (clang)" OFF)
if(BREAKWATER_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "BREAKWATER_FUZZ needs clang (libFuzzer): CXX=clang++")
    endif()
    target_compile_options(breakwater_settings INTERFACE -fsanitize=fuzzer-no-link)
    set(BREAKWATER_SANITIZE "address,undefined" CACHE STRING "" FORCE)
endif()
if(BREAKWATER_SANITIZE)
    target_compile_options(breakwater_settings INTERFACE -fsanitize=${BREAKWATER_SANITIZE} -fno-omit-frame-pointer)
    target_link_options(breakwater_settings INTERFACE -fsanitize=${BREAKWATER_SANITIZE})
    if(BREAKWATER_SANITIZE MATCHES "undefined")
        # A UBSan finding fails the test like an ASan one, rather than printing and going on.
        target_compile_options(breakwater_settings INTERFACE -fno-sanitize-recover=all)
    endif()
endif()
