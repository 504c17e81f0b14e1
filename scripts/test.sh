#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, builds
# the normal (build/) and the sanitizer (build-asan/, ASan + UBSan) trees,
# runs every test in both with ctest, then a fuzzing smoke: each libFuzzer
# harness for a few seconds (build-fuzz/, clang).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$PKSIM_ROOT"
pksim_build build -DCMAKE_BUILD_TYPE=Release
pksim_build build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPKSIM_SANITIZE=ON
status=0
for dir in build build-asan; do
  echo "== ctest in $dir"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$dir" --output-on-failure -j "$(nproc)" "$@" || status=1
done
echo "== fuzzing smoke (scripts/fuzz.sh 5)"
scripts/fuzz.sh "${PKSIM_FUZZ_SECONDS:-5}" || status=1
exit $status
