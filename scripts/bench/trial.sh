#!/usr/bin/env bash
# pksim trial throughput, parallel efficiency (1 vs 2 MPI ranks), memory
# per rank and reduction cost (docs/benchmarks.md, "Virtual trials").
# Writes results/bench_trial.txt.  About 18 minutes on the 2-core machine
# (longer when it is shared: the load average is on every line).
# Usage: scripts/bench/trial.sh [BUILD_DIR]   (default build; an MPI build)
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
cd "$PKSIM_ROOT"
build=${1:-build}
[ -x "$build/pksim" ] || pksim_build "$build" -DCMAKE_BUILD_TYPE=Release
pk=$PWD/$build/pksim
theoph=tests/data/trial/theoph_popfit.ini
soraf=tests/data/trial/sorafenib_example_popfit.ini
aml=results/popfit_aml/popfit.ini # the six patients' population; day-0 values of patient 2
out=results/bench_trial.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mpi=(mpirun --allow-run-as-root --oversubscribe --bind-to none)

# run LABEL RANKS THREADS POP PATIENTS DOSES SCHEDULES [OPTION...]: one line
# of figures; max RSS per rank from /usr/bin/time around each rank
run() {
  local label=$1 np=$2 thr=$3 pop=$4 n=$5 doses=$6 sch=$7
  shift 7
  local cmd=(/usr/bin/time -f "%M %U %S" -a -o "$tmp/rss" "$pk" trial "$pop" --patients "$n" --doses
             "$doses" --schedules "$sch" --days 180 --threads "$thr" --out "$tmp/o" --quiet "$@")
  : >"$tmp/rss"
  local t0; t0=$(date +%s.%N)
  if [ "$np" = 0 ]; then "${cmd[@]}" 2>"$tmp/err"; else "${mpi[@]}" -np "$np" "${cmd[@]}" 2>"$tmp/err"; fi
  local wall; wall=$(echo "$(date +%s.%N) - $t0" | bc)
  last_wall=$wall
  local line; line=$(grep 'simulations in' "$tmp/err")
  local sims secs red; sims=$(awk '{print $3}' <<<"$line"); secs=$(awk '{print $6}' <<<"$line")
  red=$(grep -o 'reduction [0-9.]*' <<<"$line" | awk '{print $2}')
  local waitp; waitp=$(grep -o 'waiting [0-9.]*%' <<<"$line" | awk '{print $2}')
  local cpu; cpu=$(awk '{c += $2 + $3} END {print c}' "$tmp/rss")
  printf '%-30s %sx%s %7s sims %7.2f s run %7.2f s wall %6.0f sims/s %7.1f s CPU %6.3f ms CPU/sim  reduce %6.3f s  waiting %5s  maxRSS/rank %s MB  load %s\n' \
    "$label" "$((np > 0 ? np : 1))" "$thr" "$sims" "$secs" "$wall" "$(echo "$sims / $secs" | bc -l)" \
    "$cpu" "$(echo "1000 * $cpu / $sims" | bc -l)" "$red" "$waitp" \
    "$(sort -n "$tmp/rss" | tail -1 | awk '{printf "%.1f", $1 / 1024}')" \
    "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$out"
}

# apart LABEL POP PATIENTS DOSES SCHEDULES [OPTION...]: the control for the
# efficiency, two independent processes at once (no MPI), each with half
# the patients (seeds 1 and 2): what two cores of this machine give two
# simulations at a time, whatever pksim does
apart() {
  local label=$1 pop=$2 n=$3 doses=$4 sch=$5
  shift 5
  local t0; t0=$(date +%s.%N)
  for seed in 1 2; do
    "$pk" trial "$pop" --patients "$n" --doses "$doses" --schedules "$sch" --days 180 --threads 1 \
      --seed $seed --out "$tmp/a$seed" --quiet "$@" 2>/dev/null &
  done
  wait
  last_wall=$(echo "$(date +%s.%N) - $t0" | bc)
  printf '%-30s 2 processes  %7.2f s wall  load %s\n' "$label" "$last_wall" \
    "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$out"
}

{ echo "# pksim trial benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -m)"
  echo "# 180 days; oral1cpt: Theoph population; sorafenib_flt3: the example population (tests)"
  echo "# and the six AML patients' population (results/popfit_aml, day-0 values of patient 2)"; } >"$out"
# columns: ranks x threads; CPU is user + system summed over the ranks;
# waiting: the ranks' time spent waiting on each other, of ranks x run time
run "oral1cpt 1e4 x 4, singleton" 0 1 $theoph 10000 200,400 qd,bid
run "oral1cpt 1e4 x 4, mpirun" 2 1 $theoph 10000 200,400 qd,bid
run "oral1cpt 1e5 x 4, mpirun" 2 1 $theoph 100000 200,400 qd,bid
run "sorafenib 1024 x 4, singleton" 0 1 $soraf 1024 400,800 qd,bid
run "sorafenib 1024 x 4, mpirun" 2 1 $soraf 1024 400,800 qd,bid
# parallel efficiency on wall time: the same 8000 simulations on 1 and 2
# ranks, five rounds back to back (this machine's speed drifts by up to 50%
# between minutes: a round's ratio is the measure, the median its summary).
# Each round also runs the control: two independent processes of half the
# patients each; its ratio is what this machine's two cores allow.
effs=() ctrl=()
med() { printf '%s\n' "$@" | sort -g | sed -n 3p; }
for rep in 1 2 3 4 5; do
  run "AML 2000 x 4, singleton #$rep" 0 1 $aml 2000 400,800 qd,bid --patient params/patient2.ini
  w1=$last_wall
  run "AML 2000 x 4, mpirun #$rep" 2 1 $aml 2000 400,800 qd,bid --patient params/patient2.ini
  effs+=("$(echo "100 * $w1 / (2 * $last_wall)" | bc -l)")
  apart "AML 2 x 1000 x 4, apart #$rep" $aml 1000 400,800 qd,bid --patient params/patient2.ini
  ctrl+=("$(echo "100 * $w1 / (2 * $last_wall)" | bc -l)")
done
printf 'parallel efficiency, 1 vs 2 ranks, wall time, rounds:%s  median %.0f%%\n' \
  "$(printf ' %.0f%%' "${effs[@]}")" "$(med "${effs[@]}")" | tee -a "$out"
printf 'control, 1 process vs 2 apart (no MPI), rounds:%s  median %.0f%%\n' \
  "$(printf ' %.0f%%' "${ctrl[@]}")" "$(med "${ctrl[@]}")" | tee -a "$out"
# the target: 10^4 virtual patients x 8 regimens in under 2 minutes
run "AML 1e4 x 8, mpirun" 2 1 $aml 10000 200,400,600,800 qd,bid --patient params/patient2.ini
run "AML 1e4 x 8, 2 threads" 0 2 $aml 10000 200,400,600,800 qd,bid --patient params/patient2.ini
# 10^5 virtual patients: throughput and memory at ten times the size
run "AML 1e5 x 4, mpirun" 2 1 $aml 100000 400,800 qd,bid --patient params/patient2.ini
