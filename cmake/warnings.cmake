# Warnings on every target of the project (library layers, program, tests, benchmarks, fuzzers).
# CELLTRIAL_WERROR=ON turns them into errors (the test script builds that way: the build is
# warning-free and must stay so).
option(CELLTRIAL_WERROR "Treat compiler warnings as errors" OFF)
set(CELLTRIAL_WARNING_FLAGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion)
# Clang's -Wconversion includes -Wsign-conversion, which GCC's does not and the project leaves out
# (README, Testing): the same set under both compilers.
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  list(APPEND CELLTRIAL_WARNING_FLAGS -Wno-sign-conversion)
endif()
function(celltrial_warnings target)
  target_compile_options(${target} PRIVATE ${CELLTRIAL_WARNING_FLAGS})
  if(CELLTRIAL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
