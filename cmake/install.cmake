# What `cmake --install` puts under the prefix:
#   bin/celltrial
#   include/celltrial/<layer>/*.hpp                      the public headers
#   lib/<multiarch>/libcelltrial_<layer>.a               one static library per layer
#   lib/<multiarch>/cmake/celltrial/                     celltrialConfig.cmake, its version file, the targets
#   share/celltrial/scenarios/                           the shipped scenarios
#
# A consumer writes find_package(celltrial 0.2 CONFIG REQUIRED) and links celltrial::celltrial
# (every layer). The libraries are static and the API is C++: a program is built against the
# headers of the version it links, and no ABI is kept between versions (0.x: the same minor
# version only, as the version file says).
include(CMakePackageConfigHelpers)

set_target_properties(celltrial_lib PROPERTIES EXPORT_NAME celltrial)
set(CELLTRIAL_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/celltrial)

set(layer_targets)
foreach(layer IN LISTS CELLTRIAL_LAYERS)
  list(APPEND layer_targets celltrial_${layer})
endforeach()
install(TARGETS celltrial RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS ${layer_targets} celltrial_lib celltrial_version
        EXPORT celltrialTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/celltrial DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scenarios/ DESTINATION ${CMAKE_INSTALL_DATADIR}/celltrial/scenarios
        FILES_MATCHING PATTERN "*.yaml")
install(EXPORT celltrialTargets NAMESPACE celltrial:: DESTINATION ${CELLTRIAL_INSTALL_CMAKEDIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/celltrialConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/celltrialConfig.cmake
                              INSTALL_DESTINATION ${CELLTRIAL_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/celltrialConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/celltrialConfig.cmake ${PROJECT_BINARY_DIR}/celltrialConfigVersion.cmake
        DESTINATION ${CELLTRIAL_INSTALL_CMAKEDIR})
