# Tier 4, packet loss: two headless Chromium participants and the real daemon inside a network
# namespace of their own, with nftables dropping UDP at random (5 %) and then entirely (a 5 s
# blackout); see run.sh and loss.mjs. Needs root, netns and nftables, else skipped (77).
if(PLENUM_E2E AND TARGET plenum)
  find_program(PL_NODE node)
  add_test(NAME e2e/packet_loss COMMAND ${CMAKE_CURRENT_LIST_DIR}/run.sh ${PL_NODE})
  set_tests_properties(e2e/packet_loss PROPERTIES LABELS e2e TIMEOUT 240 RUN_SERIAL TRUE
    SKIP_RETURN_CODE 77
    ENVIRONMENT "PLENUM_BINARY=$<TARGET_FILE:plenum>;PLENUM_SOURCE_DIR=${CMAKE_SOURCE_DIR};PLENUM_BUILD_DIR=${CMAKE_BINARY_DIR}")
endif()
