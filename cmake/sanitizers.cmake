# CELLTRIAL_SANITIZE: build everything with sanitizers, e.g. -DCELLTRIAL_SANITIZE=address,undefined
# or -DCELLTRIAL_SANITIZE=thread (the two cannot be combined). Findings abort the program
# (-fno-sanitize-recover), so a test that triggers one fails.
set(CELLTRIAL_SANITIZE "" CACHE STRING "Sanitizers: address,undefined | thread | empty for none")
if(CELLTRIAL_SANITIZE)
  if(CELLTRIAL_SANITIZE MATCHES "thread" AND CELLTRIAL_SANITIZE MATCHES "address")
    message(FATAL_ERROR "CELLTRIAL_SANITIZE: thread cannot be combined with address")
  endif()
  # Debug information comes from the build type (scripts/sanitize.sh and scripts/asan_copy.sh use
  # RelWithDebInfo with -g1: line tables for the reports, at a fraction of the build time of -g).
  add_compile_options(-fsanitize=${CELLTRIAL_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${CELLTRIAL_SANITIZE})
endif()

# CELLTRIAL_FUZZ: libFuzzer targets in fuzz/ (clang only). Every library layer is compiled with
# coverage instrumentation for the fuzzer.
option(CELLTRIAL_FUZZ "Build the libFuzzer targets (needs clang)" OFF)
if(CELLTRIAL_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "CELLTRIAL_FUZZ needs clang: configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
  # Programs other than the fuzz targets (the tests, celltrial) link the coverage hooks' defaults.
  add_link_options(-fsanitize=fuzzer-no-link)
endif()
