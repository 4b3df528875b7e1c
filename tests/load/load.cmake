# plenum-load: the load generator (tests/load/*.c). Included from tests/CMakeLists.txt.
# Not a test: benchmarks run through `make bench` (tests/load/bench.sh), never in ctest.
file(GLOB PL_LOAD_SRC CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/load/*.c)
if(PL_LOAD_SRC AND NOT PLENUM_FUZZ)
  add_executable(plenum-load ${PL_LOAD_SRC})
  target_link_libraries(plenum-load PRIVATE plenum_media PkgConfig::NICE PkgConfig::LWS
                        PkgConfig::OPUS PkgConfig::JANSSON PkgConfig::GLIB m)
endif()
