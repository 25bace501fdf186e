# One INTERFACE target carries the settings every Breakwater target shares.
add_library(breakwater_settings INTERFACE)
target_compile_features(breakwater_settings INTERFACE cxx_std_20)
target_compile_definitions(breakwater_settings INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CONTEXTLESS_CONNECT
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_NO_KEYWORDS)
target_compile_options(breakwater_settings INTERFACE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)

set(CMAKE_CXX_EXTENSIONS OFF)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
    set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()

set(BREAKWATER_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address,undefined or thread")
if(BREAKWATER_SANITIZE)
    target_compile_options(breakwater_settings INTERFACE -fsanitize=${BREAKWATER_SANITIZE} -fno-omit-frame-pointer)
    target_link_options(breakwater_settings INTERFACE -fsanitize=${BREAKWATER_SANITIZE})
endif()
