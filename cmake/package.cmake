# Debian packages, made by `cpack -G DEB` in the build folder (scripts/package.sh):
#   celltrial_<version>_amd64.deb       the program, its man pages, bash and zsh completions and the
#                                       shipped scenarios; Depends from dpkg-shlibdeps
#   celltrial-dev_<version>_amd64.deb   the headers, static libraries and CMake package
# Each carries /usr/share/doc/<package>/copyright and changelog.gz (a native package's).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME celltrial)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "celltrial")
set(CPACK_PACKAGE_CONTACT "celltrial maintainers <maintainers@users.noreply.r-seed-23bff50e.example>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME celltrial)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION science)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_RECOMMENDS "gnuplot-nox")
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION
    "simulation and design of phase 3 trials of cell therapies for cerebral palsy
celltrial simulates patient-level trials of umbilical cord blood and
mesenchymal stromal cell therapies for children with cerebral palsy from a
YAML scenario, and reports operating characteristics (power, type I error,
bias, coverage) with their Monte Carlo errors: closed-form and simulated
sample sizes, sensitivity sweeps, subgroups with multiplicity, mixed models
for repeated measures and estimands. Results are reproducible to the bit for
any number of threads, shards or ranks.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME celltrial-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "celltrial (= ${PROJECT_VERSION}), libboost-dev (>= 1.74), libeigen3-dev (>= 3.3), libtbb-dev, libcli11-dev, libyaml-cpp-dev, nlohmann-json3-dev (>= 3.10), libpcg-cpp-dev")
set(CPACK_COMPONENT_DEV_DESCRIPTION
    "celltrial as a C++ library: headers, static libraries, CMake package
The library behind the celltrial program, for programs that run its
scenarios: find_package(celltrial CONFIG) and link celltrial::celltrial,
or pkg-config celltrial (as the R package does).")

# copyright and changelog.gz for each package.
set(deb_doc ${PROJECT_BINARY_DIR}/debian-doc)
file(MAKE_DIRECTORY ${deb_doc})
configure_file(${PROJECT_SOURCE_DIR}/cmake/debian/copyright ${deb_doc}/copyright COPYONLY)
string(TIMESTAMP deb_date "%a, %d %b %Y %H:%M:%S +0000" UTC)
file(WRITE ${deb_doc}/changelog
     "celltrial (${PROJECT_VERSION}) unstable; urgency=medium\n\n"
     "  * Release ${PROJECT_VERSION}; the changes are in the project's history.\n\n"
     " -- ${CPACK_PACKAGE_CONTACT}  ${deb_date}\n")
add_custom_command(OUTPUT ${deb_doc}/changelog.gz
                   COMMAND gzip -9nf -k ${deb_doc}/changelog
                   DEPENDS ${deb_doc}/changelog)
add_custom_target(celltrial_debian_doc ALL DEPENDS ${deb_doc}/changelog.gz)
install(FILES ${deb_doc}/copyright ${deb_doc}/changelog.gz DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/celltrial
        COMPONENT runtime)
install(FILES ${deb_doc}/copyright ${deb_doc}/changelog.gz DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/celltrial-dev
        COMPONENT dev)

include(CPack)
