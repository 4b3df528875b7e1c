#!/usr/bin/env bash
# `make fuzz`: builds every libFuzzer target with clang (ASan+UBSan) and runs each for
# FUZZ_SECONDS (default 300) on a scratch copy of its corpus, then prints executions, coverage and
# findings. New crashers are copied to tests/fuzz/crashers/<target>/ to be kept as regression
# inputs (replayed by ctest); commit them with the fix.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-300}
only=${FUZZ_TARGETS:-}
build=build-fuzz
cmake -S . -B $build -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DPLENUM_FUZZ=ON -DPLENUM_ASAN=ON -DPLENUM_UBSAN=ON -DPLENUM_E2E=OFF >/dev/null
cmake --build $build -j "$(nproc)" >/dev/null
summary=$(mktemp)
status=0
for src in tests/fuzz/fuzz_*.c; do
  t=$(basename "$src" .c)
  [ -n "$only" ] && [[ " $only " != *" $t "* ]] && continue
  work=$(mktemp -d)
  cp -r "tests/fuzz/corpus/$t/." "$work/" 2>/dev/null || true
  mkdir -p "$work/artifacts"
  log="$build/$t.log"
  echo "== $t: ${secs}s"
  if ! "$build/tests/$t" -max_total_time="$secs" -print_final_stats=1 -max_len=65536 \
        -artifact_prefix="$work/artifacts/" "$work" >"$log" 2>&1; then
    status=1
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  found=$(find "$work/artifacts" -type f | wc -l)
  if [ "$found" -gt 0 ]; then
    mkdir -p "tests/fuzz/crashers/$t"
    cp "$work"/artifacts/* "tests/fuzz/crashers/$t/"
  fi
  printf '%-24s %12s execs  %6s edges  %s findings\n' "$t" "$execs" "$cov" "$found" | tee -a "$summary"
  rm -rf "$work"
done
echo
echo "fuzzed $(date -u +%F) for ${secs}s per target on $(nproc) CPUs:"
cat "$summary"
rm -f "$summary"
exit $status
