#!/usr/bin/env bash
# The main job on the shipped data, from a fresh clone: installs what is
# missing, builds build/pksim, fits patient 2 (16 starts, 1000 posterior
# draws) and writes results/patient2/: fit.ini, fit_summary.txt, fit.csv,
# posterior.csv and the figure fit.png.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$PKSIM_ROOT"
pksim_build build -DCMAKE_BUILD_TYPE=Release
build/pksim fit params/patient2.ini --plot "$@"
