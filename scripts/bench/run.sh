#!/usr/bin/env bash
# Side-by-side benchmark: pksim against R deSolve (R and compiled C
# right-hand sides) and SciPy (odeint, solve_ivp LSODA and BDF), each peer
# written from the model specification alone (docs/model.md).
#  1. agreement: patient 2 at prior medians, regimens bid400, qd200 and
#     pause, every tool at rtol 1e-10, by the project's metric (<= 1e-6);
#  2. speed: bid400 at rtol 1e-6 with the same per-state atol and output
#     grid (0.25 day), median times, ratio to pksim, each tool's error
#     against pksim at rtol 1e-10; pksim --coupled too;
#  3. the fit's objective for patient 2 against SciPy least_squares on the
#     same objective (scripts/bench/fit_scipy.py): one evaluation, one
#     Jacobian, one start of 10 iterations; both objectives must agree;
#  4. scaling of 1-1000 simulations on 1 and 2 threads;
#  5. callgrind instruction count of one simulate run.
# Prints one table and writes results/bench.csv.  Exits 1 on disagreement.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
cd "$PKSIM_ROOT"
need=()
for p in r-base-core r-cran-desolve python3-scipy python3-numpy valgrind; do
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

echo "== speed: bid400, rtol 1e-6, 885 output times (errors against pksim at rtol 1e-10)"
ref=$out/pksim_bid400/simulation.csv
err_of() { $py scripts/bench/compare.py "$ref" "$1" 2>/dev/null | sed -n 's/.*max rel. difference \([0-9.e+-]*\).*/\1/p' || true; }
median_wall() { # runs "$@" 5 times, prints the median wall time in s
  local ts=()
  for _ in 1 2 3 4 5; do
    local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
    ts+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')")
  done
  printf '%s\n' "${ts[@]}" | sort -g | sed -n 3p
}
bench=$(build/pksim_bench params/patient2.ini 30)
pk_ms=$(awk '/^split rtol 1e-06, built/ {print $5}' <<<"$bench")
pk_re=$(awk '/^split rtol 3e-07, propagator reused/ {print $6}' <<<"$bench")
# the default tolerance, tighter ones, and the engine without the model's
# PD integration aids, with the benchmark's own error against the coupled
# engine at rtol 1e-10 (the same metric)
row() { awk -v p="^split rtol $1" 'index($0, substr(p, 2)) == 1 {
          for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) break
          printf "%.5f,%s", $i / 1000, $NF; exit }' <<<"$bench"; }
pk37=$(row "3e-07 (default), built")
pk7=$(row "1e-07, built")
pk8=$(row "1e-08, built")
pkp6=$(row "1e-06, no PD aids, built")
pkp37=$(row "3e-07, no PD aids, built")
build/pksim simulate "${files[bid400]}" --days 221 --every 0.25 --rtol 1e-6 --out "$out/pk6" --quiet
pk_err=$(err_of "$out/pk6/simulation.csv")
build/pksim simulate "${files[bid400]}" --days 221 --every 0.25 --rtol 1e-6 --coupled --out "$out/pkc6" --quiet
pkc_err=$(err_of "$out/pkc6/simulation.csv")
pkc_s=$(median_wall build/pksim simulate "${files[bid400]}" --days 221 --every 0.25 --rtol 1e-6 --coupled --out "$out/pkc6" --quiet)
r_s=$(Rscript scripts/bench/sorafenib_desolve.R bid400 1e-6 "$out/t1.csv" 2>&1 >/dev/null | sed -n 's/^wall time of the integration: \([0-9.]*\) s.*/\1/p')
rc_s=$(Rscript scripts/bench/sorafenib_desolve.R bid400 1e-6 "$out/t2.csv" compiled 2>&1 >/dev/null | sed -n 's/^wall time of the integration: \([0-9.]*\) s.*/\1/p')
py_t() { $py scripts/bench/sorafenib_scipy.py "$1" bid400 1e-6 "$out/$1.csv" 2>&1 >/dev/null | sed -n 's/.*wall_s=\([0-9.]*\).*/\1/p'; }
od_s=$(py_t odeint); ls_s=$(py_t lsoda); bdf_s=$(py_t bdf)

echo "== the fit's objective for patient 2 (pksim vs SciPy least_squares + solve_ivp LSODA)"
fitpk=$(build/pksim_bench_fit params/patient2.ini 9)
echo "$fitpk"
fitpy=$($py scripts/bench/fit_scipy.py | tail -n1)
echo "$fitpy"
kv() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<" $fitpy"; }
pk_obj=$(awk '/objective at the prior medians/ {print $NF}' <<<"$fitpk")
pk_eval=$(awk '/^objective evaluation/ {print $3 / 1000}' <<<"$fitpk")
pk_jac=$(awk '/^Jacobian, CVODES/ {print $4 / 1000}' <<<"$fitpk")
pk_fit10=$(awk '/^one start, 10 iterations/ {print $5 / 1000}' <<<"$fitpk")
obj_agree=$(awk -v a="$pk_obj" -v b="$(kv obj_median)" 'BEGIN {d = a - b; if (d < 0) d = -d; printf "%.1e", d / b}')
echo "objective at the prior medians: pksim $pk_obj, SciPy $(kv obj_median) (relative difference $obj_agree)"

