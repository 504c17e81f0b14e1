#!/usr/bin/env bash
# Plot benchmark: the time of `pksim plot` on a fit directory (default
# results/patient2: four panels and the dose, bands, prediction interval
# and observations from fit.csv's 221 rows), PNG at 1200x900 (the default),
# 800x600 and 2400x1800 and SVG, median of REPEATS runs each, gnuplot
# included.  The goal, under 1 s, is judged on the CPU time (user + system
# of pksim and its gnuplot, which run one after the other: the wall time of
# an idle machine); the wall time is given too, with the load average the
# other users of the machine left.  Writes results/bench_plot.txt; exits 1
# when a median misses the goal.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
cd "$PKSIM_ROOT"
dir=${1:-results/patient2}
reps=${2:-5}
[ -x build/pksim ] || pksim_build build -DCMAKE_BUILD_TYPE=Release
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
median() { # runs "$@" $reps times; prints the median wall and CPU time (s)
  local w=() u=()
  for _ in $(seq "$reps"); do
    local line
    line=$( { /usr/bin/time -f '%e %U %S' "$@" >/dev/null; } 2>&1 | tail -n1)
    w+=("$(awk '{print $1}' <<<"$line")")
    u+=("$(awk '{print $2 + $3}' <<<"$line")")
  done
  local mid=$(( (reps + 1) / 2 ))
  printf '%s,%s' "$(printf '%s\n' "${w[@]}" | sort -g | sed -n "${mid}p")" \
    "$(printf '%s\n' "${u[@]}" | sort -g | sed -n "${mid}p")"
}
res=results/bench_plot.txt
tmp=$(mktemp "$res.XXXXXX")
trap 'rm -rf "$out" "$tmp"' EXIT
{
  echo "# $(date -u +%Y-%m-%d), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(gnuplot --version); pksim plot $dir, median of $reps"
  echo "figure,wall_s,cpu_s,goal"
  for spec in "png 1200x900" "png 800x600" "png 2400x1800" "svg 1200x900"; do
    set -- $spec
    t=$(median build/pksim plot "$dir" --format "$1" --size "$2" --out "$out/fit.$1")
    ok=$(awk -v t="${t#*,}" 'BEGIN {print (t < 1 ? "CPU < 1 s: met" : "CPU < 1 s: MISSED")}')
    echo "fit $1 $2,$t,$ok"
  done
} | tee "$tmp"
mv "$tmp" "$res"
trap 'rm -rf "$out"' EXIT
echo "wrote $res"
! grep -q MISSED "$res"
