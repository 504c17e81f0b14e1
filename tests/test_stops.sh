#!/usr/bin/env bash
# Prompt stops: SIGINT/SIGTERM end every command within a second, exit
# 130/143, and leave neither a partial output nor a temporary file; stale
# temporary files of killed runs are cleared by the next run.
. "$(dirname "$0")/cli_lib.sh"
trap 'umount "$tmp/tiny" 2>/dev/null; rm -rf "$tmp"' EXIT

# stop_after SIGNAL SECONDS WANT_STATUS LABEL cmd...: the command must end
# within a second of the signal with WANT_STATUS.
stop_after() {
  local sig=$1 after=$2 want=$3 label=$4; shift 4
  "$@" >/dev/null 2>"$tmp/stop.err" &
  local pid=$!
  sleep "$after"
  local t0; t0=$(date +%s%N)
  kill -"$sig" "$pid"
  wait "$pid"; local rc=$?
  local ms=$((($(date +%s%N) - t0) / 1000000))
  if [ $rc -eq "$want" ] && [ $ms -lt 1000 ]; then ok; else
    bad "$label: exit $rc after ${ms} ms (want $want within 1000 ms): $(head -c 300 "$tmp/stop.err")"; fi
}

# A long coupled simulation (about 12 s undisturbed).
stop_after INT 0.5 130 "simulate (SIGINT)" "$pksim" simulate "$src/params/patient2.ini" --coupled \
  --rtol 1e-11 --dose 400 --schedule bid --days 3000 --out "$tmp/sim" --quiet
[ ! -e "$tmp/sim/simulation.csv" ] && ok || bad "interrupted simulate wrote simulation.csv"
ls -A "$tmp/sim" 2>/dev/null | grep -q tmp && bad "interrupted simulate left a temporary file" || ok

# plot waiting on a gnuplot that never finishes.
mkdir -p "$tmp/bin"
printf '#!/bin/sh\nexec sleep 60\n' > "$tmp/bin/gnuplot"
chmod +x "$tmp/bin/gnuplot"
stop_after TERM 0.5 143 "plot on a stuck gnuplot (SIGTERM)" env PATH="$tmp/bin:$PATH" \
  "$pksim" plot "$src/results/patient2" --out "$tmp/stuck.png"
ls -A "$tmp" | grep -q 'stuck' && bad "interrupted plot left $(ls -A "$tmp" | grep stuck)" || ok
pgrep -f "$tmp/bin/gnuplot" >/dev/null && bad "the stuck gnuplot outlived pksim" || ok

# A run killed mid-write leaves .NAME.tmp.PID.XXXXXX; the next run into the
# same directory removes it (its process is gone), a live one's stays.
mkdir -p "$tmp/stale"
sleep 0 & dead=$!; wait $dead
touch "$tmp/stale/.simulation.csv.tmp.$dead.AbC123" "$tmp/stale/.simulation.csv.tmp.$$.XyZ789"
"$pksim" simulate "$src/params/patient2.ini" --days 5 --out "$tmp/stale" --quiet
[ ! -e "$tmp/stale/.simulation.csv.tmp.$dead.AbC123" ] && ok || bad "stale temporary file kept"
[ -e "$tmp/stale/.simulation.csv.tmp.$$.XyZ789" ] && ok || bad "a live process's temporary file removed"

# A run that fails after creating a new nested --out takes those folders away.
PKSIM_FAIL_WRITE=1 "$pksim" simulate "$src/params/patient2.ini" --days 5 --out "$tmp/new/nested/dir" \
  --quiet 2>/dev/null; rc=$?
[ $rc -eq 2 ] && [ ! -e "$tmp/new" ] && ok || bad "failed write left $(find "$tmp/new" 2>/dev/null | head -3)"

# A disk that fills during fit: the message names the real cause (it said
# "File exists", a later call's errno), and nothing is left.  Needs a small
# tmpfs: root can mount one; elsewhere this check is skipped, said so.
mkdir -p "$tmp/tiny"
if mount -t tmpfs -o size=64k tmpfs "$tmp/tiny" 2>/dev/null; then
  msg=$("$pksim" fit "$src/params/patient5.ini" --starts 1 --proposals 2000 --draws 1000 \
        --out "$tmp/tiny/f" --quiet 2>&1); rc=$?
  [ $rc -eq 2 ] && grep -q 'cannot write: No space left on device' <<<"$msg" && [ ! -e "$tmp/tiny/f" ] \
    && ok || bad "full disk during fit: rc $rc, $msg"
  umount "$tmp/tiny"
else
  echo "skipped: the full-disk check needs a tmpfs mount (root)"
fi

echo "stops: $pass passed, $fail failed"
[ $fail -eq 0 ]
