# The library's layers, lowest first. Each layer is a static library of src/<layer>/*.cpp whose
# public headers are include/celltrial/<layer>/; it links the layer below it (and so every lower
# layer) and nothing above it.
#
# Two checks make a dependency that runs back up the layers fail the build:
#  - celltrial_layercheck_<layer>: a program linking the whole archive of one layer with only the
#    layers below it; a call into a higher layer is an undefined reference at link time;
#  - celltrial_layer_includes: every #include "celltrial/<layer>/..." in src/ and include/ must name
#    the file's own layer or a lower one (cmake/check_layers.cmake), which also catches inline code.
set(CELLTRIAL_LAYERS core stats scenario model analysis engine design report services cli)

# celltrial_layer(NAME [PUBLIC_LIBS ...] [PRIVATE_LIBS ...] [PUBLIC_INCLUDES ...])
function(celltrial_layer NAME)
  cmake_parse_arguments(L "" "" "PUBLIC_LIBS;PRIVATE_LIBS;PUBLIC_INCLUDES" ${ARGN})
  list(FIND CELLTRIAL_LAYERS ${NAME} index)
  if(index LESS 0)
    message(FATAL_ERROR "celltrial_layer: '${NAME}' is not in CELLTRIAL_LAYERS")
  endif()
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${NAME}/*.cpp)
  add_library(celltrial_${NAME} STATIC ${sources})
  target_include_directories(celltrial_${NAME} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                             $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}> ${L_PUBLIC_INCLUDES})
  # Position-independent, so that a shared library can link the static layers (the R package links
  # them into its celltrial.so); -fno-semantic-interposition keeps the program's inlining as without.
  set_target_properties(celltrial_${NAME} PROPERTIES EXPORT_NAME ${NAME} POSITION_INDEPENDENT_CODE ON)
  target_compile_options(celltrial_${NAME} PRIVATE -fno-semantic-interposition)
  if(index GREATER 0)
    math(EXPR below "${index} - 1")
    list(GET CELLTRIAL_LAYERS ${below} lower)
    target_link_libraries(celltrial_${NAME} PUBLIC celltrial_${lower})
  endif()
  target_link_libraries(celltrial_${NAME} PUBLIC ${L_PUBLIC_LIBS} PRIVATE ${L_PRIVATE_LIBS})
  celltrial_warnings(celltrial_${NAME})

  add_executable(celltrial_layercheck_${NAME} ${PROJECT_SOURCE_DIR}/cmake/layer_check_main.cpp)
  target_link_libraries(celltrial_layercheck_${NAME} PRIVATE
    -Wl,--whole-archive celltrial_${NAME} -Wl,--no-whole-archive)
  set_target_properties(celltrial_layercheck_${NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/layercheck)
  add_dependencies(celltrial_${NAME} celltrial_layer_includes)
endfunction()

file(GLOB_RECURSE CELLTRIAL_LAYERED_FILES CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/src/*.cpp ${PROJECT_SOURCE_DIR}/src/*.hpp ${PROJECT_SOURCE_DIR}/include/*.hpp)
string(REPLACE ";" "," CELLTRIAL_LAYERS_ARG "${CELLTRIAL_LAYERS}")
add_custom_command(
  OUTPUT ${PROJECT_BINARY_DIR}/layercheck/includes.stamp
  COMMAND ${CMAKE_COMMAND} -DSRC=${PROJECT_SOURCE_DIR} -DLAYERS=${CELLTRIAL_LAYERS_ARG}
          -DSTAMP=${PROJECT_BINARY_DIR}/layercheck/includes.stamp -P ${PROJECT_SOURCE_DIR}/cmake/check_layers.cmake
  DEPENDS ${CELLTRIAL_LAYERED_FILES} ${PROJECT_SOURCE_DIR}/cmake/check_layers.cmake
  COMMENT "Checking that every include names its own layer or a lower one")
add_custom_target(celltrial_layer_includes ALL DEPENDS ${PROJECT_BINARY_DIR}/layercheck/includes.stamp)
