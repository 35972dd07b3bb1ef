# Built from the srdd binary itself, so they always match its options:
#   SRDD_BASH_COMPLETION  the bash completion script (`srdd completion bash`), target srdd-completion
#   SRDD_MAN_PAGES        man pages from `--help` by help2man (Debian help2man), target srdd-man:
#                         srdd.1 (the command list) and srdd-COMMAND.1 per command, git style (`man srdd-scan`):
#                         each command's --help is a complete page of its own, and one page per command keeps
#                         each page short enough to read; bench and engine pages include their subcommands.
# Both land in the build tree under share/ (the layout of an install prefix); SRDD_MAN_DIR is their folder.
set(SRDD_BASH_COMPLETION ${CMAKE_BINARY_DIR}/share/bash-completion/completions/srdd)
add_custom_command(OUTPUT ${SRDD_BASH_COMPLETION}
                   COMMAND ${CMAKE_COMMAND} -DMODE=completion -DSRDD=$<TARGET_FILE:srdd> -DOUT=${SRDD_BASH_COMPLETION}
                           -P ${CMAKE_CURRENT_LIST_DIR}/gen_docs.cmake
                   DEPENDS srdd ${CMAKE_CURRENT_LIST_DIR}/gen_docs.cmake
                   COMMENT "bash completion for srdd")
add_custom_target(srdd-completion ALL DEPENDS ${SRDD_BASH_COMPLETION})

# The commands, one cmd_<name>.cpp each (cmd_bench_<name>.cpp are `srdd bench` benchmarks, on its page).
file(GLOB _srdd_cmd_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/cmd_*.cpp)
set(SRDD_COMMANDS "")
foreach(src ${_srdd_cmd_sources})
  get_filename_component(name ${src} NAME_WE)
  string(REGEX REPLACE "^cmd_" "" name ${name})
  if(NOT name MATCHES "^bench_")
    string(REPLACE "_" "-" name ${name})
    list(APPEND SRDD_COMMANDS ${name})
  endif()
endforeach()

set(SRDD_MAN_DIR ${CMAKE_BINARY_DIR}/share/man/man1)
set(SRDD_MAN_PAGES ${SRDD_MAN_DIR}/srdd.1)
foreach(name ${SRDD_COMMANDS})
  list(APPEND SRDD_MAN_PAGES ${SRDD_MAN_DIR}/srdd-${name}.1)
endforeach()
find_program(SRDD_HELP2MAN help2man)
if(SRDD_HELP2MAN)
  string(REPLACE ";" "," _srdd_commands "${SRDD_COMMANDS}")
  add_custom_command(OUTPUT ${SRDD_MAN_PAGES}
                     COMMAND ${CMAKE_COMMAND} -DMODE=man -DSRDD=$<TARGET_FILE:srdd> -DOUT=${SRDD_MAN_DIR}
                             -DHELP2MAN=${SRDD_HELP2MAN} -DCOMMANDS=${_srdd_commands} -DVERSION=${PROJECT_VERSION}
                             -P ${CMAKE_CURRENT_LIST_DIR}/gen_docs.cmake
                     DEPENDS srdd ${CMAKE_CURRENT_LIST_DIR}/gen_docs.cmake
                     COMMENT "man pages for srdd (help2man)")
  add_custom_target(srdd-man ALL DEPENDS ${SRDD_MAN_PAGES})
else()
  message(STATUS "SRDD: help2man not found, no man pages (install help2man)")
  set(SRDD_MAN_PAGES "")
endif()

# For the install rules and the tests, which live in other directories.
set(SRDD_BASH_COMPLETION ${SRDD_BASH_COMPLETION} PARENT_SCOPE)
set(SRDD_MAN_DIR ${SRDD_MAN_DIR} PARENT_SCOPE)
set(SRDD_MAN_PAGES ${SRDD_MAN_PAGES} PARENT_SCOPE)
