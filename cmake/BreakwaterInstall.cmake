# `cmake --install`: the engine as a C++ library for other projects (README, "Use the engine in
# your own code"). It installs the engine's headers under include/breakwater/ in the engine's
# folder layout, its static libraries, a CMake package (find_package(Breakwater) gives
# Breakwater::engine) and a pkg-config file, breakwater.pc. Included once engine/ is added.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(BREAKWATER_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/Breakwater)
set(BREAKWATER_INSTALL_OBJECTSDIR ${CMAKE_INSTALL_LIBDIR}/breakwater)

# Every engine target (engine/CMakeLists.txt lists them: breakwater_engine, and the object library
# in which Qt compiles a static library's resources, the built-in scenarios), and the settings
# they link: a static library's dependencies are part of what it exports.
set(engine_targets ${BREAKWATER_ENGINE_TARGETS} breakwater_settings)
foreach(target IN LISTS engine_targets)
    # Breakwater::engine, Breakwater::settings, Breakwater::runtime, ...
    string(REGEX REPLACE "^breakwater_" "" export_name ${target})
    set_target_properties(${target} PROPERTIES EXPORT_NAME ${export_name})
endforeach()

install(TARGETS ${engine_targets} EXPORT BreakwaterTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT Development
    OBJECTS DESTINATION ${BREAKWATER_INSTALL_OBJECTSDIR} COMPONENT Development
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/breakwater)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/engine/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/breakwater
    COMPONENT Development FILES_MATCHING PATTERN "*.h")

install(EXPORT BreakwaterTargets NAMESPACE Breakwater:: DESTINATION ${BREAKWATER_INSTALL_CMAKEDIR}
    COMPONENT Development)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/BreakwaterConfig.cmake.in
    ${PROJECT_BINARY_DIR}/BreakwaterConfig.cmake INSTALL_DESTINATION ${BREAKWATER_INSTALL_CMAKEDIR})
# 0.x: a minor version may change the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/BreakwaterConfigVersion.cmake
    COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/BreakwaterConfig.cmake ${PROJECT_BINARY_DIR}/BreakwaterConfigVersion.cmake
    DESTINATION ${BREAKWATER_INSTALL_CMAKEDIR} COMPONENT Development)

# pkg-config: every static library (grouped, so their order does not matter) and the resource
# objects, where install(TARGETS ... OBJECTS) puts them: objects-CONFIG/TARGET/SOURCE.o, with
# SOURCE relative to the target's build folder.
set(pc_libs "")
set(pc_objects "")
foreach(target IN LISTS engine_targets)
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "STATIC_LIBRARY")
        string(APPEND pc_libs " -l$<TARGET_FILE_BASE_NAME:${target}>")
    elseif(type STREQUAL "OBJECT_LIBRARY")
        get_target_property(sources ${target} SOURCES)
        get_target_property(binary_dir ${target} BINARY_DIR)
        foreach(source IN LISTS sources)
            file(RELATIVE_PATH relative ${binary_dir} ${source})
            string(APPEND pc_objects " \${prefix}/${BREAKWATER_INSTALL_OBJECTSDIR}/objects-$<CONFIG>/${target}/${relative}${CMAKE_CXX_OUTPUT_EXTENSION}")
        endforeach()
    endif()
endforeach()
# The prefix is found from the file's own place, so the package can be installed anywhere.
string(REGEX REPLACE "[^/]+" ".." libdir_to_prefix ${CMAKE_INSTALL_LIBDIR})
file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/breakwater-$<CONFIG>.pc CONTENT "\
prefix=\${pcfiledir}/../${libdir_to_prefix}
libdir=\${prefix}/${CMAKE_INSTALL_LIBDIR}
includedir=\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}

Name: Breakwater
Description: ${PROJECT_DESCRIPTION}
Version: ${PROJECT_VERSION}
Requires: Qt6Core Qt6Network Qt6HttpServer prometheus-cpp-core
Cflags: -std=c++20 -I\${includedir}/breakwater
Libs:${pc_objects} -L\${libdir} -Wl,--start-group${pc_libs} -Wl,--end-group
")
install(FILES ${PROJECT_BINARY_DIR}/breakwater-$<CONFIG>.pc RENAME breakwater.pc
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT Development)
