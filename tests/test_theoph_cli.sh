#!/usr/bin/env bash
# pksim fit --no-priors on the Theoph cases that overflowed the heap
# (tests/test_theoph.c has the numbers): every per-kg subject at seed 1 and
# the mg subjects 9 (seed 4) and 5, 10, 11, 12 (seed 7) now exit 0, never
# by a signal; and fit honours the file's [solver] (engine, rtol) unless
# --rtol is given.
. "$(dirname "$0")/cli_lib.sh"
data=$src/tests/data/theoph

fit() { # FILE SEED OUT [options]: exit status of a short fit
  local f=$1 seed=$2 out=$3; shift 3
  "$pksim" fit "$f" --no-priors --seed "$seed" --proposals 200 --draws 50 --threads 1 \
    --out "$out" --quiet "$@" 2>"$out.err"
}

for c in 01_perkg:1 05_perkg:1 09_perkg:1 12_perkg:1 09_mg:4 05_mg:7 10_mg:7 11_mg:7 12_mg:7; do
  case=${c%:*} seed=${c#*:}
  fit "$data/theoph_$case.ini" "$seed" "$tmp/$case"
  rc=$?
  [ "$rc" -eq 0 ] && [ -s "$tmp/$case/fit.ini" ] && ok || bad "theoph_$case seed $seed: exit $rc: $(head -c 300 "$tmp/$case.err")"
done

# [solver] in the file: the coupled engine at rtol 1e-8; --rtol wins over the file's.
{ cat "$data/theoph_09_mg.ini"; printf '\n[solver]\nengine = coupled\nrtol = 1e-8\n'; } > "$tmp/solver.ini"
fit "$tmp/solver.ini" 4 "$tmp/solver" && grep -q 'coupled engine at rtol 1e-08$' "$tmp/solver.err" \
  && ok || bad "[solver] not honoured: $(cat "$tmp/solver.err")"
fit "$tmp/solver.ini" 4 "$tmp/solver2" --rtol 1e-7 && grep -q 'coupled engine at rtol 1e-07$' "$tmp/solver2.err" \
  && ok || bad "--rtol over [solver]: $(cat "$tmp/solver2.err")"
fit "$data/theoph_09_mg.ini" 4 "$tmp/plain" && grep -q 'split engine at rtol 1e-06$' "$tmp/plain.err" \
  && ok || bad "default engine: $(cat "$tmp/plain.err")"
# the coupled fit's estimates: nls's (ka 8.86561, CL 2.82417, V 30.1848) to 4 digits
for kv in ka_per_h:8.86561 CL_L_per_h:2.82417 V_L:30.1848; do
  k=${kv%:*} want=${kv#*:}
  got=$(sed -n "s/^$k *= *\([0-9.e+-]*\).*/\1/p" "$tmp/solver/fit.ini" | head -1)
  awk -v g="$got" -v w="$want" 'BEGIN { d = (g - w) / w; exit !(g != "" && d < 1e-4 && d > -1e-4) }' \
    && ok || bad "coupled fit $k = '$got', nls $want"
done

echo "theoph cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
