#!/usr/bin/env bash
# Output sets: two runs writing the same --out at once leave the complete
# set of one of them, never files of both (fit.ini beside another run's
# posterior.csv was the bug), and both exit 0.  A run waits for the
# directory's lock (flock on DIR itself) rather than refusing; it leaves
# nothing behind and follows no symlink planted in DIR.
. "$(dirname "$0")/cli_lib.sh"
n_fit=${PKSIM_OUTSETS_FIT:-50}       # pairs of patient 5 fits
n_theoph=${PKSIM_OUTSETS_THEOPH:-150} # pairs of Theoph fits
n_sim=${PKSIM_OUTSETS_SIM:-20}        # pairs of simulations
t_start=$(date +%s)

fit_opts=(--starts 1 --proposals 40 --draws 20 --threads 1 --quiet)
fit=(fit "$src/params/patient5.ini" "${fit_opts[@]}")
sim=(simulate "$src/params/patient5.ini" --quiet)
fit_files=(fit.ini fit.csv fit_summary.txt posterior.csv)

# digest DIR FILE...: one line naming the contents of the files.
digest() { local d=$1; shift; (cd "$d" && sha256sum "$@" 2>&1) | tr '\n' ' '; }

# check_fit DIR LABEL: DIR holds the whole set of one run, $ref1's (seed
# 1) or $ref2's.
check_fit() {
  local d=$1 label=$2 set sha seed
  set=$(digest "$d" "${fit_files[@]}")
  sha=$(sed -n 's/^posterior_sha256 = //p' "$d/fit.ini" 2>/dev/null)
  [ -n "$sha" ] && [ "$sha" = "$(sha256sum < "$d/posterior.csv" | cut -d' ' -f1)" ] ||
    { bad "$label: fit.ini's posterior_sha256 is not posterior.csv's"; return; }
  seed=$(sed -n 's/^starts: .*(seed \([0-9]*\)).*/\1/p' "$d/fit_summary.txt")
  case $set in
    "$ref1") [ "$seed" = 1 ] && ok || bad "$label: seed $seed in fit_summary.txt" ;;
    "$ref2") [ "$seed" = 2 ] && ok || bad "$label: seed $seed in fit_summary.txt" ;;
    *) bad "$label: a mixed set (fit_summary.txt of seed $seed):"
       for f in "${fit_files[@]}"; do
         local h; h=$(digest "$d" "$f")
         echo "  $f: $(case $ref1 in *"$h"*) echo seed 1;; *) case $ref2 in *"$h"*) echo seed 2;;
           *) echo neither;; esac;; esac)"
       done ;;
  esac
}

# fit_pairs NAME FILE N: N pairs of fits of FILE (seeds 1 and 2), each
# pair started together into one new directory.
fit_pairs() {
  local name=$1 file=$2 n=$3 s i d a b ra rb
  # the set each run writes alone, and the same again: the test relies on it
  for s in 1 2; do
    "$pksim" fit "$file" "${fit_opts[@]}" --seed $s --out "$tmp/$name.ref$s" 2>/dev/null
    "$pksim" fit "$file" "${fit_opts[@]}" --seed $s --out "$tmp/$name.again$s" 2>/dev/null
    [ "$(digest "$tmp/$name.ref$s" "${fit_files[@]}")" = \
      "$(digest "$tmp/$name.again$s" "${fit_files[@]}")" ] && ok ||
      bad "$name: fit --seed $s does not repeat its outputs: this test cannot tell runs apart"
  done
  ref1=$(digest "$tmp/$name.ref1" "${fit_files[@]}")
  ref2=$(digest "$tmp/$name.ref2" "${fit_files[@]}")
  [ "$(digest "$tmp/$name.ref1" fit.csv)" != "$(digest "$tmp/$name.ref2" fit.csv)" ] && ok ||
    bad "$name: fit.csv of seeds 1 and 2 are the same: this test cannot tell runs apart"
  for ((i = 1; i <= n; i++)); do
    d=$tmp/pairs/$name.$i
    "$pksim" fit "$file" "${fit_opts[@]}" --seed 1 --out "$d" 2>"$tmp/e1" & a=$!
    "$pksim" fit "$file" "${fit_opts[@]}" --seed 2 --out "$d" 2>"$tmp/e2" & b=$!
    wait $a; ra=$?
    wait $b; rb=$?
    [ $ra -eq 0 ] && [ $rb -eq 0 ] && ok ||
      bad "$name pair $i: exit $ra and $rb: $(grep -h pksim: "$tmp/e1" "$tmp/e2" | head -c 300)"
    check_fit "$d" "$name pair $i"
  done
}

