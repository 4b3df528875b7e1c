# plenum-load: the load generator (tests/load/*.c). Included from tests/CMakeLists.txt.
# Not a test: benchmarks run through `make bench` (tests/load/bench.sh), never in ctest.
file(GLOB PL_LOAD_SRC CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/load/*.c)
if(PL_LOAD_SRC AND NOT PLENUM_FUZZ)
  add_executable(plenum-load ${PL_LOAD_SRC})
  target_link_libraries(plenum-load PRIVATE plenum_media PkgConfig::NICE PkgConfig::LWS
                        PkgConfig::OPUS PkgConfig::JANSSON PkgConfig::GLIB m)
endif()

# The hostile-peer integration test needs the generator: it is registered here, where the
# target exists (tests/integration/tests.cmake skips it).
if(TARGET plenum-load AND TARGET plenum)
  add_test(NAME integration/test_hostile_media
           COMMAND ${PL_PYTHON3} ${CMAKE_SOURCE_DIR}/tests/integration/hostile_media.py)
  set_tests_properties(integration/test_hostile_media PROPERTIES LABELS integration TIMEOUT 400
    RUN_SERIAL TRUE
    ENVIRONMENT "PLENUM_BINARY=$<TARGET_FILE:plenum>;PLENUM_LOAD=$<TARGET_FILE:plenum-load>;PLENUM_SOURCE_DIR=${CMAKE_SOURCE_DIR};PYTHONDONTWRITEBYTECODE=1;PLENUM_SANITIZED=${PL_SANITIZED}")
endif()
