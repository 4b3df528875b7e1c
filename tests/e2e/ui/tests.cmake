# Tier 4, web client UI (issue 4): Debian Chromium through playwright-core against the real
# daemon, driving web/ as a person would. Screenshots go to <build>/screenshots/.
if(PLENUM_E2E AND TARGET plenum)
  find_program(PL_NODE node)
  foreach(t ui_prejoin ui_room_three)
    add_test(NAME e2e/${t} COMMAND ${PL_NODE} ${CMAKE_CURRENT_LIST_DIR}/${t}.mjs)
    set_tests_properties(e2e/${t} PROPERTIES LABELS e2e TIMEOUT 240 RESOURCE_LOCK chromium RUN_SERIAL TRUE
      ENVIRONMENT "PLENUM_BINARY=$<TARGET_FILE:plenum>;PLENUM_SOURCE_DIR=${CMAKE_SOURCE_DIR};PLENUM_BUILD_DIR=${CMAKE_BINARY_DIR}")
  endforeach()
endif()
