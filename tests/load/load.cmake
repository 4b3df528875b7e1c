# plenum-load: the load generator (tests/load/*.c). Included from tests/CMakeLists.txt.
# Not a test: benchmarks run through `make bench` (tests/load/bench.sh), never in ctest.
file(GLOB PL_LOAD_SRC CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/load/*.c)
if(PL_LOAD_SRC AND NOT PLENUM_FUZZ)
  add_executable(plenum-load ${PL_LOAD_SRC})
  target_link_libraries(plenum-load PRIVATE plenum_media PkgConfig::NICE PkgConfig::LWS
                        PkgConfig::OPUS PkgConfig::JANSSON PkgConfig::GLIB m)
endif()

# The integration tests that need the generator are registered here, where the target exists
# (tests/integration/tests.cmake only globs test_*.py): hostile media peers, and the forwarding
# delay histogram under real media.
if(TARGET plenum-load AND TARGET plenum)
  add_test(NAME integration/test_hostile_media
           COMMAND ${PL_PYTHON3} ${CMAKE_SOURCE_DIR}/tests/integration/hostile_media.py)
  set_tests_properties(integration/test_hostile_media PROPERTIES LABELS integration TIMEOUT 400
    RUN_SERIAL TRUE
    ENVIRONMENT "PLENUM_BINARY=$<TARGET_FILE:plenum>;PLENUM_LOAD=$<TARGET_FILE:plenum-load>;PLENUM_SOURCE_DIR=${CMAKE_SOURCE_DIR};PYTHONDONTWRITEBYTECODE=1;PLENUM_SANITIZED=${PL_SANITIZED}")
  add_test(NAME integration/test_forward_delay
           COMMAND ${PL_PYTHON3} ${CMAKE_SOURCE_DIR}/tests/integration/forward_delay.py)
  set_tests_properties(integration/test_forward_delay PROPERTIES LABELS integration TIMEOUT 300
    ENVIRONMENT "PLENUM_BINARY=$<TARGET_FILE:plenum>;PLENUM_LOAD=$<TARGET_FILE:plenum-load>;PLENUM_SOURCE_DIR=${CMAKE_SOURCE_DIR};PYTHONDONTWRITEBYTECODE=1;PLENUM_SANITIZED=${PL_SANITIZED}")
endif()

# The fallback when the kernel refuses a GSO send: the daemon with an LD_PRELOAD shim that makes
# the refusal happen (tests/integration/gso_refuse.c). Not in sanitizer builds: a preloaded
# library would come before ASan's runtime.
if(TARGET plenum-load AND TARGET plenum AND NOT PLENUM_ASAN)
  add_library(gso_refuse MODULE ${CMAKE_SOURCE_DIR}/tests/integration/gso_refuse.c)
  target_link_libraries(gso_refuse PRIVATE ${CMAKE_DL_LIBS})
  add_test(NAME integration/test_gso_fallback
           COMMAND ${PL_PYTHON3} ${CMAKE_SOURCE_DIR}/tests/integration/gso_fallback.py)
  set_tests_properties(integration/test_gso_fallback PROPERTIES LABELS integration TIMEOUT 300
    ENVIRONMENT "PLENUM_BINARY=$<TARGET_FILE:plenum>;PLENUM_LOAD=$<TARGET_FILE:plenum-load>;PLENUM_GSO_REFUSE=$<TARGET_FILE:gso_refuse>;PLENUM_SOURCE_DIR=${CMAKE_SOURCE_DIR};PYTHONDONTWRITEBYTECODE=1")
endif()
