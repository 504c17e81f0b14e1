#!/usr/bin/env bash
# Regenerates the curated results from params/: the fit of each of the six
# patients (default options: 16 starts, seed 1, 1000 posterior draws) with
# its figure, a sweep for each from its fit (200-800 mg/day, qd and bid,
# plus params/rules_clinical.ini; 1000 draws, 180 days) with its figures,
# the table of the six fits (results/fits.md), the forecast loop of
# patient 6 (fit on days 0-7, doses from day 14: results/patient6_day7), the oral1cpt example (Theoph subject 1: fit and
# exposure sweep, results/theoph_01_mg), the population fits of Theoph
# (with its figures) and Phenobarb and, with --bench, the simulation
# benchmark (results/bench_simulate.txt).  Each sweep's per-draw table
# (sweep_draws.csv, 7 MB) is written but not committed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$PKSIM_ROOT"
pksim_build build -DCMAKE_BUILD_TYPE=Release
for i in 1 2 3 4 5 6; do
  build/pksim fit "params/patient$i.ini" --plot --quiet
  build/pksim sweep "results/patient$i/fit.ini" --rules params/rules_clinical.ini --plot --quiet
done
# The therapeutic-drug-monitoring question: which dose from day 14, given
# the counts so far?
build/pksim fit params/patient6_day7.ini --plot --quiet
build/pksim sweep results/patient6_day7/fit.ini --from-day 14 --days 180 --plot --quiet
# Any model: oral1cpt on Theoph subject 1 (mg dosing), fitted and swept.
build/pksim fit tests/data/theoph/theoph_01_mg.ini --out results/theoph_01_mg --plot --quiet
build/pksim sweep results/theoph_01_mg/fit.ini --days 10 --doses 200,400,800,1600 --plot --quiet
# Population fits: Theoph (12 patient files, with its goodness-of-fit
# figures) and Phenobarb (59 neonates from the NONMEM-style data set R
# wrote), both validated in test_popfit.
build/pksim popfit tests/data/theoph/theoph_*_mg.ini --out results/popfit_theoph --plot --quiet
build/pksim popfit tests/data/popfit/phenobarb_nm.csv --model iv1cpt --obs 1=conc \
  --estimate CL_L_per_h_per_kg,V_L_per_kg --out results/popfit_phenobarb --quiet
# The six AML patients (docs/popfit.md, "The six patients"): Emax with a
# random effect, m0's fixed at its prior SD, the literature priors on both
# typical values, the error SDs as the model states them; then each
# patient refitted with that population as the prior, and the two MAPs
# side by side (results/popfit_aml/individual_fits.md).
build/pksim popfit params/patient[1-6].ini --estimate Emax_L_per_day,m0 --omega m0=1.5 \
  --sigma fixed --priors --out results/popfit_aml --plot --quiet
for i in 1 2 3 4 5 6; do
  build/pksim fit --prior results/popfit_aml/popfit.ini "params/patient$i.ini" \
    --out "results/popfit_aml/patient$i" --quiet
done
scripts/popfit_moves.sh >results/popfit_aml/individual_fits.md.tmp
mv results/popfit_aml/individual_fits.md.tmp results/popfit_aml/individual_fits.md
# One table: observed vs predicted for every observation of the six fits.
tmp=$(mktemp results/fits.md.XXXXXX)
trap 'rm -f "$tmp"' EXIT
{
  echo "| patient | -2 log posterior | day | observable | observed | predicted | residual | note |"
  echo "|---|---:|---:|---|---:|---:|---:|---|"
  for i in 1 2 3 4 5 6; do
    s=results/patient$i/fit_summary.txt
    obj=$(awk '/^objective/ {print $5}' "$s")
    awk -v p="$i" -v obj="$obj" '
      /^observations/ {on = 1; getline; next}
      on && NF == 0 {on = 0}
      on { note = ""; for (k = 6; k <= NF; k++) note = note (k > 6 ? " " : "") $k
           printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", p, obj, $1, $2, $3, $4, $5, note
           obj = "" }' "$s"
  done
} > "$tmp"
mv "$tmp" results/fits.md
trap - EXIT
echo "wrote results/fits.md"
if [ "${1:-}" = --bench ]; then
  scripts/bench.sh
fi
