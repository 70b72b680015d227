# protobuf-c: the code generator (protoc-c, or protoc + protoc-gen-c on
# protobuf-c >= 1.5) and the runtime library, as svcd::protobuf_c.
#
# The runtime comes from the system (Debian's libprotobuf-c-dev, vcpkg's
# protobuf-c port) or, for cross builds, is compiled from a protobuf-c source
# tree given as SVCD_PROTOBUF_C_SOURCE (e.g. from `apt-get source protobuf-c`).

set(SVCD_PROTOBUF_C_SOURCE "" CACHE PATH
    "protobuf-c source tree to build the runtime from (cross builds)")

find_program(SVCD_PROTOC_C NAMES protoc-c)
find_program(SVCD_PROTOC_GEN_C NAMES protoc-gen-c)
find_program(SVCD_PROTOC NAMES protoc)
if(NOT SVCD_PROTOC_C AND NOT (SVCD_PROTOC_GEN_C AND SVCD_PROTOC))
  message(FATAL_ERROR "protobuf-c code generator not found: install protobuf-c-compiler "
                      "(Debian) or the protobuf-c vcpkg port, or run scripts/test which does")
endif()

if(SVCD_PROTOBUF_C_SOURCE)
  if(NOT EXISTS ${SVCD_PROTOBUF_C_SOURCE}/protobuf-c/protobuf-c.c)
    message(FATAL_ERROR "SVCD_PROTOBUF_C_SOURCE=${SVCD_PROTOBUF_C_SOURCE} has no "
                        "protobuf-c/protobuf-c.c")
  endif()
  add_library(svcd_protobuf_c_rt STATIC ${SVCD_PROTOBUF_C_SOURCE}/protobuf-c/protobuf-c.c)
  target_include_directories(svcd_protobuf_c_rt SYSTEM PUBLIC ${SVCD_PROTOBUF_C_SOURCE})
  add_library(svcd::protobuf_c ALIAS svcd_protobuf_c_rt)
else()
  find_path(SVCD_PROTOBUF_C_INCLUDE protobuf-c/protobuf-c.h)
  find_library(SVCD_PROTOBUF_C_LIB NAMES protobuf-c)
  if(NOT SVCD_PROTOBUF_C_INCLUDE OR NOT SVCD_PROTOBUF_C_LIB)
    message(FATAL_ERROR "protobuf-c runtime not found: install libprotobuf-c-dev, or set "
                        "SVCD_PROTOBUF_C_SOURCE to a protobuf-c source tree")
  endif()
  add_library(svcd::protobuf_c UNKNOWN IMPORTED)
  set_target_properties(svcd::protobuf_c PROPERTIES
    IMPORTED_LOCATION ${SVCD_PROTOBUF_C_LIB}
    INTERFACE_INCLUDE_DIRECTORIES ${SVCD_PROTOBUF_C_INCLUDE})
endif()

# svcd_protobuf_c_generate(<out-var> <proto>): generates <name>.pb-c.c/.h into
# the build tree (never the source tree) and sets <out-var> to the sources.
function(svcd_protobuf_c_generate out proto)
  get_filename_component(name ${proto} NAME_WE)
  get_filename_component(dir ${proto} DIRECTORY)
  set(gen ${CMAKE_CURRENT_BINARY_DIR}/generated)
  file(MAKE_DIRECTORY ${gen})
  if(SVCD_PROTOC_C)
    set(cmd ${SVCD_PROTOC_C} --c_out=${gen} -I${dir} ${proto})
  else()
    set(cmd ${SVCD_PROTOC} --plugin=protoc-gen-c=${SVCD_PROTOC_GEN_C} --c_out=${gen}
            -I${dir} ${proto})
  endif()
  add_custom_command(
    OUTPUT ${gen}/${name}.pb-c.c ${gen}/${name}.pb-c.h
    COMMAND ${cmd}
    DEPENDS ${proto}
    COMMENT "Generating protobuf-c code from ${name}.proto"
    VERBATIM)
  set(${out} ${gen}/${name}.pb-c.c ${gen}/${name}.pb-c.h PARENT_SCOPE)
endfunction()
