# `amtool check-config` on an Alertmanager configuration (the CTest test amtool_check_config).
# Run as: cmake -DCONFIG=<alertmanager.yml> -P amtool_check.cmake
# A missing amtool is a failure, not a skip: scripts/install-deps.sh installs Debian's
# prometheus-alertmanager, which ships it.
cmake_minimum_required(VERSION 3.25)
find_program(AMTOOL amtool)
if(NOT AMTOOL)
  message(FATAL_ERROR "amtool not found: install Debian's 'prometheus-alertmanager' package "
                      "(scripts/install-deps.sh does)")
endif()
execute_process(COMMAND ${AMTOOL} check-config ${CONFIG} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE out)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "amtool check-config ${CONFIG} failed (${rc})")
endif()
