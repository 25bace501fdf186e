# The layer check (cmake/check-layers.cmake) on a copy of the tree: it passes as it is, and each
# wrong include below, added alone, makes it fail with that file, line and rule.
#   cmake -DROOT=<source dir> -DWORK=<scratch dir> -P wrongincludes.cmake
cmake_minimum_required(VERSION 3.21)

set(tree ${WORK}/tree)
file(REMOVE_RECURSE ${tree})
file(COPY ${ROOT}/engine ${ROOT}/ui ${ROOT}/app DESTINATION ${tree})

function(check)
    execute_process(COMMAND ${CMAKE_COMMAND} -DROOT=${tree} -P ${ROOT}/cmake/check-layers.cmake
        RESULT_VARIABLE result ERROR_VARIABLE output OUTPUT_VARIABLE output)
    set(result ${result} PARENT_SCOPE)
    set(output "${output}" PARENT_SCOPE)
endfunction()

check()
if(NOT result EQUAL 0)
    message(FATAL_ERROR "the copy of the tree fails the check:\n${output}")
endif()

# Adds `file` with `include` on its third line, and expects exactly `message`.
function(expect_rejected file include message)
    file(WRITE ${tree}/${file} "// A deliberate wrong include.\n\n${include}\n")
    check()
    file(REMOVE ${tree}/${file})
    if(result EQUAL 0)
        message(FATAL_ERROR "${file}: ${include} passed the check")
    endif()
    string(FIND "${output}" "${message}\n" at)
    if(at EQUAL -1)
        message(FATAL_ERROR "${file}: expected \"${message}\", got:\n${output}")
    endif()
    message(STATUS "rejected as expected: ${message}")
endfunction()

expect_rejected(engine/telemetry/upward.cpp [[#include "../run/scenariorun.h"]]
    "engine/telemetry/upward.cpp:3: includes run/scenariorun.h: telemetry may include runtime, resilience only")
expect_rejected(engine/runtime/upward.h [[#include <scenario/scenario.h>]]
    "engine/runtime/upward.h:3: includes scenario/scenario.h: runtime may include no other layer")
expect_rejected(engine/sim/sideways.cpp [[#include "../net/httpservice.h"]]
    "engine/sim/sideways.cpp:3: includes net/httpservice.h: sim may include runtime, resilience, telemetry, scenario only")
expect_rejected(engine/net/sideways.h [[#include "sim/simulatedservice.h"]]
    "engine/net/sideways.h:3: includes sim/simulatedservice.h: net may include runtime, resilience, telemetry, scenario only")
expect_rejected(engine/validation/widgets.cpp [[#include "mainwindow.h"]]
    "engine/validation/widgets.cpp:3: includes ui/mainwindow.h: validation may include runtime, resilience, telemetry, scenario, sim, net, run only")
expect_rejected(ui/upward.cpp [[#include "commands/cli.h"]]
    "ui/upward.cpp:3: includes app/commands/cli.h: ui may include runtime, resilience, telemetry, scenario, policyexport, accesslog, sim, net, run, validation, lab only")
expect_rejected(engine/run/sideways.cpp [[#include "accesslog/logline.h"]]
    "engine/run/sideways.cpp:3: includes accesslog/logline.h: run may include runtime, resilience, telemetry, scenario, sim, net only")
expect_rejected(engine/misc/stray.h [[#include <QString>]]
    "engine/misc/stray.h: misc is not a layer: add it to the table in cmake/check-layers.cmake")
expect_rejected(engine/stray.h [[#include <QString>]]
    "engine/stray.h: not in a layer folder: engine's files go in engine/<layer>/")
