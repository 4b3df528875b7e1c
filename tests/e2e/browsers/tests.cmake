# Tier 4, mixed browsers: Firefox (Debian's firefox-esr through puppeteer-core, WebDriver BiDi)
# and Chromium (playwright-core) in one call through the real daemon: the test client
# (mixed.mjs) and the web client (web_firefox.mjs), inside a network namespace
# (see run.sh). Needs root and netns, else skipped (77).
if(PLENUM_E2E AND TARGET plenum)
  find_program(PL_NODE node)
  foreach(t mixed web_firefox)
    add_test(NAME e2e/browsers_${t} COMMAND ${CMAKE_CURRENT_LIST_DIR}/run.sh ${PL_NODE} ${t}.mjs)
    set_tests_properties(e2e/browsers_${t} PROPERTIES LABELS e2e TIMEOUT 240 RUN_SERIAL TRUE
      SKIP_RETURN_CODE 77
      ENVIRONMENT "PLENUM_BINARY=$<TARGET_FILE:plenum>;PLENUM_SOURCE_DIR=${CMAKE_SOURCE_DIR};PLENUM_BUILD_DIR=${CMAKE_BINARY_DIR}")
  endforeach()
endif()
