# The promtool checks behind the CTest tests labelled `tool` (tests/dashboards/CMakeLists.txt).
# Run as: cmake -DACTION=<action> -DSOURCE_DIR=<repo> [-DWORK_DIR=<dir>] -P promtool_check.cmake
#   check-rules            promtool check rules on the three rules/*.yml files
#   test-rules             promtool test rules on the rule unit tests
#   check-dashboard-exprs  every dashboard query and variable query, with the template
#                          variables replaced (=~"$var" -> =~".*", $__rate_interval -> 5m),
#                          written as recording rules and parsed by promtool check rules
# A missing promtool is a failure, not a skip: CI installs Debian's `prometheus` package.
cmake_minimum_required(VERSION 3.25)

find_program(PROMTOOL promtool)
if(NOT PROMTOOL)
  message(FATAL_ERROR "promtool not found: install Debian's 'prometheus' package "
                      "(scripts/install-deps.sh does)")
endif()

function(run_promtool)
  execute_process(COMMAND ${PROMTOOL} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE out)
  message("${out}")
  if(NOT rc EQUAL 0)
    list(JOIN ARGN " " command)
    message(FATAL_ERROR "promtool ${command} failed (${rc})")
  endif()
endfunction()

# Appends one recording rule named `name` with expression `expr` to the variable named by
# `out_var` (parameters must not share a name with the caller's variables).
function(append_rule out_var name where expr)
  string(REGEX REPLACE "=~\"\\$[A-Za-z_][A-Za-z0-9_]*\"" "=~\".*\"" expr "${expr}")
  string(REPLACE "$__rate_interval" "5m" expr "${expr}")
  string(STRIP "${expr}" expr)
  string(REPLACE "\n" "\n          " expr "${expr}")
  set(${out_var}
      "${${out_var}}      # ${where}\n      - record: ${name}\n        expr: |\n          ${expr}\n"
      PARENT_SCOPE)
endfunction()

# Appends the expressions of the targets of the panel at JSON path `ARGN` of `json`.
function(append_panel_targets out_var json stem)
  set(path ${ARGN})
  string(JSON id ERROR_VARIABLE err GET "${json}" ${path} id)
  string(JSON count ERROR_VARIABLE err LENGTH "${json}" ${path} targets)
  if(err OR count EQUAL 0)
    return()
  endif()
  math(EXPR last "${count} - 1")
  foreach(t RANGE ${last})
    string(JSON ref GET "${json}" ${path} targets ${t} refId)
    string(JSON expr GET "${json}" ${path} targets ${t} expr)
    append_rule(${out_var} "dashboard:${stem}_panel_${id}_${ref}:check"
                "${stem} panel ${id} ${ref}" "${expr}")
  endforeach()
  set(${out_var} "${${out_var}}" PARENT_SCOPE)
endfunction()

if(ACTION STREQUAL "check-rules")
  run_promtool(check rules ${SOURCE_DIR}/rules/datto-rmm-alerts.yml
               ${SOURCE_DIR}/rules/optional/datto-rmm-site-alerts.yml
               ${SOURCE_DIR}/rules/datto-rmm-recording.yml)
elseif(ACTION STREQUAL "test-rules")
  run_promtool(test rules ${SOURCE_DIR}/tests/dashboards/rules_test.yml
               ${SOURCE_DIR}/tests/dashboards/rules_test_long.yml)
elseif(ACTION STREQUAL "check-dashboard-exprs")
  file(GLOB dashboards ${SOURCE_DIR}/dashboards/*.json)
  set(yaml "groups:\n  - name: dashboard-expressions\n    rules:\n")
  set(found 0)
  foreach(file IN LISTS dashboards)
    get_filename_component(stem "${file}" NAME_WE)
    string(REPLACE "-" "_" stem "${stem}")
    file(READ "${file}" json)
    string(JSON panels LENGTH "${json}" panels)
    math(EXPR last "${panels} - 1")
    foreach(p RANGE ${last})
      append_panel_targets(yaml "${json}" ${stem} panels ${p})
      string(JSON nested ERROR_VARIABLE err LENGTH "${json}" panels ${p} panels)
      if(NOT err AND nested GREATER 0)
        math(EXPR nested_last "${nested} - 1")
        foreach(n RANGE ${nested_last})
          append_panel_targets(yaml "${json}" ${stem} panels ${p} panels ${n})
        endforeach()
      endif()
    endforeach()
    string(JSON vars LENGTH "${json}" templating list)
    math(EXPR last "${vars} - 1")
    foreach(v RANGE ${last})
      string(JSON type GET "${json}" templating list ${v} type)
      if(NOT type STREQUAL "query")
        continue()
      endif()
      string(JSON name GET "${json}" templating list ${v} name)
      string(JSON query ERROR_VARIABLE err GET "${json}" templating list ${v} query query)
      if(err)
        string(JSON query GET "${json}" templating list ${v} query)
      endif()
      if(query MATCHES "^label_values\\((.*), *[A-Za-z_][A-Za-z0-9_]*\\)$")
        set(variable_expr "${CMAKE_MATCH_1}")
      elseif(query MATCHES "^query_result\\((.*)\\)$")
        set(variable_expr "${CMAKE_MATCH_1}")
      else()
        message(FATAL_ERROR "${file}: variable ${name}: not label_values(<selector>, <label>) "
                            "or query_result(<expr>)")
      endif()
      append_rule(yaml "dashboard:${stem}_variable_${name}:check" "${stem} variable ${name}"
                  "${variable_expr}")
    endforeach()
    math(EXPR found "${found} + 1")
  endforeach()
  if(found EQUAL 0)
    message(FATAL_ERROR "no dashboards in ${SOURCE_DIR}/dashboards")
  endif()
  file(WRITE ${WORK_DIR}/dashboard_expressions.rules.yml "${yaml}")
  run_promtool(check rules ${WORK_DIR}/dashboard_expressions.rules.yml)
else()
  message(FATAL_ERROR "unknown ACTION '${ACTION}'")
endif()
