#!/usr/bin/env bash
# The main job on the shipped data, from a fresh clone: installs what is
# missing, builds build/pksim, simulates patient 2 (400 mg bid, 221 days at
# prior medians) into results/patient2/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$PKSIM_ROOT"
pksim_build build -DCMAKE_BUILD_TYPE=Release
build/pksim simulate params/patient2.ini "$@"
