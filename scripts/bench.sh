#!/usr/bin/env bash
# Simulation benchmark: one 221-day, 400 mg bid simulation of patient 2,
# with the optimised SUNDIALS (build/) and with Debian's unoptimised
# libsundials (build-sys/), each engine timed in process (median of
# REPEATS).  Writes the two tables to results/bench_simulate.txt.  Then
# the plot benchmark (scripts/bench/plot.sh: a fit figure under 1 s,
# results/bench_plot.txt).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$PKSIM_ROOT"
reps=${1:-50}
pksim_build build -DCMAKE_BUILD_TYPE=Release
sys_dir=$(dirname "$(dpkg -L libsundials-dev | grep '/SUNDIALSConfig.cmake$' | head -n1)")
PKSIM_SUNDIALS_DIR=$sys_dir pksim_build build-sys -DCMAKE_BUILD_TYPE=Release
out=results/bench_simulate.txt
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp"' EXIT
{
  echo "# $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "## SUNDIALS 6.4.1 built -O3 by scripts/setup.sh"
  build/pksim_bench params/patient2.ini "$reps"
  echo
  echo "## Debian libsundials 6.4.1 (unoptimised)"
  build-sys/pksim_bench params/patient2.ini "$reps"
} | tee "$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "wrote $out"
scripts/bench/plot.sh
