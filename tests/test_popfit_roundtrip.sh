#!/usr/bin/env bash
# The data-set round trip of a population fit: the Theoph NONMEM-style
# data set (tests/data/popfit/theoph_nm.csv) imported to patient files,
# fitted by popfit over them, exported back with the fit's results.
#   1. Every row of the input comes back, in its order, with the same ID,
#      TIME, AMT, DV, EVID, MDV and CMT (numbers equal to 1e-12 relative:
#      what the files print), DVID 1 on each observation and '.' on doses.
#   2. PRED, IPRED, IWRES (and RES) and CWRES of every observation are
#      popfit_obs.csv's, row for row, for the right patient and day.
#   3. popfit over the data set directly (--model) gives the same
#      popfit_obs.csv as over the imported files.
. "$(dirname "$0")/cli_lib.sh"

data=$src/tests/data/popfit/theoph_nm.csv
"$pksim" import "$data" --model oral1cpt --estimate ka_per_h,CL_L_per_h,V_L --out "$tmp/imp" \
  --quiet || bad "import $data"
files=()
for i in $(seq 1 12); do files+=("$tmp/imp/$i.ini"); done # the data set's order of IDs
"$pksim" popfit "${files[@]}" --out "$tmp/pop" --quiet 2>/dev/null || bad "popfit over the imported files"
"$pksim" export "${files[@]}" --results "$tmp/pop" --out "$tmp/rt.csv" --quiet || bad "export --results"

# The named columns of a CSV, one line per data row, fields separated by
# blanks; a missing column is '-'.
cols() { # file col...
  local f=$1; shift
  tr -d '\r' < "$f" | awk -F, -v want="$*" 'NR == 1 {n = split(want, w, " ");
      for (i = 1; i <= NF; i++) c[toupper($i)] = i; next}
    {line = ""; for (i = 1; i <= n; i++) line = line (i > 1 ? " " : "") (toupper(w[i]) in c ? $c[toupper(w[i])] : "-");
     print line}'
}
# Two such listings equal field by field: '.' against '.', text against
# text, numbers to 1e-12 relative.
same() { # a b what
  paste -d'|' "$1" "$2" | awk -F'|' -v what="$3" '
    function num(x) {return x ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/}
    {na = split($1, a, " "); nb = split($2, b, " ")
     if (na != nb) {printf "%s: row %d has %d fields against %d\n", what, NR, na, nb; bad = 1; exit}
     for (i = 1; i <= na; i++) {
       if (num(a[i]) && num(b[i])) {d = a[i] - b[i]; s = a[i] < 0 ? -a[i] : a[i]
         if ((d < 0 ? -d : d) > 1e-12 * (s > 1 ? s : 1)) {printf "%s: row %d field %d: %s against %s\n", what, NR, i, a[i], b[i]; bad = 1; exit}}
       else if (a[i] != b[i]) {printf "%s: row %d field %d: %s against %s\n", what, NR, i, a[i], b[i]; bad = 1; exit}}}
    END {exit bad}'
}

# 1. the input's rows
cols "$data" ID TIME AMT DV EVID MDV CMT > "$tmp/in.txt"
cols "$tmp/rt.csv" ID TIME AMT DV EVID MDV CMT > "$tmp/out.txt"
[ "$(wc -l < "$tmp/in.txt")" -eq 144 ] && [ "$(wc -l < "$tmp/out.txt")" -eq 144 ] \
  && ok || bad "rows: $(wc -l < "$tmp/in.txt") in, $(wc -l < "$tmp/out.txt") exported"
same "$tmp/in.txt" "$tmp/out.txt" "ID TIME AMT DV EVID MDV CMT" && ok || bad "the input's columns differ"
cols "$tmp/rt.csv" EVID DVID | awk '($1 == 0 && $2 != 1) || ($1 == 1 && $2 != ".") {exit 1}' \
  && ok || bad "DVID: 1 on observations, '.' on doses"

# 2. the population fit's values, observation by observation: the k-th
# observation row of the export is popfit_obs.csv's k-th row (patients in
# the order given to both, observations in time order)
cols "$tmp/rt.csv" EVID PATIENT TIME PRED IPRED RES IWRES CWRES \
  | awk '$1 == 0 {print $2, sprintf("%.15g", $3 / 24), $4, $5, $6, $7, $8}' > "$tmp/res_out.txt"
cols "$tmp/pop/popfit_obs.csv" patient day pred ipred iwres iwres cwres > "$tmp/res_pop.txt"
[ "$(wc -l < "$tmp/res_pop.txt")" -eq 132 ] && ok || bad "popfit_obs.csv rows: $(wc -l < "$tmp/res_pop.txt")"
# the day to popfit_obs.csv's 10 digits, the rest exactly as written
paste -d' ' "$tmp/res_out.txt" "$tmp/res_pop.txt" | awk '
  {d = $2 - $9; if ($1 != $8 || (d < 0 ? -d : d) > 1e-9 * ($9 > 1 ? $9 : 1)) {print "row " NR ": " $1 " day " $2 " against " $8 " day " $9; exit 1}
   for (i = 3; i <= 7; i++) if ($i != $(i + 7)) {print "row " NR " column " i ": " $i " against " $(i + 7); exit 1}}' \
  && ok || bad "PRED, IPRED, RES, IWRES, CWRES differ from popfit_obs.csv"
head -1 "$tmp/rt.csv" | grep -qx 'ID,TIME,AMT,DV,EVID,MDV,CMT,DVID,OBS,CENS,LIMIT,WT,PATIENT,PRED,IPRED,RES,IWRES,CWRES' \
  && ok || bad "header: $(head -1 "$tmp/rt.csv")"

# 3. the data set fitted directly
"$pksim" popfit "$data" --model oral1cpt --estimate ka_per_h,CL_L_per_h,V_L --out "$tmp/popcsv" \
  --quiet 2>/dev/null && cmp -s "$tmp/pop/popfit_obs.csv" "$tmp/popcsv/popfit_obs.csv" \
  && cmp -s "$tmp/pop/popfit_traj.csv" "$tmp/popcsv/popfit_traj.csv" \
  && ok || bad "popfit over the data set differs from popfit over its imported files"

echo "popfit round trip: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
