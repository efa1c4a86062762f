# Warnings on every target of the project (library layers, program, tests, benchmarks, fuzzers).
# CELLTRIAL_WERROR=ON turns them into errors (the test script builds that way: the build is
# warning-free and must stay so).
option(CELLTRIAL_WERROR "Treat compiler warnings as errors" OFF)
set(CELLTRIAL_WARNING_FLAGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion)
function(celltrial_warnings target)
  target_compile_options(${target} PRIVATE ${CELLTRIAL_WARNING_FLAGS})
  if(CELLTRIAL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
