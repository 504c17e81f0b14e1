#!/usr/bin/env bash
# Plot benchmark: the wall time of `pksim plot` on a fit directory (default
# results/patient2: four panels and the dose, bands, prediction interval
# and observations from fit.csv's 221 rows), PNG at 1200x900 (the default),
# 800x600 and 2400x1800 and SVG, median of REPEATS runs each, gnuplot
# included.  The goal: under 1 s.  Writes results/bench_plot.txt; exits 1
# when a median misses the goal.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
cd "$PKSIM_ROOT"
dir=${1:-results/patient2}
reps=${2:-5}
[ -x build/pksim ] || pksim_build build -DCMAKE_BUILD_TYPE=Release
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
median() { # runs "$@" $reps times; prints the median wall time (s)
  local ts=()
  for _ in $(seq "$reps"); do
    local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N)
    ts+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')")
  done
  printf '%s\n' "${ts[@]}" | sort -g | awk '{v[NR] = $1} END {printf "%.3f", v[int((NR + 1) / 2)]}'
}
res=results/bench_plot.txt
tmp=$(mktemp "$res.XXXXXX")
trap 'rm -rf "$out" "$tmp"' EXIT
status=0
{
  echo "# $(date -u +%Y-%m-%d), $(nproc) cores, $(gnuplot --version); pksim plot $dir, median of $reps"
  echo "figure,median_s,goal"
  for spec in "png 1200x900" "png 800x600" "png 2400x1800" "svg 1200x900"; do
    set -- $spec
    t=$(median build/pksim plot "$dir" --format "$1" --size "$2" --out "$out/fit.$1")
    ok=$(awk -v t="$t" 'BEGIN {print (t < 1 ? "< 1 s: met" : "< 1 s: MISSED")}')
    [[ $ok == *MISSED ]] && status=1
    echo "fit $1 $2,$t,$ok"
  done
} | tee "$tmp"
mv "$tmp" "$res"
trap 'rm -rf "$out"' EXIT
echo "wrote $res"
exit $status
