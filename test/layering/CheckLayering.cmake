# cmake -DBUILD_DIR=… -DPROBES="name|wrong|header,…" -P CheckLayering.cmake
# Builds each probe target of test/layering/CMakeLists.txt: a "wrong" probe
# passes only when its build fails because the header is not found, an
# "allowed" one only when it builds.
set(failures "")
string(REPLACE "," ";" probes "${PROBES}")
foreach(probe IN LISTS probes)
  string(REPLACE "|" ";" fields "${probe}")
  list(GET fields 0 target)
  list(GET fields 1 expect)
  list(GET fields 2 header)
  execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${target}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  string(REPLACE "." "\\." header_re "${header}")
  # GCC: "fatal error: x/Y.hpp: No such file or directory"; Clang: "'x/Y.hpp' file not found".
  set(not_found "${header_re}: No such file or directory|'${header_re}' file not found")
  if(expect STREQUAL "wrong")
    if(rc EQUAL 0)
      string(APPEND failures "${target}: included ${header} and built: the include path holds a layer it must not\n")
    elseif(NOT out MATCHES "${not_found}")
      string(APPEND failures "${target}: failed, but not because ${header} was not found:\n${out}\n")
    else()
      message(STATUS "ok: ${target}: ${header} not found")
    endif()
  elseif(NOT rc EQUAL 0)
    string(APPEND failures "${target}: an allowed include (${header}) does not build:\n${out}\n")
  else()
    message(STATUS "ok: ${target}: ${header} builds")
  endif()
endforeach()
if(failures)
  message(FATAL_ERROR "${failures}")
endif()
