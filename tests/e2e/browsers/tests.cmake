# Tier 4, mixed browsers: Firefox (Debian's firefox-esr through puppeteer-core, WebDriver BiDi)
# and Chromium (playwright-core) in one call through the real daemon, inside a network namespace
# (see run.sh). Needs root and netns, else skipped (77).
if(PLENUM_E2E AND TARGET plenum)
  find_program(PL_NODE node)
  add_test(NAME e2e/browsers_mixed COMMAND ${CMAKE_CURRENT_LIST_DIR}/run.sh ${PL_NODE})
  set_tests_properties(e2e/browsers_mixed PROPERTIES LABELS e2e TIMEOUT 240 RUN_SERIAL TRUE
    SKIP_RETURN_CODE 77
    ENVIRONMENT "PLENUM_BINARY=$<TARGET_FILE:plenum>;PLENUM_SOURCE_DIR=${CMAKE_SOURCE_DIR};PLENUM_BUILD_DIR=${CMAKE_BINARY_DIR}")
endif()
