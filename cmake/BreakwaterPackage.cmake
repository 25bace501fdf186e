# The app for people who just want to run it (README, "Install the app"). `cmake --install` puts
# the binary in bin/, with a desktop entry and an icon when it has the window; `make package`
# (CPack) makes a Debian package of those alone: component Runtime, while the library is
# component Development.
include(GNUInstallDirs)

install(TARGETS breakwater RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT Runtime)
# qt_standard_project_setup() points installed binaries at libraries installed beside them
# ($ORIGIN/../lib); this one links the engine statically and Qt from the system.
set_target_properties(breakwater PROPERTIES INSTALL_RPATH "")
if(TARGET breakwater_ui)
    install(FILES ${PROJECT_SOURCE_DIR}/resources/breakwater.desktop
        DESTINATION ${CMAKE_INSTALL_DATADIR}/applications COMPONENT Runtime)
    install(FILES ${PROJECT_SOURCE_DIR}/resources/breakwater.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps COMPONENT Runtime)
endif()
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE RENAME copyright
    DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/breakwater COMPONENT Runtime)

set(CPACK_PACKAGE_NAME breakwater)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "resilience lab for circuit breakers, retries, timeouts and bulkheads")
set(CPACK_PACKAGE_DESCRIPTION "\
Breakwater runs circuit breakers, retries, timeouts, bulkheads and fallbacks over simulated or
recorded calls on a virtual clock, or over real HTTP calls with faults injected live, so that
thresholds can be tuned before they ship. It has a desktop app and headless commands (run,
replay, chaos-target, proxy, validate).")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "Breakwater maintainers")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # breakwater_<version>_<arch>.deb
# The libraries the binary links, as dpkg-shlibdeps finds them, plus Qt's X11 platform plugin
# (qt6-qpa-plugins), which Qt loads at run time where dpkg-shlibdeps cannot see it.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS qt6-qpa-plugins)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL Runtime)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
include(CPack)
