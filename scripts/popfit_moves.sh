#!/usr/bin/env bash
# How each patient's fit moves when the population (results/popfit_aml)
# replaces the literature prior: the MAP, its 95% interval and the
# information fraction of every estimated parameter, from
# results/patientN/fit_params.csv (literature prior) and
# results/popfit_aml/patientN/fit_params.csv (population prior), as a
# Markdown table on standard output.  Run by scripts/reproduce.sh.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$PKSIM_ROOT"
echo "| patient | parameter | literature prior: MAP (95% interval) | population prior: MAP (95% interval) | information fraction (lit. -> pop.) |"
echo "|---|---|---|---|---|"
for i in 1 2 3 4 5 6; do
  join -t, <(tail -n +2 "results/patient$i/fit_params.csv" | cut -d, -f1,3,4,5,11 | sort) \
    <(tail -n +2 "results/popfit_aml/patient$i/fit_params.csv" | cut -d, -f1,3,4,5,11 | sort) |
    awk -F, -v p="$i" '{printf "| %s | %s | %.3g (%.3g-%.3g) | %.3g (%.3g-%.3g) | %.2f -> %.2f |\n",
                        p, $1, $2, $3, $4, $6, $7, $8, $5, $9}'
done
