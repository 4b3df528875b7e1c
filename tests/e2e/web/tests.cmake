# Tier 4, web client: Debian Chromium through playwright-core against the real daemon.
if(PLENUM_E2E AND TARGET plenum)
  find_program(PL_NODE node)
  foreach(t prejoin room_three reconnect large_room server_full)
    add_test(NAME e2e/web_${t} COMMAND ${PL_NODE} ${CMAKE_CURRENT_LIST_DIR}/${t}.mjs)
    set_tests_properties(e2e/web_${t} PROPERTIES LABELS e2e TIMEOUT 240 RUN_SERIAL TRUE
      ENVIRONMENT "PLENUM_BINARY=$<TARGET_FILE:plenum>;PLENUM_SOURCE_DIR=${CMAKE_SOURCE_DIR};PLENUM_BUILD_DIR=${CMAKE_BINARY_DIR}")
  endforeach()
endif()
