# cmake -P script run by the srdd-completion and srdd-man targets (docs.cmake).
#   MODE=completion: SRDD, OUT (the script's path)
#   MODE=man: SRDD, OUT (the man1 folder), HELP2MAN, COMMANDS (comma-separated), VERSION
cmake_minimum_required(VERSION 3.22)

function(run_srdd out)
  execute_process(COMMAND ${SRDD} ${ARGN} OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "srdd ${ARGN}: exit ${rc}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

if(MODE STREQUAL "completion")
  run_srdd(script completion bash)
  get_filename_component(dir ${OUT} DIRECTORY)
  file(MAKE_DIRECTORY ${dir})
  file(WRITE ${OUT} "${script}")
  return()
endif()

if(NOT MODE STREQUAL "man")
  message(FATAL_ERROR "gen_docs.cmake: MODE must be completion or man")
endif()
file(MAKE_DIRECTORY ${OUT})
run_srdd(overview --help)
string(REPLACE "," ";" commands "${COMMANDS}")

# help2man PAGE SUMMARY HELP-OPTION: the page from `srdd HELP-OPTION`, titled PAGE.
function(make_page page summary help_option)
  execute_process(COMMAND ${HELP2MAN} --no-info --no-discard-stderr "--version-string=srdd ${VERSION}"
                          "--help-option=${help_option}" "--name=${summary}" --section=1 --output=${OUT}/${page}.1 ${SRDD}
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "help2man for ${page}: ${err}")
  endif()
  if(NOT page STREQUAL "srdd")  # help2man names the page after the program: srdd-scan, not srdd
    file(READ ${OUT}/${page}.1 text)
    string(TOUPPER ${page} title)
    string(REGEX REPLACE "\n\\.TH SRDD " "\n.TH ${title} " text "${text}")
    string(REGEX REPLACE "\n\\.SH NAME\nsrdd " "\n.SH NAME\n${page} " text "${text}")
    file(WRITE ${OUT}/${page}.1 "${text}")
  endif()
endfunction()

make_page(srdd "the SRDD Studio command-line tool" --help)
foreach(name ${commands})
  # The one-line summary from the command list of `srdd --help`.
  if(NOT overview MATCHES "\n  ${name} +([^\n]*)")
    message(FATAL_ERROR "srdd --help does not list ${name}")
  endif()
  make_page(srdd-${name} "${CMAKE_MATCH_1}" "${name} --help-all")
endforeach()