mkdir -p "$tmp/pairs"
# A fit of patient 5 takes about 0.2 s; the small Theoph fit 0.03 s, so
# its pairs finish closer together, and more of them fit in the time.
fit_pairs patient5 "$src/params/patient5.ini" "$n_fit"
fit_pairs theoph "$src/tests/data/theoph/theoph_01_mg.ini" "$n_theoph"

# Pairs of simulations (--days 20 and 21): simulation.csv is whole.
for d in 20 21; do
  "$pksim" "${sim[@]}" --days $d --out "$tmp/sref$d" 2>/dev/null
done
sref20=$(digest "$tmp/sref20" simulation.csv)
sref21=$(digest "$tmp/sref21" simulation.csv)
for ((i = 1; i <= n_sim; i++)); do
  d=$tmp/pairs/sim.$i
  "$pksim" "${sim[@]}" --days 20 --out "$d" 2>"$tmp/e1" & a=$!
  "$pksim" "${sim[@]}" --days 21 --out "$d" 2>"$tmp/e2" & b=$!
  wait $a; ra=$?
  wait $b; rb=$?
  [ $ra -eq 0 ] && [ $rb -eq 0 ] && ok ||
    bad "simulate pair $i: exit $ra and $rb: $(grep -h pksim: "$tmp/e1" "$tmp/e2" | head -c 300)"
  s=$(digest "$d" simulation.csv)
  [ "$s" = "$sref20" ] || [ "$s" = "$sref21" ] && ok || bad "simulate pair $i: a torn simulation.csv"
done

# Nothing left behind: no lock file, no temporary file.
left=$(find "$tmp/pairs" -mindepth 2 -name '.*' | head -5)
[ -z "$left" ] && ok || bad "left behind: $left"

# A run waits (rather than refusing) while another holds the directory's
# lock, as flock(1) does here for a script reading the set.
mkdir -p "$tmp/held"
flock "$tmp/held" sleep 1.5 & holder=$!
sleep 0.3
t0=$(date +%s%N)
"$pksim" "${sim[@]}" --days 5 --out "$tmp/held" 2>"$tmp/held.err"; rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
wait $holder
[ $rc -eq 0 ] && [ $ms -ge 900 ] && [ -s "$tmp/held/simulation.csv" ] && ok ||
  bad "simulate beside a held lock: exit $rc after $ms ms (want 0, waiting): $(head -c 300 "$tmp/held.err")"

# Interrupted while waiting: exits 130 within a second, writes nothing.
mkdir -p "$tmp/held2"
flock "$tmp/held2" sleep 3 & holder=$!
sleep 0.3
"$pksim" "${fit[@]}" --out "$tmp/held2" >/dev/null 2>"$tmp/held2.err" & run=$!
sleep 1
t0=$(date +%s%N)
kill -INT $run 2>/dev/null
wait $run; rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
kill $holder 2>/dev/null; wait $holder 2>/dev/null
[ $rc -eq 130 ] && [ $ms -lt 1000 ] && ok ||
  bad "fit interrupted while waiting: exit $rc after $ms ms (want 130): $(head -c 300 "$tmp/held2.err")"
[ -z "$(ls -A "$tmp/held2")" ] && ok || bad "fit interrupted while waiting wrote $(ls -A "$tmp/held2")"

# A symlink planted at a lock file's usual name is neither followed nor
# removed: the victim stays as it was.
mkdir -p "$tmp/planted"
echo "victim" > "$tmp/victim"
ln -s "$tmp/victim" "$tmp/planted/.pksim.lock"
"$pksim" "${fit[@]}" --out "$tmp/planted" 2>"$tmp/planted.err"; rc=$?
[ $rc -eq 0 ] && ok || bad "fit beside a planted symlink: exit $rc: $(head -c 300 "$tmp/planted.err")"
[ "$(cat "$tmp/victim")" = victim ] && [ "$(stat -c %s "$tmp/victim")" = 7 ] && ok ||
  bad "the planted symlink's victim changed"
[ -L "$tmp/planted/.pksim.lock" ] && ok || bad "the planted symlink was removed"

echo "outsets: $pass passed, $fail failed ($n_fit + $n_theoph fit pairs, $n_sim simulate pairs, $(($(date +%s) - t_start)) s)"
[ $fail -eq 0 ]
