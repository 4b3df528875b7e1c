# Thin wrapper around CMake and ctest; see README.md.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CONFIG     ?= config/plenum.conf
WERROR     ?= $(if $(PLENUM_WERROR),$(PLENUM_WERROR),OFF)

.PHONY: all deps build run test test-fast asan format format-check fuzz bench clean npm

all: build

deps:
	@.ci/install-deps

$(BUILD)/build.ninja $(BUILD)/Makefile:
	cmake -S . -B $(BUILD) -DPLENUM_WERROR=$(WERROR)

build: $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

run: deps build
	./$(BUILD)/plenum --config $(CONFIG)

npm:
	@if [ -f tests/e2e/package-lock.json ]; then cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error; fi

# Every tier: format check, normal build with all tests (unit, fuzz replay, integration, e2e),
# then the ASan+UBSan build with unit, fuzz replay and integration.
test: deps format-check npm
	cmake -S . -B $(BUILD) -DPLENUM_WERROR=$(WERROR)
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) asan

asan:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPLENUM_ASAN=ON -DPLENUM_UBSAN=ON \
	      -DPLENUM_WERROR=$(WERROR) -DPLENUM_E2E=OFF
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS) -L 'unit|fuzz|integration|sanitized-e2e'

test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L 'unit|fuzz'

# libFuzzer (clang): every target FUZZ_SECONDS (default 300) seconds; see tests/fuzz/run-fuzzers.sh.
fuzz: deps
	tests/fuzz/run-fuzzers.sh

# Load benchmarks with plenum-load (not part of make test: timings never decide pass/fail).
# Writes docs/benchmarks.md; see tests/load/bench.sh for the scenarios and knobs.
bench: deps build
	BUILD=$(BUILD) tests/load/bench.sh

format:
	git ls-files '*.c' '*.h' | xargs clang-format -i

format-check:
	@bad=$$(git ls-files '*.c' '*.h' | xargs -r clang-format --dry-run 2>&1 | grep -c warning: || true); \
	if [ "$$bad" != 0 ]; then echo "clang-format: $$bad places differ; run 'make format'"; \
	  git ls-files '*.c' '*.h' | xargs -r clang-format --dry-run 2>&1 | head -20; exit 1; fi

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