echo "== scaling: 221-day simulations at prior draws, 1 and 2 threads"
scal=$(build/pksim_bench_scaling params/patient2.ini 1000)
echo "$scal"

echo "== instructions (valgrind --tool=callgrind), one simulate run of bid400 at the default rtol"
ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null build/pksim simulate "${files[bid400]}" \
       --days 221 --every 0.25 --out "$out/cg" --quiet 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')

# next to its destination, for an atomic mv; removed with $out if the
# script stops before the mv (a left-over one was once committed)
tmp=$(mktemp results/bench.csv.XXXXXX)
trap 'rm -rf "$out" "$tmp"' EXIT
ratio() { awk -v t="$1" -v m="$2" 'BEGIN {if (t == "" || m == "") print ""; else printf "%.0f", t / m}'; }
{
  echo "tool,task,median_s,ratio_to_pksim,max_rel_error,goal"
  pk_s=$(awk -v m="$pk_ms" 'BEGIN {printf "%.5f", m / 1000}')
  echo "pksim split engine,bid400 rtol 1e-6,$pk_s,1,$pk_err,"
  echo "pksim split engine,bid400 rtol 3e-7 (default),${pk37%,*},$(ratio "${pk37%,*}" "$pk_s"),${pk37#*,},"
  echo "pksim split engine,bid400 rtol 1e-7,${pk7%,*},$(ratio "${pk7%,*}" "$pk_s"),${pk7#*,},"
  echo "pksim split engine,bid400 rtol 1e-8,${pk8%,*},$(ratio "${pk8%,*}" "$pk_s"),${pk8#*,},"
  echo "pksim split engine without PD aids,bid400 rtol 1e-6,${pkp6%,*},$(ratio "${pkp6%,*}" "$pk_s"),${pkp6#*,},"
  echo "pksim split engine without PD aids,bid400 rtol 3e-7,${pkp37%,*},$(ratio "${pkp37%,*}" "$pk_s"),${pkp37#*,},"
  echo "pksim --coupled (BDF; process wall time),bid400 rtol 1e-6,$pkc_s,$(ratio "$pkc_s" "$pk_s"),$pkc_err,"
  echo "R deSolve lsoda (R rhs),bid400 rtol 1e-6,$r_s,$(ratio "$r_s" "$pk_s"),$(err_of "$out/t1.csv"),>= 1000"
  echo "R deSolve lsoda (compiled C rhs),bid400 rtol 1e-6,$rc_s,$(ratio "$rc_s" "$pk_s"),$(err_of "$out/t2.csv"),>= 15"
  echo "SciPy odeint,bid400 rtol 1e-6,$od_s,$(ratio "$od_s" "$pk_s"),$(err_of "$out/odeint.csv"),>= 250 (fastest SciPy)"
  echo "SciPy solve_ivp LSODA,bid400 rtol 1e-6,$ls_s,$(ratio "$ls_s" "$pk_s"),$(err_of "$out/lsoda.csv"),>= 250 (fastest SciPy)"
  echo "SciPy solve_ivp BDF,bid400 rtol 1e-6,$bdf_s,$(ratio "$bdf_s" "$pk_s"),$(err_of "$out/bdf.csv"),>= 250 (fastest SciPy)"
  echo "pksim,fit objective patient 2 (one evaluation),$pk_eval,1,,"
  echo "SciPy solve_ivp LSODA,fit objective patient 2 (one evaluation),$(kv eval_s),$(ratio "$(kv eval_s)" "$pk_eval"),$obj_agree,>= 100"
  echo "pksim (CVODES sensitivities),fit Jacobian patient 2,$pk_jac,1,,"
  echo "SciPy least_squares 2-point,fit Jacobian patient 2,$(kv jac_s),$(ratio "$(kv jac_s)" "$pk_jac"),,>= 100"
  echo "pksim,fit one start of 10 iterations,$pk_fit10,1,,"
  echo "SciPy least_squares trf,fit one start of 10 iterations,$(kv fit10_s),$(ratio "$(kv fit10_s)" "$pk_fit10"),,>= 100"
  awk 'NR > 1 {t[$1 "," $2] = $3} END {
         for (n = 1; n <= 1000; n *= 10)
           for (k = 1; k <= 2; k++)
             printf "pksim scaling,%d simulations %d thread%s,%s,%.2f,,%s\n", n, k,
                    (k > 1 ? "s" : ""), t[n "," k], t[n ",1"] / t[n "," k],
                    (k > 1 ? "speed-up (ratio column) near 2" : "")
       }' <<<"$scal"
  echo "pksim split engine (callgrind),instructions of one simulate run,,,,$ir instructions"
} > "$tmp"
mv "$tmp" results/bench.csv
column -t -s, results/bench.csv
echo "(pksim with its propagator reused, as in a PD fit: $pk_re ms at rtol 3e-7; median of 30)"
exit $status
