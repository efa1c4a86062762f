# What `cmake --install` puts under the prefix:
#   bin/celltrial
#   include/celltrial/<layer>/*.hpp                      the public headers
#   lib/<multiarch>/libcelltrial_<layer>.a               one static library per layer
#   lib/<multiarch>/cmake/celltrial/                     celltrialConfig.cmake, its version file, the targets
#   lib/<multiarch>/pkgconfig/celltrial.pc               the same for pkg-config (the R package's configure)
#   share/celltrial/scenarios/                           the shipped scenarios
#   share/man/man1/, share/bash-completion/, share/zsh/  man pages and completions (CELLTRIAL_DOCS)
# in two components: `runtime` (the program, its pages, completions and scenarios) and `dev` (the
# headers, libraries and CMake package), the two Debian packages of cmake/package.cmake.
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
install(TARGETS celltrial RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
install(TARGETS ${layer_targets} celltrial_lib celltrial_version
        EXPORT celltrialTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/celltrial DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scenarios/ DESTINATION ${CMAKE_INSTALL_DATADIR}/celltrial/scenarios
        COMPONENT runtime FILES_MATCHING PATTERN "*.yaml")
install(EXPORT celltrialTargets NAMESPACE celltrial:: DESTINATION ${CELLTRIAL_INSTALL_CMAKEDIR} COMPONENT dev)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/celltrialConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/celltrialConfig.cmake
                              INSTALL_DESTINATION ${CELLTRIAL_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/celltrialConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/celltrialConfig.cmake ${PROJECT_BINARY_DIR}/celltrialConfigVersion.cmake
        DESTINATION ${CELLTRIAL_INSTALL_CMAKEDIR} COMPONENT dev)

# celltrial.pc: the compiler and linker flags of the whole library for pkg-config (the R package's
# configure script uses it). The layers go highest first, so that each archive precedes the ones it
# uses; the prefix is found from the file's own place, so the tree can be installed anywhere.
set(pc_libs)
set(pc_layers ${CELLTRIAL_LAYERS})
list(REVERSE pc_layers)
foreach(layer IN LISTS pc_layers)
  string(APPEND pc_libs " -lcelltrial_${layer}")
endforeach()
# The file goes to the multiarch folder (lib/x86_64-linux-gnu/pkgconfig), where pkg-config looks
# first and where Debian wants the .pc of architecture-dependent libraries.
set(pc_dir ${CMAKE_INSTALL_LIBDIR})
if(CMAKE_LIBRARY_ARCHITECTURE AND NOT pc_dir MATCHES "${CMAKE_LIBRARY_ARCHITECTURE}")
  string(APPEND pc_dir "/${CMAKE_LIBRARY_ARCHITECTURE}")
endif()
string(APPEND pc_dir "/pkgconfig")
string(REGEX REPLACE "[^/]+" ".." pc_up "${pc_dir}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/celltrial.pc.in ${PROJECT_BINARY_DIR}/celltrial.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/celltrial.pc DESTINATION ${pc_dir} COMPONENT dev)

# Man pages and shell completions, generated from the built program (cmake/make_docs.sh): help2man
# on each command's --help, and `celltrial completion bash|zsh`.
option(CELLTRIAL_DOCS "Generate the man pages and shell completions (needs help2man)" ON)
if(CELLTRIAL_DOCS)
  find_program(CELLTRIAL_HELP2MAN help2man)
  if(NOT CELLTRIAL_HELP2MAN)
    message(FATAL_ERROR "help2man was not found; it makes the man pages. Install it (scripts/setup.sh does: "
                        "apt-get install help2man), or configure with -DCELLTRIAL_DOCS=OFF to build without them.")
  endif()
  set(docs_dir ${PROJECT_BINARY_DIR}/docs)
  add_custom_command(
    OUTPUT ${docs_dir}/stamp
    COMMAND bash ${PROJECT_SOURCE_DIR}/cmake/make_docs.sh $<TARGET_FILE:celltrial> ${PROJECT_VERSION} ${docs_dir}
    COMMAND ${CMAKE_COMMAND} -E touch ${docs_dir}/stamp
    DEPENDS celltrial ${PROJECT_SOURCE_DIR}/cmake/make_docs.sh
    COMMENT "Writing the man pages and shell completions from the program's options")
  add_custom_target(celltrial_docs ALL DEPENDS ${docs_dir}/stamp)
  install(DIRECTORY ${docs_dir}/man/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT runtime
          FILES_MATCHING PATTERN "*.1.gz")
  install(FILES ${docs_dir}/completions/celltrial DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
          COMPONENT runtime)
  install(FILES ${docs_dir}/completions/_celltrial DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions
          COMPONENT runtime)
endif()

include(cmake/package.cmake)
