#!/usr/bin/env bash
# Side-by-side benchmark: pksim against R deSolve (R and compiled C
# right-hand sides) and SciPy (odeint, solve_ivp LSODA and BDF), each peer
# written from MODEL.md alone.
#  1. agreement: patient 2 at prior medians, regimens bid400, qd200 and
#     pause, every tool at rtol 1e-10, by the project's metric (<= 1e-6);
#  2. speed: bid400 at rtol 1e-6 with the same per-state atol and output
#     grid (0.25 day), median times, ratio to pksim.
# Prints one table and writes results/bench.csv.  Exits 1 on disagreement.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
cd "$PKSIM_ROOT"
need=()
for p in r-base-core r-cran-desolve python3-scipy python3-numpy; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if ((${#need[@]})); then
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${need[@]}" >/dev/null
fi
pksim_build build -DCMAKE_BUILD_TYPE=Release
py=/usr/bin/python3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# pksim's regimens as patient files (patient 2, prior medians)
regimen_file() { # name dosing-lines...
  local f=$out/$1.ini; shift
  { sed '/^\[dosing\]/,$d' params/patient2.ini; echo "[dosing]"; printf '%s\n' "$@";
    sed -n '/^\[observations\]/,$p' params/patient2.ini; } > "$f"
  echo "$f"
}
declare -A files
files[bid400]=$(regimen_file bid400 "0-220 = 400 mg bid")
files[qd200]=$(regimen_file qd200 "0-220 = 200 mg qd")
files[pause]=$(regimen_file pause "0-59 = 400 mg bid" "60-66 = pause" "67-220 = 400 mg bid")

echo "== agreement at rtol 1e-10 (max |a-b|/|b|, |b| >= 1e-6)"
status=0
for r in bid400 qd200 pause; do
  build/pksim simulate "${files[$r]}" --days 221 --every 0.25 --rtol 1e-10 --out "$out/pksim_$r" --quiet
  Rscript scripts/bench/sorafenib_desolve.R "$r" 1e-10 "$out/r_$r.csv" 2>/dev/null
  Rscript scripts/bench/sorafenib_desolve.R "$r" 1e-10 "$out/rc_$r.csv" compiled 2>/dev/null
  $py scripts/bench/sorafenib_scipy.py lsoda "$r" 1e-10 "$out/py_$r.csv" 2>/dev/null
  echo "-- $r (reference: pksim)"
  $py scripts/bench/compare.py "$out/pksim_$r/simulation.csv" "$out/r_$r.csv" "$out/rc_$r.csv" \
    "$out/py_$r.csv" | sed "s|$out/||" || status=1
done

echo "== speed: bid400, rtol 1e-6, 885 output times"
pk_ms=$(build/pksim_bench params/patient2.ini 30 | awk '/^split rtol 1e-06, built/ {print $5}')
pk_re=$(build/pksim_bench params/patient2.ini 30 | awk '/^split rtol 1e-07, propagator reused/ {print $6}')
r_s=$(Rscript scripts/bench/sorafenib_desolve.R bid400 1e-6 "$out/t1.csv" 2>&1 >/dev/null | sed -n 's/^wall time of the integration: \([0-9.]*\) s.*/\1/p')
rc_s=$(Rscript scripts/bench/sorafenib_desolve.R bid400 1e-6 "$out/t2.csv" compiled 2>&1 >/dev/null | sed -n 's/^wall time of the integration: \([0-9.]*\) s.*/\1/p')
py_t() { $py scripts/bench/sorafenib_scipy.py "$1" bid400 1e-6 "$out/t3.csv" 2>&1 >/dev/null | sed -n 's/.*wall_s=\([0-9.]*\).*/\1/p'; }
od_s=$(py_t odeint); ls_s=$(py_t lsoda); bdf_s=$(py_t bdf)
tmp=$(mktemp results/bench.csv.XXXXXX)
{
  echo "tool,task,median_s,ratio_to_pksim"
  echo "pksim split engine,bid400 rtol 1e-6,$(awk -v m="$pk_ms" 'BEGIN {printf "%.5f", m / 1000}'),1"
  for row in "R deSolve lsoda (R rhs),$r_s" "R deSolve lsoda (compiled C rhs),$rc_s" \
             "SciPy odeint,$od_s" "SciPy solve_ivp LSODA,$ls_s" "SciPy solve_ivp BDF,$bdf_s"; do
    t=${row##*,}
    echo "${row%,*},bid400 rtol 1e-6,$t,$(awk -v t="$t" -v m="$pk_ms" 'BEGIN {printf "%.0f", t * 1000 / m}')"
  done
} > "$tmp"
mv "$tmp" results/bench.csv
column -t -s, results/bench.csv
echo "(pksim with its propagator reused, as in a PD fit: $pk_re ms at rtol 1e-7; median of 30)"
exit $status
