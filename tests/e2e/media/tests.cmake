# Tier 4, media plane: headless Debian Chromium against the real daemon (node + playwright-core
# from tests/e2e, installed by `make test` with npm ci). Once per forwarded video codec.
if(PLENUM_E2E AND TARGET plenum)
  find_program(PL_NODE node)
  foreach(codec vp8 vp9 h264)
    add_test(NAME e2e/media_three_party_${codec} COMMAND ${PL_NODE} ${CMAKE_CURRENT_LIST_DIR}/three_party.mjs)
    set_tests_properties(e2e/media_three_party_${codec} PROPERTIES LABELS e2e TIMEOUT 240
      RUN_SERIAL TRUE
      ENVIRONMENT "PLENUM_BINARY=$<TARGET_FILE:plenum>;PLENUM_SOURCE_DIR=${CMAKE_SOURCE_DIR};PLENUM_VIDEO_CODECS=${codec}")
  endforeach()
endif()

# The sanitizer build (make asan) runs the VP8 case once against the ASan+UBSan daemon: the media
# plane's threads, libnice teardown and DTLS/SRTP state under real traffic.
if(PLENUM_ASAN AND TARGET plenum)
  find_program(PL_NODE node)
  add_test(NAME e2e/media_three_party_sanitized COMMAND ${PL_NODE} ${CMAKE_CURRENT_LIST_DIR}/three_party.mjs)
  set_tests_properties(e2e/media_three_party_sanitized PROPERTIES LABELS sanitized-e2e TIMEOUT 300
    RUN_SERIAL TRUE
    ENVIRONMENT "PLENUM_BINARY=$<TARGET_FILE:plenum>;PLENUM_SOURCE_DIR=${CMAKE_SOURCE_DIR};ASAN_OPTIONS=detect_leaks=1")
endif()
