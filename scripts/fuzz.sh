#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS] [HARNESS...]: runs every libFuzzer harness of
# tests/fuzz for SECONDS each (default 60), two at a time, and prints per
# harness the executions, coverage, corpus size and findings.  Builds
# build-fuzz with clang (-DPKSIM_FUZZ=ON) first.  Findings (crashes,
# sanitizer reports, leaks, timeouts) are kept in build-fuzz/findings/;
# minimise one with
#   build-fuzz/tests/fuzz_H -minimize_crash=1 -runs=10000 FILE
# and commit it under tests/fuzz/regress/H/, where the normal test suite
# replays it.  Exits non-zero when anything was found.
set -euo pipefail
secs=${1:-60}
shift || true
harnesses=("$@")
((${#harnesses[@]})) || harnesses=(patient rules cli fitpost plot import)
[[ $secs =~ ^[0-9]+$ ]] || { echo "usage: scripts/fuzz.sh [SECONDS] [HARNESS...]" >&2; exit 2; }

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$PKSIM_ROOT"
CC=clang pksim_build build-fuzz -DPKSIM_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo

out=build-fuzz/findings
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

run_one() {
  local h=$1 dirs=("tests/fuzz/corpus/$1")
  [ -d "tests/fuzz/regress/$h" ] && dirs+=("tests/fuzz/regress/$h")
  mkdir -p "$work/$h"
  # the first directory collects new inputs; the committed corpus stays as it is
  build-fuzz/tests/fuzz_"$h" "$work/$h" "${dirs[@]}" -dict=tests/fuzz/pksim.dict \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/$h-" >"$work/$h.log" 2>&1 || true
}

pids=()
for h in "${harnesses[@]}"; do
  [ -x "build-fuzz/tests/fuzz_$h" ] || { echo "fuzz: no harness '$h'" >&2; exit 2; }
  rm -f "$out/$h-"*
  run_one "$h" &
  pids+=($!)
  if ((${#pids[@]} == 2)); then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
wait

status=0
printf '%-9s %8s %12s %9s %6s %8s %9s\n' harness seconds executions exec/s cov features findings
for h in "${harnesses[@]}"; do
  log=$work/$h.log
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -n1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  found=$(find "$out" -name "$h-*" | wc -l)
  if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log"; then
    found=$((found > 0 ? found : 1))
  fi
  printf '%-9s %8s %12s %9s %6s %8s %9s\n' "$h" "$secs" "${execs:-?}" "${rate:-?}" "${cov:-?}" \
    "${ft:-?}" "$found"
  if ((found)); then
    status=1
    grep -E 'ERROR:|runtime error:|SUMMARY' "$log" | head -n5 | sed 's/^/    /'
    cp "$log" "$out/$h.log"
  fi
done
((status == 0)) || echo "fuzz: findings in $out" >&2
exit $status
