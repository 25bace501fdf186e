# The layer check (cmake/check-layers.cmake) as a build step. Every target links
# breakwater_settings, and an interface library's dependencies pass to the targets that link it,
# so nothing compiles before the includes are checked, and a wrong one fails the build. It runs
# again when any file of engine/, ui/ or app/ changes (the glob sees new files at build time).
file(GLOB_RECURSE layered_files CONFIGURE_DEPENDS
    ${PROJECT_SOURCE_DIR}/engine/*.h ${PROJECT_SOURCE_DIR}/engine/*.cpp
    ${PROJECT_SOURCE_DIR}/ui/*.h ${PROJECT_SOURCE_DIR}/ui/*.cpp
    ${PROJECT_SOURCE_DIR}/app/*.h ${PROJECT_SOURCE_DIR}/app/*.cpp)
set(layers_checked ${PROJECT_BINARY_DIR}/layers.checked)
add_custom_command(OUTPUT ${layers_checked}
    COMMAND ${CMAKE_COMMAND} -DROOT=${PROJECT_SOURCE_DIR} -P ${CMAKE_CURRENT_LIST_DIR}/check-layers.cmake
    COMMAND ${CMAKE_COMMAND} -E touch ${layers_checked}
    DEPENDS ${CMAKE_CURRENT_LIST_DIR}/check-layers.cmake ${layered_files}
    COMMENT "Checking that includes follow the layer order"
    VERBATIM)
add_custom_target(breakwater_layers DEPENDS ${layers_checked})
add_dependencies(breakwater_settings breakwater_layers)
