#!/usr/bin/env bash
# pksim trial end to end: the same bytes for any --threads and any number
# of MPI ranks (1, 2, 3; skipped with a message when mpirun or an MPI
# build is missing), equal to a serial build's when PKSIM_SERIAL_BIN names
# one; real numbers in the table; refused inputs exit 2 with one line and
# write nothing; SIGTERM to one rank stops all with nothing written.
. "$(dirname "$0")/cli_lib.sh"
skipped=""
pop=$src/tests/data/trial/theoph_popfit.ini
files="trial.csv trial_events.csv trial_summary.txt trial_patients.csv"
args=(--patients 300 --doses 200,400 --schedules qd,bid --days 30 --seed 5 --per-patient --quiet)

same() { # same DIR_A DIR_B LABEL
  for f in $files; do cmp -s "$1/$f" "$2/$f" || { bad "$3: $f differs"; return; }; done; ok
}

"$pksim" trial "$pop" "${args[@]}" --threads 1 --out "$tmp/t1" 2>"$tmp/t1.err" || bad "trial failed: $(cat "$tmp/t1.err")"
"$pksim" trial "$pop" "${args[@]}" --threads 2 --out "$tmp/t2" 2>/dev/null
same "$tmp/t1" "$tmp/t2" "--threads 1 vs 2"

# real numbers: 300 patients per regimen, none failed; 400 mg/day qd for
# 30 days is 12,000 mg for everyone; one row per patient and regimen
row=$(grep '^[0-9]*,400 mg/day qd,' "$tmp/t1/trial.csv")
[[ $row == *",400 mg/day qd,300,0,"* ]] && ok || bad "trial.csv row: $row"
hdr=$(head -1 "$tmp/t1/trial.csv")
col=$(tr ',' '\n' <<<"$hdr" | grep -nx 'cum_dose_mg_mean' | cut -d: -f1)
[ "$(cut -d, -f"$col" <<<"$row")" = 12000 ] && ok || bad "cum_dose_mg_mean of 400 qd is not 12000"
[ "$(wc -l <"$tmp/t1/trial_patients.csv")" -eq $((300 * 4 + 1)) ] && ok || bad "trial_patients.csv rows"
# the patients' mean log CL sits at the population's typical value
# (2.7528274 L/h, omega 0.254, SE 0.081: 4 SE of 300 patients = 0.062)
awk -F, 'NR > 1 && $2 == "200 mg/day qd" { s += log($4); n++ } END {
  d = s / n - log(2.7528274); exit !(d < 0.062 && d > -0.062) }' "$tmp/t1/trial_patients.csv" \
  && ok || bad "mean log CL of the virtual patients"

# refused inputs: exit 2, one line, nothing written
refuse() { # refuse LABEL WANT cmd...
  local label=$1 want=$2; shift 2
  rm -rf "$tmp/no"
  "$@" >"$tmp/r.out" 2>"$tmp/r.err"; local rc=$?
  if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/r.err")" -eq 1 ] && grep -qF -- "$want" "$tmp/r.err" &&
     [ ! -e "$tmp/no" ]; then ok; else bad "$label: exit $rc: $(cat "$tmp/r.err")"; fi
}
printf '[population]\nmodel = nosuch\n' >"$tmp/unknown.ini"
refuse "unknown model" "unknown.ini:2: model: unknown model 'nosuch'" \
  "$pksim" trial "$tmp/unknown.ini" --out "$tmp/no"
refuse "--patients 0" "pksim: --patients: '0' is not a whole number in 1-1000000000" \
  "$pksim" trial "$pop" --patients 0 --out "$tmp/no"
refuse "--patients -5" "--patients: '-5'" "$pksim" trial "$pop" --patients -5 --out "$tmp/no"
refuse "--days 0" "--days: 0: give a horizon of 1-3650 days" \
  "$pksim" trial "$pop" --days 0 --out "$tmp/no"
refuse "dose out of range" "mg/day" "$pksim" trial \
  "$src/tests/data/trial/sorafenib_example_popfit.ini" --doses 5000 --out "$tmp/no"
refuse "missing file" "nothere.ini" "$pksim" trial "$tmp/nothere.ini" --out "$tmp/no"
refuse "wrong template" "model" "$pksim" trial "$pop" --patient "$src/params/patient2.ini" --out "$tmp/no"

# a serial build (PKSIM_MPI=OFF) writes the same bytes
if [ -n "${PKSIM_SERIAL_BIN:-}" ]; then
  "$PKSIM_SERIAL_BIN" trial "$pop" "${args[@]}" --out "$tmp/serial" 2>/dev/null
  same "$tmp/t1" "$tmp/serial" "serial build vs MPI build"
fi

# MPI: 1, 2 and 3 ranks give the same bytes as the run without mpirun
mpi=$(grep -o 'MPI, 1 rank' "$tmp/t1.err")
if ! command -v mpirun >/dev/null; then skipped="mpirun not found"
elif [ -z "$mpi" ]; then skipped="$pksim is a serial build (PKSIM_MPI off)"
else
  for np in 1 2 3; do
    mpirun --allow-run-as-root --oversubscribe -np $np "$pksim" trial "$pop" "${args[@]}" \
      --threads 1 --out "$tmp/np$np" 2>"$tmp/np.err" || bad "mpirun -np $np: $(cat "$tmp/np.err")"
    same "$tmp/t1" "$tmp/np$np" "mpirun -np $np vs no mpirun"
  done
  # SIGTERM to rank 1 alone: every rank stops, nothing is written
  mpirun --allow-run-as-root --oversubscribe -np 2 "$pksim" trial "$pop" --patients 200000 \
    --days 180 --threads 1 --out "$tmp/stopped" --quiet >/dev/null 2>"$tmp/stop.err" &
  mpid=$!
  ranks=()
  for _ in $(seq 50); do
    mapfile -t ranks < <(ps -o pid= --ppid "$mpid" | tr -d ' ')
    [ ${#ranks[@]} -ge 2 ] && break; sleep 0.1
  done
  sleep 1.5
  t0=$(date +%s%N)
  [ ${#ranks[@]} -ge 2 ] && kill -TERM "${ranks[1]}"
  wait $mpid; rc=$?
  ms=$((($(date +%s%N) - t0) / 1000000))
  if [ $rc -ne 0 ] && [ $ms -lt 5000 ] && [ ! -e "$tmp/stopped" ] &&
     ! ls -A "$tmp" | grep -q '^\.stopped'; then ok
  else bad "SIGTERM to rank 1: exit $rc after $ms ms, left: $(ls -A "$tmp")"; fi
fi

echo "trial: $pass passed, $fail failed${skipped:+ (MPI part skipped: $skipped)}"
[ "$fail" -eq 0 ] || exit 1
[ -z "$skipped" ] || exit 77
