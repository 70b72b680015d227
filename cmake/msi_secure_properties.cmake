# Adds public properties to an MSI's SecureCustomProperties, which wixl
cmake_minimum_required(VERSION 3.20)
# writes itself (for its upgrade properties) and has no attribute for:
#   cmake -DMSI=<file> -DMSIINFO=<msiinfo> -DMSIBUILD=<msibuild>
#         -DPROPERTIES=A,B -P msi_secure_properties.cmake
# (With WiX's candle/light, Secure="yes" on each Property does the same.)
execute_process(COMMAND ${MSIINFO} export ${MSI} Property
                OUTPUT_VARIABLE table RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "msiinfo export ${MSI} Property failed")
endif()
set(list "")
string(REGEX MATCH "\nSecureCustomProperties\t([^\r\n]*)" found "${table}")
if(found)
  set(list ${CMAKE_MATCH_1})
endif()
string(REPLACE "," ";" PROPERTIES "${PROPERTIES}")
foreach(p ${PROPERTIES})
  if(NOT p IN_LIST list)
    list(APPEND list ${p})
  endif()
endforeach()
set(value "${list}") # "A;B;C", as the Property table wants it
if(found)
  set(query "UPDATE `Property` SET `Value` = '${value}' WHERE `Property` = 'SecureCustomProperties'")
else()
  set(query "INSERT INTO `Property` (`Property`, `Value`) VALUES ('SecureCustomProperties', '${value}')")
endif()
execute_process(COMMAND ${MSIBUILD} ${MSI} -q "${query}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "msibuild ${MSI}: cannot set SecureCustomProperties")
endif()
