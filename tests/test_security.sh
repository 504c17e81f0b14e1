#!/usr/bin/env bash
# Text from inputs, options and paths never runs as gnuplot or shell code,
# and no temporary path can be hijacked by a planted symlink.  Each payload
# would create a marker file if it ran; none may appear.
. "$(dirname "$0")/cli_lib.sh"
cd "$tmp" || exit 1
no_marker() { # name
  if [ -e "$tmp/$1" ] || [ -e "$tmp/work/$1" ]; then bad "payload ran: $1 exists"; else ok; fi
}
mkdir -p work

# 1. A [sweep] scenario name that closes gnuplot's quote and calls system().
sed 's/^id = .*/id = inj/' "$src/params/patient5.ini" > work/inj.ini
printf "\n[sweep]\nscenario x'.system('touch INJ2').' = 0-19: 400 mg bid\n" >> work/inj.ini
"$pksim" sweep work/inj.ini --point --days 20 --doses 400 --schedules bid --out "$tmp/sw" \
  --quiet --plot >/dev/null 2>&1
no_marker INJ2
if [ -s "$tmp/sw/sweep.csv" ]; then
  "$pksim" plot "$tmp/sw" >/dev/null 2>&1
  no_marker INJ2
  [ -s "$tmp/sw/sweep_trajectories.png" ] && ok || bad "sweep figure with a quoted scenario name"
else
  bad "sweep with a quoted scenario name wrote nothing"
fi

# 2. An --out directory that closes the quote of 'set output'.
out="$tmp/q'.system('touch INJ3').'"
"$pksim" simulate "$src/params/patient2.ini" --days 10 --out "$out" --quiet --plot >/dev/null 2>&1
no_marker INJ3
[ -e "$tmp/q" ] || [ -e "$tmp/work/q" ] && bad "stray file q" || ok
# and a harmless apostrophe simply works
"$pksim" simulate "$src/params/patient2.ini" --days 10 --out "$tmp/Patient's results" --quiet \
  --plot >/dev/null 2>&1 && [ -s "$tmp/Patient's results/simulation.png" ] && ok \
  || bad "--out with an apostrophe"

# 3. A patient id with backquotes (gnuplot runs them inside double quotes).
sed 's/^id = .*/id = a`touch INJ4`b/' "$src/params/patient2.ini" > work/bq.ini
"$pksim" simulate work/bq.ini --days 10 --out "$tmp/bq" --quiet --plot >/dev/null 2>&1
no_marker INJ4
# 4. Text no literal can hold is refused in one line, before gnuplot runs.
msg=$("$pksim" plot "$src/results/patient2" --out "$tmp/bad
name.png" 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <<<"$msg")" -eq 1 ] && grep -q -- '--out: the path holds a control character' <<<"$msg" \
  && ok || bad "control character in --out: rc $rc, $msg"

# 5. Symlinks planted at every temporary path a run of a known pid would
# have used (gnuplot's stderr, the atomic output files, the figure): the
# victim must stay intact and no output may land in it.
echo "precious" > "$tmp/victim"
mkdir -p "$tmp/ln"
bash -c '
  d=$1; v=$2; shift 2
  ln -s "$v" "/tmp/pksim_gnuplot_$$.err"
  for f in simulation.csv simulation.png simulation.plot.tmp.$$.png; do
    ln -s "$v" "$d/.$f.tmp.$$"
  done
  ln -s "$v" "$d/.simulation.plot.tmp.$$.png"
  exec "$@"' _ "$tmp/ln" "$tmp/victim" \
  "$pksim" simulate "$src/params/patient2.ini" --days 10 --out "$tmp/ln" --quiet --plot >/dev/null 2>&1
[ "$(cat "$tmp/victim")" = precious ] && ok || bad "a planted symlink redirected a write"
[ -s "$tmp/ln/simulation.png" ] && [ -s "$tmp/ln/simulation.csv" ] && ok \
  || bad "outputs missing beside planted symlinks"
find /tmp -maxdepth 1 -name 'pksim_gnuplot_*' -type l -lname "$tmp/victim" -delete 2>/dev/null

# 6. Unwritable or inconsistent --out: checked before gnuplot, named, and
# nothing dumped on the terminal.
stdout=$("$pksim" plot "$src/results/patient2" --out "$tmp/missing/dir/x.png" 2>"$tmp/err"); rc=$?
[ $rc -ne 0 ] && [ -z "$stdout" ] && grep -q "$tmp/missing/dir/x.png" "$tmp/err" && ok \
  || bad "missing --out directory: rc $rc, $(cat "$tmp/err"), stdout ${#stdout} bytes"
msg=$("$pksim" plot "$src/results/patient2" --format png --out "$tmp/x.svg" 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "give --format svg" <<<"$msg" && [ ! -e "$tmp/x.svg" ] && ok \
  || bad "--format png --out x.svg: rc $rc, $msg"
"$pksim" plot "$src/results/patient2" --out "$tmp/y.svg" >/dev/null 2>&1 \
  && grep -q '<svg' "$tmp/y.svg" && ok || bad "--out y.svg draws an SVG"
msg=$("$pksim" plot "$src/results/patient2" --format dumb --size 20000x20000 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q -- "--size: 20000x20000 is outside" <<<"$msg" && ok \
  || bad "dumb 20000x20000: rc $rc, $msg"
ls -A "$src/results/patient2" | grep -q tmp && bad "temporary files in results/patient2" || ok

echo "security: $pass passed, $fail failed"
[ $fail -eq 0 ]
