#!/usr/bin/env bash
# CLI: simulate succeeds on every shipped patient file; bad input exits 2
# with one line naming file, line and key, and writes nothing.
. "$(dirname "$0")/cli_lib.sh"

for f in "$src"/params/patient*.ini; do
  id=$(basename "$f" .ini)
  if "$pksim" simulate "$f" --out "$tmp/$id" --quiet && [ -s "$tmp/$id/simulation.csv" ]; then
    ok
  else
    bad "simulate $f"
  fi
done

# Header and row count of one output: day 0..221 plus the header.
csv=$tmp/patient2/simulation.csv
head -1 "$csv" | grep -q '^day,dose_mg_per_day,conc_mg_per_L,wbc,blast_pb_pct,blast_bm_pct,LT,Q,Ls,Lr,B,M,N,' \
  && ok || bad "column order: $(head -1 "$csv")"
[ "$(wc -l < "$csv")" -eq 223 ] && ok || bad "patient2 rows: $(wc -l < "$csv")"

# --dose/--schedule shorthand and --every.
"$pksim" simulate "$src/params/patient2.ini" --dose 600 --schedule bid --days 10 --every 0.25 \
  --out "$tmp/short" --quiet && [ "$(wc -l < "$tmp/short/simulation.csv")" -eq 42 ] \
  && awk -F, 'NR==2 && $2 != 600 {exit 1}' "$tmp/short/simulation.csv" && ok || bad "--dose 600 bid"

# Bad inputs: exit 2, the expected message, no output directory.
expect_fail() { # expected-message-regex args...
  local want=$1; shift
  local out=$tmp/should_not_exist
  local msg
  msg=$("$pksim" "$@" --out "$out" 2>&1 >/dev/null)
  local rc=$?
  if [ $rc -ne 2 ]; then bad "$* exited $rc (want 2): $msg"; return; fi
  if ! grep -Eq -- "$want" <<<"$msg"; then bad "$*: message '$msg' !~ '$want'"; return; fi
  if [ -e "$out" ]; then bad "$*: wrote $out"; rm -rf "$out"; return; fi
  ok
}
printf '[patient]\nid = x\nmodel = sorafenib_flt3\n[dosing]\n0-20 = 450 mg bid\n' > "$tmp/dose.ini"
expect_fail "^pksim: $tmp/dose.ini:5: 0-20: 900 mg/day is outside 200-800$" simulate "$tmp/dose.ini"
printf '[patient]\nid = x\nmodel = nope\n' > "$tmp/model.ini"
expect_fail "model.ini:3: model: unknown model 'nope'" simulate "$tmp/model.ini"
expect_fail "cannot open: No such file" simulate "$tmp/missing.ini"
expect_fail "is a directory" simulate "$tmp"
expect_fail "--dose: 900 mg/day is outside 200-800" simulate "$src/params/patient2.ini" --dose 900
expect_fail "schedule: 'tid' is not qd or bid" simulate "$src/params/patient2.ini" --dose 400 --schedule tid
expect_fail "unknown option" simulate "$src/params/patient2.ini" --bogus
expect_fail "not a number" simulate "$src/params/patient2.ini" --days abc

# An existing output survives a failed run untouched.
mkdir -p "$tmp/keep" && echo "previous" > "$tmp/keep/simulation.csv"
"$pksim" simulate "$tmp/dose.ini" --out "$tmp/keep" 2>/dev/null
[ "$(cat "$tmp/keep/simulation.csv")" = previous ] && ok || bad "previous output overwritten"
[ -z "$(ls -A "$tmp/keep" | grep -v '^simulation.csv$')" ] && ok || bad "temporary files left"

"$pksim" --version | grep -q '^pksim [0-9]' && ok || bad "--version"
"$pksim" --help | grep -q 'simulate FILE' && ok || bad "--help"
"$pksim" models | grep -q 'CL_L_per_h .*L/h .*8.13 .*log-normal CV .*51%.*J11' && ok || bad "models"

# fit: same seed, 1 and 2 threads: byte-identical files; the fit.ini is a
# valid input to simulate (which uses its [estimate]) and to fit again.
for th in 1 2; do
  "$pksim" fit "$src/params/patient5.ini" --starts 4 --proposals 300 --draws 100 --seed 7 \
    --threads "$th" --out "$tmp/fit$th" --quiet 2>/dev/null || bad "fit --threads $th"
done
for f in fit.ini fit_summary.txt fit.csv posterior.csv fit_obs.csv fit_params.csv; do
  cmp -s "$tmp/fit1/$f" "$tmp/fit2/$f" && ok || bad "fit $f differs between 1 and 2 threads"
done
[ "$(wc -l < "$tmp/fit1/posterior.csv")" -eq 101 ] && ok || bad "posterior.csv rows"
grep -q "Patient 5's day-14" "$tmp/fit1/fit_summary.txt" && ok || bad "patient 5's own weak point"
"$pksim" fit "$src/params/patient6.ini" --starts 1 --proposals 100 --draws 20 --out "$tmp/fit6" --quiet 2>/dev/null \
  && ! grep -q "Patient 5's" "$tmp/fit6/fit_summary.txt" && grep -q 'Two numbers after baseline' "$tmp/fit6/fit_summary.txt" \
  && ok || bad "another patient's weak point printed for patient 6"
grep -q '"command": "fit"' "$tmp/fit1/run.json" && grep -q '"seed": 7' "$tmp/fit1/run.json" \
  && grep -q "\"$src/params/patient5.ini\": \"$(sha256sum "$src/params/patient5.ini" | cut -d' ' -f1)\"" "$tmp/fit1/run.json" \
  && ok || bad "fit run.json"
# Tidy tables: one row per observation and per estimate.
[ "$(wc -l < "$tmp/fit1/fit_obs.csv")" -eq $(( $(grep -cE '^[0-9.]+ [a-z_]+ = ' "$src/params/patient5.ini") + 1 )) ] \
  && head -1 "$tmp/fit1/fit_params.csv" | grep -q '^parameter,unit,estimate,lo95,hi95,rse_pct,.*,shrinkage,information_fraction' \
  && ok || bad "fit_obs.csv / fit_params.csv"
grep -q '^\[estimate\]' "$tmp/fit1/fit.ini" && ok || bad "fit.ini has no [estimate]"
"$pksim" simulate "$tmp/fit1/fit.ini" --out "$tmp/fitsim" --quiet && ok || bad "simulate fit.ini"
"$pksim" fit "$tmp/fit1/fit.ini" --starts 4 --proposals 300 --draws 100 --seed 7 --threads 1 \
  --out "$tmp/refit" --quiet 2>/dev/null && [ "$(grep -c '^\[estimate\]' "$tmp/refit/fit.ini")" -eq 1 ] \
  && ok || bad "refit from fit.ini"
# the refit starts from the same priors: the same estimates
diff <(sed -n '/^\[estimate\]/,/^posterior/p' "$tmp/fit1/fit.ini") \
     <(sed -n '/^\[estimate\]/,/^posterior/p' "$tmp/refit/fit.ini") >/dev/null \
  && ok || bad "refit estimates differ"
expect_fail "unknown option" fit "$src/params/patient5.ini" --bogus
expect_fail "--starts: 'x' is not a whole number" fit "$src/params/patient5.ini" --starts x
expect_fail "--sir-rtol: '0.5' must lie in 1e-14..1e-3" fit "$src/params/patient5.ini" --sir-rtol 0.5
expect_fail "--rtol: '0.5' must lie in 1e-14..1e-3" sweep "$src/params/patient5.ini" --rtol 0.5
printf '[patient]\nid = x\nmodel = sorafenib_flt3\n[observations]\n0 wbc = 10\n' > "$tmp/nofit.ini"
expect_fail "nofit.ini: \[fit\] estimate lists no parameter" fit "$tmp/nofit.ini"

# plot: a PNG of the requested size (width and height from its header), an
# SVG that parses as XML, dumb output with every panel title and a marker
# per observation, and without gnuplot exit 3 with the data kept.
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8}'; }
"$pksim" plot "$tmp/fit1" --size 800x600 >/dev/null && [ "$(head -c 8 "$tmp/fit1/fit.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] \
  && [ "$(png_size "$tmp/fit1/fit.png")" = 800x600 ] && ok || bad "plot png 800x600: $(png_size "$tmp/fit1/fit.png")"
"$pksim" plot "$tmp/fit1/fit.csv" --format svg --out "$tmp/fit1/fig.svg" >/dev/null \
  && python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$tmp/fit1/fig.svg" \
  && ok || bad "plot svg"
"$pksim" plot "$tmp/fit1" --format pdf --out "$tmp/fit1/fig.pdf" >/dev/null && [ "$(head -c 5 "$tmp/fit1/fig.pdf")" = "%PDF-" ] \
  && ok || bad "plot pdf"
dumb=$("$pksim" plot "$tmp/fit1" --format dumb)
for title in 'Daily dose' 'Plasma sorafenib' 'White blood cells' 'Blasts'; do
  grep -q "$title" <<<"$dumb" && ok || bad "dumb plot lacks panel '$title'"
done
# patient 5: 4 exact observations (@), one below (&), one above (^); the key adds one of each
[ "$(tr -cd '@' <<<"$dumb" | wc -c)" -ge 4 ] && [ "$(tr -cd '&' <<<"$dumb" | wc -c)" -ge 1 ] \
  && [ "$(tr -cd '^' <<<"$dumb" | wc -c)" -ge 1 ] && ok || bad "dumb plot markers"
"$pksim" simulate "$src/params/patient2.ini" --out "$tmp/simplot" --quiet --plot >/dev/null \
  && [ "$(png_size "$tmp/simplot/simulation.png")" = 1200x900 ] && ok || bad "simulate --plot"
# a simulation's figure shows the observations of the file its run record
# names (WBC on days 0 and 7), drawn again by plot
"$pksim" plot "$tmp/simplot" --format dumb | grep -q 'patient2 (sorafenib_flt3): simulation' \
  && "$pksim" plot "$tmp/simplot" >/dev/null && grep -q "title 'observed'" "$tmp/simplot/simulation.gp" \
  && [ "$(sed -n '/^\$o1_eq << EOD/,/^EOD/p' "$tmp/simplot/simulation.gp" | grep -c ,)" -eq 2 ] \
  && ok || bad "plot of a simulation: its observations"
msg=$(PATH=/nonexistent "$pksim" plot "$tmp/fit1" --out "$tmp/nognuplot.png" 2>&1); rc=$?
[ $rc -eq 3 ] && grep -q 'gnuplot is not installed (apt-get install gnuplot-nox)' <<<"$msg" \
  && [ -s "$tmp/fit1/fit.csv" ] && [ ! -e "$tmp/nognuplot.png" ] && ok || bad "no gnuplot: rc $rc, $msg"
msg=$("$pksim" plot "$tmp/fit1" --show 2>&1); [ $? -eq 3 ] && grep -q 'gnuplot-qt' <<<"$msg" && ok || bad "--show"
expect_fail "--format: 'gif' is not png, svg, pdf or dumb" plot "$tmp/fit1" --format gif
ls "$tmp/fit1" | grep -q 'tmp' && bad "plot left temporary files" || ok
# the figure's script beside it, naming fit.csv and the figure by their
# names, draws it again by hand; the svg's script beside the svg
grep -q "^set output 'fit.png'" "$tmp/fit1/fit.gp" && grep -q "^plot 'fit.csv' using 'day':'dose_mg_per_day'" "$tmp/fit1/fit.gp" \
  && grep -q "^set output 'fig.pdf'" "$tmp/fit1/fig.gp" && ok || bad "fit.gp beside fit.png"
rm "$tmp/fit1/fit.png" && (cd "$tmp/fit1" && gnuplot fit.gp 2>/dev/null) && [ "$(png_size "$tmp/fit1/fit.png")" = 800x600 ] \
  && ok || bad "fit.gp by hand"
# a figure elsewhere names the CSV by its absolute path
"$pksim" plot "$tmp/fit1" --out "$tmp/elsewhere.png" >/dev/null && grep -q "^plot '$tmp/fit1/fit.csv' using" "$tmp/elsewhere.gp" \
  && ok || bad "a figure elsewhere: its script names the CSV's path"
# the legend says which band and which interval; censored observations are arrows
grep -q "'90% band, all uncertain parameters'" "$tmp/fit1/fit.gp" && grep -q "'90% prediction interval of an observation'" "$tmp/fit1/fit.gp" \
  && grep -q "with vectors head filled" "$tmp/fit1/fit.gp" && grep -q "title 'MAP'" "$tmp/fit1/fit.gp" && ok || bad "fit figure legend"
# fit --band estimated: no all-parameter band; the figure says so
"$pksim" fit "$src/params/patient5.ini" --starts 2 --proposals 300 --draws 100 --band estimated --out "$tmp/fitest" \
  --quiet --plot >/dev/null 2>&1 && ! head -1 "$tmp/fitest/fit.csv" | grep -q '_all_p05' && head -1 "$tmp/fitest/fit.csv" | grep -q 'wbc_pi05,wbc_pi95' \
  && grep -q "'90% band, estimated parameters only'" "$tmp/fitest/fit.gp" && ok || bad "fit --band estimated"
expect_fail "--band: 'some' is all or estimated" fit "$src/params/patient5.ini" --band some
# fit.csv: the old columns first, in their order, then the new ones
head -1 "$tmp/fit1/fit.csv" | grep -q '^day,dose_mg_per_day,conc_mg_per_L,conc_mg_per_L_p05,conc_mg_per_L_p50,conc_mg_per_L_p95,wbc,wbc_p05,wbc_p50,wbc_p95,blast_pb_pct,.*,LT_p95,conc_mg_per_L_all_p05,.*,wbc_all_p05,wbc_all_p50,wbc_all_p95,wbc_pi05,wbc_pi95,' \
  && head -1 "$tmp/fit1/fit_obs.csv" | grep -q ',residual,pi05,pi95,re05_map,re95_map$' && ok || bad "fit.csv and fit_obs.csv columns"

# sweep: --point of a fixed regimen equals simulate of it exactly at the
# same tolerance (the sweep's default 1e-5, and --rtol 3e-7 against
# simulate's default); the same seed gives the same files on 1 and 2
# threads; scenarios from [sweep]; bad doses and scenarios are refused.
"$pksim" sweep "$src/params/patient2.ini" --point --doses 400 --schedules bid --days 60 \
  --out "$tmp/swp" --quiet 2>/dev/null || bad "sweep --point"
"$pksim" simulate "$src/params/patient2.ini" --dose 400 --schedule bid --days 60 --rtol 1e-5 \
  --out "$tmp/simp" --quiet
diff <(awk -F, 'NR > 1 {print $2, $4, $7, $10}' "$tmp/swp/sweep_trajectories.csv") \
     <(awk -F, 'NR > 1 {print $1, $3, $4, $5}' "$tmp/simp/simulation.csv") >/dev/null \
  && ok || bad "sweep --point differs from simulate"
grep -q 'solver rtol 1e-05' "$tmp/swp/sweep_summary.txt" && ok || bad "sweep names its tolerance"
"$pksim" sweep "$src/params/patient2.ini" --point --doses 400 --schedules bid --days 60 --rtol 3e-7 \
  --out "$tmp/swp7" --quiet 2>/dev/null || bad "sweep --point --rtol"
"$pksim" simulate "$src/params/patient2.ini" --dose 400 --schedule bid --days 60 --out "$tmp/simp7" --quiet
diff <(awk -F, 'NR > 1 {print $2, $4, $7, $10}' "$tmp/swp7/sweep_trajectories.csv") \
     <(awk -F, 'NR > 1 {print $1, $3, $4, $5}' "$tmp/simp7/simulation.csv") >/dev/null \
  && ok || bad "sweep --point --rtol 3e-7 differs from simulate at its default"
cmp -s "$tmp/swp/sweep_trajectories.csv" "$tmp/swp7/sweep_trajectories.csv" \
  && bad "sweep --rtol has no effect" || ok
{ cat "$src/params/patient5.ini"; printf '\n[sweep]\nscenario pause = 0-6: 400 mg bid, 7-13: pause, 14-29: 200 mg qd\n'; } > "$tmp/p5sweep.ini"
for th in 1 2; do
  "$pksim" sweep "$tmp/p5sweep.ini" --doses 400,800 --days 30 --draws 40 --seed 3 --threads "$th" \
    --out "$tmp/sw$th" --quiet 2>/dev/null || bad "sweep --threads $th"
done
for f in sweep.csv sweep_trajectories.csv sweep_summary.txt; do
  cmp -s "$tmp/sw1/$f" "$tmp/sw2/$f" && ok || bad "sweep $f differs between 1 and 2 threads"
done
# beyond one block of 128 draws the trajectories go through histograms:
# still identical for any thread count
for th in 1 2; do
  "$pksim" sweep "$src/params/patient5.ini" --doses 400 --schedules bid --days 10 --draws 300 \
    --seed 5 --threads "$th" --out "$tmp/swh$th" --quiet 2>/dev/null || bad "sweep 300 draws --threads $th"
done
for f in sweep.csv sweep_trajectories.csv sweep_summary.txt; do
  cmp -s "$tmp/swh1/$f" "$tmp/swh2/$f" && ok || bad "sweep (300 draws) $f differs between 1 and 2 threads"
done
grep -q 'histograms of 256 log bins' "$tmp/swh1/sweep_summary.txt" && ok || bad "sweep says how trajectory quantiles are made"
[ "$(wc -l < "$tmp/sw1/sweep.csv")" -eq 6 ] && grep -q ',pause,' "$tmp/sw1/sweep.csv" && ok || bad "sweep scenarios"
grep -q 'draws from the priors' "$tmp/sw1/sweep_summary.txt" && ok || bad "sweep says where draws come from"
"$pksim" sweep "$tmp/fit1/fit.ini" --doses 800 --schedules bid --days 20 --draws 20 --out "$tmp/swfit" --quiet 2>/dev/null \
  && grep -q 'from the posterior' "$tmp/swfit/sweep_summary.txt" && ok || bad "sweep from a fit"
# A damaged posterior.csv beside a fit.ini: refused with the row or line and column.
# First against the fingerprint fit.ini records (SHA-256, rows, columns).
mkdir -p "$tmp/badpost"
cp "$tmp/fit1/fit.ini" "$tmp/badpost/fit.ini"
post=$tmp/badpost/posterior.csv
grep -q '^posterior_sha256 = [0-9a-f]\{64\}$' "$tmp/fit1/fit.ini" && grep -q '^posterior_draws = 100$' "$tmp/fit1/fit.ini" \
  && ok || bad "fit.ini records the posterior's fingerprint"
cp "$tmp/fit2/posterior.csv" "$post" # another fit's (same patient, other seed)
cmp -s "$tmp/fit1/posterior.csv" "$tmp/fit2/posterior.csv" && cp "$src/results/patient5/posterior.csv" "$post"
expect_fail "posterior.csv: is not the posterior .*fit.ini recorded \(SHA-256 differs\)" sweep "$tmp/badpost/fit.ini" --draws 2 --days 5
head -n 60 "$tmp/fit1/posterior.csv" > "$post" # cut at a line
expect_fail "posterior.csv: is not the posterior" sweep "$tmp/badpost/fit.ini" --draws 2 --days 5
head -c -3 "$tmp/fit1/posterior.csv" > "$post" # cut in the middle of a value
expect_fail "posterior.csv:101: the file ends in the middle of a line" sweep "$tmp/badpost/fit.ini" --draws 2 --days 5
cp "$tmp/fit1/posterior.csv" "$post"
expect_fail "posterior.csv: has 100 draws, fewer than the 150 asked for: give --draws 100, or --resample" \
  sweep "$tmp/badpost/fit.ini" --draws 150 --days 5
"$pksim" sweep "$tmp/badpost/fit.ini" --draws 150 --days 5 --doses 400 --schedules bid --resample \
  --out "$tmp/resampled" --quiet 2>/dev/null && ok || bad "--resample reuses posterior rows"
# Then an older fit.ini without the fingerprint: the content checks.
grep -v '^posterior_\(sha256\|draws\|params\) = ' "$tmp/fit1/fit.ini" > "$tmp/badpost/fit.ini"
hdr=$(head -1 "$tmp/fit1/posterior.csv")
{ echo "$hdr"; sed -n 2p "$tmp/fit1/posterior.csv" | sed 's/^\([^,]*\),[^,]*/\1,nan/'; } > "$post"
expect_fail "posterior.csv:2: column 2 \\([A-Za-z_0-9]*\\) is not a finite number" sweep "$tmp/badpost/fit.ini" --draws 1 --days 5
{ echo "$hdr"; sed -n 2p "$tmp/fit1/posterior.csv" | sed 's/$/,7/'; } > "$post"
expect_fail "posterior.csv:2: more fields than the" sweep "$tmp/badpost/fit.ini" --draws 1 --days 5
{ echo "$hdr"; sed -n 2p "$tmp/fit1/posterior.csv" | sed 's/,[^,]*$//'; } > "$post"
expect_fail "posterior.csv:2: [0-9]+ fields, fewer than the [0-9]+ columns" sweep "$tmp/badpost/fit.ini" --draws 1 --days 5
{ echo "$hdr,bogus"; sed -n 2p "$tmp/fit1/posterior.csv" | sed 's/$/,7/'; } > "$post"
expect_fail "posterior.csv: column bogus is not a parameter" sweep "$tmp/badpost/fit.ini" --draws 1 --days 5
cut -d, -f1,3- "$tmp/fit1/posterior.csv" > "$post" # an estimated parameter's column deleted
expect_fail "posterior.csv: has no column for [A-Za-z_0-9]*, which .*estimated" sweep "$tmp/badpost/fit.ini" --draws 1 --days 5
{ echo "$hdr"; sed -n 2p "$tmp/fit1/posterior.csv" | sed 's/^\([^,]*\),[^,]*/\1,-3/'; } > "$post"
expect_fail "posterior.csv: row 1: [A-Za-z_0-9]*: -3 is outside" sweep "$tmp/badpost/fit.ini" --draws 1 --days 5
expect_fail "--doses 900 qd: 900 mg/day is outside 200-800" sweep "$src/params/patient2.ini" --doses 900
expect_fail "--schedules: 'tid' is not qd or bid" sweep "$src/params/patient2.ini" --schedules tid
expect_fail "--schedules: 'dq' is not qd or bid" sweep "$src/params/patient2.ini" --schedules dq,bid
expect_fail "--schedules: bid is given twice" sweep "$src/params/patient2.ini" --schedules bid,bid
expect_fail "--doses: 400 mg/day is given twice" sweep "$src/params/patient2.ini" --doses 400,400
expect_fail "--rank: 'speed' is not a read-out" sweep "$src/params/patient5.ini" --rank speed --draws 2 --days 5
# Ranking: no response is a failure, never first; directions are the read-outs' own.
"$pksim" sweep "$src/results/patient2/fit.ini" --point --days 30 --doses 0,800 --schedules qd \
  --out "$tmp/rank0" --quiet 2>/dev/null && [ "$(sed -n 2p "$tmp/rank0/sweep.csv" | cut -d, -f2)" = "800 mg/day qd" ] \
  && ok || bad "0 mg/day ranked above a responding scenario: $(sed -n 2p "$tmp/rank0/sweep.csv" | cut -d, -f1-4)"
grep -q 'ranked by p_success, highest first' "$tmp/rank0/sweep_summary.txt" && grep -q 'grade4_days <= 14' \
  "$tmp/rank0/sweep_summary.txt" && ok || bad "summary states the objective and constraint"
"$pksim" sweep "$src/params/patient2.ini" --draws 30 --days 60 --doses 200,800 --schedules bid --rank hr_day \
  --out "$tmp/rankhr" --quiet 2>/dev/null \
  && awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="hr_day_p50") c=i} NR>1{v[NR]=$c} END{exit !(v[2] <= v[3])}' \
       "$tmp/rankhr/sweep.csv" && ok || bad "--rank hr_day: the fastest response first"
"$pksim" sweep "$src/params/patient2.ini" --draws 30 --days 60 --doses 200,800 --schedules bid --rank hr_day:desc \
  --out "$tmp/rankhr2" --quiet 2>/dev/null \
  && awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="hr_day_p50") c=i} NR>1{v[NR]=$c} END{exit !(v[2] >= v[3])}' \
       "$tmp/rankhr2/sweep.csv" && ok || bad "--rank hr_day:desc"
# options are checked before any simulation: this sweep would take hours
msg=$(timeout 10 "$pksim" sweep "$src/params/patient2.ini" --draws 1000000 --days 3650 --rank hr_dya 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "'hr_dya' is not a read-out" <<<"$msg" && ok || bad "bad --rank before the work: rc $rc, $msg"
expect_fail "--rank: 'sideways': the direction is asc or desc" sweep "$src/params/patient2.ini" --rank hr_day:sideways
expect_fail "--rank: wbc_nadir_day is neither better high nor low" sweep "$src/params/patient2.ini" --rank wbc_nadir_day
# Short horizons: the day 14-15 exposure read-outs are NA, and the summary says why.
"$pksim" sweep "$src/params/patient2.ini" --point --days 10 --doses 400 --schedules bid --out "$tmp/shorth" --quiet 2>/dev/null \
  && awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="cmin_mg_per_L_p50") c=i} NR==2{exit !($c=="NA")}' "$tmp/shorth/sweep.csv" \
  && grep -q 'exposure read-outs need a horizon past day 15: NA' "$tmp/shorth/sweep_summary.txt" && ok || bad "short horizon NA"
# Outputs where asked: beside the fit.ini; a folder of something else is never replaced.
cp -r "$tmp/fit1" "$tmp/fitsw"
"$pksim" sweep "$tmp/fitsw/fit.ini" --draws 20 --days 10 --doses 400 --schedules bid --quiet 2>/dev/null \
  && [ -s "$tmp/fitsw/sweep/sweep.csv" ] && [ -s "$tmp/fitsw/sweep/sweep_draws.csv" ] && [ -s "$tmp/fitsw/sweep/sweep_events.csv" ] \
  && ok || bad "sweep of a fit.ini writes beside it"
[ "$(wc -l < "$tmp/fitsw/sweep/sweep_draws.csv")" -eq $((1 + 20 * 22)) ] && ok || bad "sweep_draws.csv rows"
# run.json: what produced the directory, with the inputs' SHA-256
sha=$(sha256sum "$tmp/fitsw/fit.ini" | cut -d' ' -f1)
grep -q '"command": "sweep"' "$tmp/fitsw/sweep/run.json" && grep -q "\"$tmp/fitsw/fit.ini\": \"$sha\"" "$tmp/fitsw/sweep/run.json" \
  && grep -q '"utc_time": "20[0-9-]*T[0-9:]*Z"' "$tmp/fitsw/sweep/run.json" && ok || bad "sweep run.json"
grep -q '^which assumptions drive the answer' "$tmp/fitsw/sweep/sweep_summary.txt" \
  && awk -F, 'NR>1 && ($5 < -1 || $5 > 1) && $5 != "NA" {exit 1}' "$tmp/fitsw/sweep/sweep_sensitivity.csv" \
  && [ "$(wc -l < "$tmp/fitsw/sweep/sweep_sensitivity.csv")" -gt 100 ] && ok || bad "sweep sensitivity (PRCC)"
mkdir -p "$tmp/mine" && echo keep > "$tmp/mine/notes.txt"
msg=$("$pksim" sweep "$src/params/patient2.ini" --point --days 5 --out "$tmp/mine" 2>&1 >/dev/null); rc=$?
[ $rc -ne 0 ] && grep -q "holds files of something else" <<<"$msg" && [ "$(cat "$tmp/mine/notes.txt")" = keep ] \
  && ok || bad "sweep into a foreign folder: rc $rc, $msg"
"$pksim" sweep "$src/params/patient2.ini" --point --days 5 --doses 400 --schedules qd --out "$tmp/shorth" --quiet 2>/dev/null \
  && [ "$(wc -l < "$tmp/shorth/sweep.csv")" -eq 2 ] && ! ls -A "$tmp" | grep -q '^\.shorth\.tmp' && ok || bad "a sweep folder is replaced whole"
# Any model sweeps: oral1cpt's exposure read-outs, ranked by time in the target range, with figures.
"$pksim" sweep "$src/tests/data/theoph/theoph_01_mg.ini" --draws 40 --days 10 --doses 400,1600 --schedules bid \
  --out "$tmp/swo" --quiet --plot >/dev/null 2>&1 && head -1 "$tmp/swo/sweep.csv" | grep -q '^rank,scenario,frac_in_10_20_mg_per_L_p50,' \
  && [ "$(sed -n 2p "$tmp/swo/sweep.csv" | cut -d, -f2)" = "1600 mg/day bid" ] && [ -s "$tmp/swo/sweep_readouts.png" ] \
  && grep -q 'conc_mg_per_L_p50' "$tmp/swo/sweep_trajectories.csv" && ok || bad "oral1cpt sweep"
# Any model plots: oral1cpt's fit and simulation figures (dose and concentration panels).
"$pksim" fit "$src/tests/data/theoph/theoph_01_mg.ini" --starts 2 --proposals 200 --draws 50 --out "$tmp/thfit" \
  --quiet --plot >/dev/null 2>&1 && [ "$(png_size "$tmp/thfit/fit.png")" = 1200x900 ] && ok || bad "oral1cpt fit --plot"
"$pksim" simulate "$src/tests/data/theoph/theoph_01_mg.ini" --days 2 --out "$tmp/thsim" --quiet --plot >/dev/null 2>&1 \
  && [ -s "$tmp/thsim/simulation.png" ] && "$pksim" plot "$tmp/thsim" --format dumb | grep -q 'Plasma concentration' \
  && ok || bad "oral1cpt simulate --plot"
# its panels are the model's: the target range's lines, labelled; the
# simulation shows the file's observations (11 concentrations)
grep -q "'target range, low 10 mg/L'" "$tmp/thsim/simulation.gp" && grep -q "'high 20 mg/L'" "$tmp/thsim/simulation.gp" \
  && [ "$(sed -n '/^\$o0_eq << EOD/,/^EOD/p' "$tmp/thsim/simulation.gp" | grep -c ,)" -eq 11 ] \
  && grep -q "title 'observed'" "$tmp/thsim/simulation.gp" && grep -q "title 'prior medians'" "$tmp/thsim/simulation.gp" \
  && ok || bad "oral1cpt simulation figure: reference lines, observations, labels"
grep -q "'target range, low 10 mg/L'" "$tmp/thfit/fit.gp" && grep -q "title 'observed, fitted'" "$tmp/thfit/fit.gp" \
  && grep -q "title 'MAP'" "$tmp/thfit/fit.gp" && grep -q "'90% band, all uncertain parameters'" "$tmp/thfit/fit.gp" \
  && ok || bad "oral1cpt fit figure: reference lines, labels"
# The model references in docs/ are the code's own tables: regenerate with
#   build/pksim models --describe NAME > docs/models/NAME.md
for mdl in sorafenib_flt3 oral1cpt; do
  cmp -s <("$pksim" models --describe "$mdl") "$src/docs/models/$mdl.md" && ok || bad "docs/models/$mdl.md differs from 'pksim models --describe $mdl'"
done
msg=$("$pksim" models --describe nope 2>&1); [ $? -eq 2 ] && grep -q "unknown model 'nope'" <<<"$msg" && ok || bad "models --describe nope: $msg"
msg=$("$pksim" models extra --junk 2>&1); [ $? -eq 2 ] && grep -q "models takes nothing" <<<"$msg" && ok || bad "models extra --junk: $msg"
# Per-command help: help COMMAND, COMMAND --help and COMMAND -h agree and name only that command.
for c in simulate fit sweep plot models; do
  h1=$("$pksim" help "$c"); r1=$?; h2=$("$pksim" "$c" --help); r2=$?; h3=$("$pksim" "$c" -h); r3=$?
  [ $r1 -eq 0 ] && [ $r2 -eq 0 ] && [ $r3 -eq 0 ] && [ "$h1" = "$h2" ] && [ "$h2" = "$h3" ] \
    && grep -q "^usage: pksim $c " <<<"$h1" && grep -q '^exit status: 0 done' <<<"$h1" \
    && [ "$(grep -cE '^  (simulate|fit|sweep|plot|models) ' <<<"$h1")" -eq 1 ] && ok || bad "help for $c"
done
msg=$("$pksim" help nope 2>&1); [ $? -eq 2 ] && grep -q "help: unknown command 'nope'" <<<"$msg" && ok || bad "help nope"
# Exit status 4: the solver (here the PK propagator) cannot run these parameters (an
# elimination half-life of 0.02 s: the tail after the last dose wants a grid over the
# 64 MB limit); nothing written.
{ cat "$src/params/patient2.ini"; printf '\n[parameters]\nCL_L_per_h = 10000\nV_L = 0.01\n'; } > "$tmp/fast.ini"
msg=$("$pksim" simulate "$tmp/fast.ini" --days 230 --out "$tmp/fastout" 2>&1); rc=$?
[ $rc -eq 4 ] && grep -q 'PK propagator' <<<"$msg" && [ ! -e "$tmp/fastout/simulation.csv" ] && ok || bad "exit 4: rc $rc, $msg"
# The fastest absorption allowed (MAT 3.6 s) simulates: its table stays small.
{ cat "$src/params/patient2.ini"; printf '\n[parameters]\nMAT_h = 0.001\n'; } > "$tmp/fastabs.ini"
"$pksim" simulate "$tmp/fastabs.ini" --out "$tmp/fastabs" --quiet >/dev/null 2>&1 && [ -s "$tmp/fastabs/simulation.csv" ] && ok || bad "MAT_h = 0.001 does not simulate"
# A model in one file (models/pk2cpt_emax.c, found by CMake): simulate, fit, sweep and plot
# work on its example patient; the fit's 95% intervals cover the values the data were simulated at.
ex=$src/params/example_pk2cpt_emax.ini
"$pksim" simulate "$ex" --days 7 --out "$tmp/pk2sim" --quiet --plot >/dev/null 2>&1 \
  && head -1 "$tmp/pk2sim/simulation.csv" | grep -q '^day,dose_mg_per_day,conc_mg_per_L,biomarker,' \
  && [ -s "$tmp/pk2sim/simulation.png" ] && ok || bad "pk2cpt_emax simulate"
"$pksim" fit "$ex" --starts 4 --proposals 1000 --draws 200 --out "$tmp/pk2fit" --quiet --plot >/dev/null 2>&1 \
  && [ -s "$tmp/pk2fit/fit.png" ] && awk 'BEGIN{t["CL_L_per_h"]=4; t["V1_L"]=25; t["E0"]=120; t["IC50_mg_per_L"]=1.5}
      ($1 in t) && $(NF-3) == "-" {n++; if (t[$1] < $(NF-4) || t[$1] > $(NF-2)) bad=1}
      END{exit !(n == 4 && !bad)}' "$tmp/pk2fit/fit_summary.txt" && ok || bad "pk2cpt_emax fit covers the truth"
"$pksim" sweep "$tmp/pk2fit/fit.ini" --doses 100,200,400 --days 10 --draws 100 --quiet --plot >/dev/null 2>&1 \
  && head -1 "$tmp/pk2fit/sweep/sweep.csv" | grep -q '^rank,scenario,frac_biomarker_below_half_p50' \
  && [ -s "$tmp/pk2fit/sweep/sweep_trajectories.png" ] && ok || bad "pk2cpt_emax sweep"
"$pksim" plot "$tmp/pk2fit" --format dumb | grep -q biomarker && ok || bad "pk2cpt_emax plot"
cmp -s <("$pksim" models --describe pk2cpt_emax) "$src/docs/models/pk2cpt_emax.md" && ok || bad "docs/models/pk2cpt_emax.md"
# iv1cpt (models/iv1cpt.c): its reference, a simulation from a patient file, and a missing
# body weight refused (CL and V are per kg): exit 2, one line, nothing written.
cmp -s <("$pksim" models --describe iv1cpt) "$src/docs/models/iv1cpt.md" && ok || bad "docs/models/iv1cpt.md"
"$pksim" simulate "$src/tests/data/iv1cpt_two_boluses.ini" --days 2 --out "$tmp/ivsim" --quiet \
  && head -1 "$tmp/ivsim/simulation.csv" | grep -q '^day,dose_mg_per_day,conc_mg_per_L,Ac,Ael' && ok || bad "iv1cpt simulate"
grep -v '^weight_kg' "$src/tests/data/iv1cpt_two_boluses.ini" > "$tmp/ivnw.ini"
msg=$("$pksim" simulate "$tmp/ivnw.ini" --out "$tmp/ivnw" 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q 'iv1cpt needs the body weight.*weight_kg' <<<"$msg" && [ ! -e "$tmp/ivnw" ] \
  && ok || bad "iv1cpt without weight: rc $rc, $msg"
# A forecast: the file's dosing up to --from-day; before it, the very same trajectory.
"$pksim" simulate "$src/params/patient2.ini" --days 120 --out "$tmp/fc0" --quiet
"$pksim" simulate "$src/params/patient2.ini" --days 120 --from-day 60 --dose 800 --schedule qd --out "$tmp/fc1" --quiet
cmp -s <(head -n 61 "$tmp/fc0/simulation.csv") <(head -n 61 "$tmp/fc1/simulation.csv") && ok || bad "--from-day 60: days 0-59 changed"
! cmp -s <(sed -n 63p "$tmp/fc0/simulation.csv") <(sed -n 63p "$tmp/fc1/simulation.csv") && \
  awk -F, 'NR==62{exit !($2==800)}' "$tmp/fc1/simulation.csv" && ok || bad "--from-day 60: the new dose applies from day 60"
"$pksim" sweep "$src/results/patient2/fit.ini" --from-day 60 --days 120 --point --doses 800 --schedules qd --out "$tmp/fcs" \
  --quiet 2>/dev/null && grep -q 'Forecast: the file.s dosing up to day 60' "$tmp/fcs/sweep_summary.txt" \
  && awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="cum_dose_mg_p50") c=i} NR==2{exit !($c==60*800)}' "$tmp/fcs/sweep.csv" \
  && ok || bad "sweep --from-day counts read-outs from day 60"
expect_fail "--from-day goes with --dose" simulate "$src/params/patient2.ini" --from-day 10
printf '[patient]\nid = x\nmodel = sorafenib_flt3\n[observations]\n0 wbc = 10\n[sweep]\nscenario hi = 0-9: 450 mg bid\n' > "$tmp/badsc.ini"
expect_fail "badsc.ini:7: scenario hi: 900 mg/day is outside 200-800" sweep "$tmp/badsc.ini"
printf '[patient]\nid = x\nmodel = sorafenib_flt3\n[observations]\n0 wbc = 10\n[sweep]\nscenario hi = 0-9 400 mg bid\n' > "$tmp/badsc2.ini"
expect_fail "badsc2.ini:7: scenario hi: '0-9 400 mg bid': expected DAYS: DOSE" sweep "$tmp/badsc2.ini"
printf '[patient]\nid = x\nmodel = sorafenib_flt3\n[observations]\n0 wbc = 10\n[sweep]\nhi = 0-9: 400 mg bid\n' > "$tmp/badsc3.ini"
expect_fail "badsc3.ini:7: hi: expected 'scenario NAME = DAYS: DOSE, ...' in \[sweep\]" sweep "$tmp/badsc3.ini"

# rules: a rule that pauses on day 3 (the first count day) must match the
# fixed scenario with that pause; a rule that never fires matches 800 bid;
# both within 1e-4 (the rule run restarts the solver on count days; at
# rtol 3e-7, the engine's default).
printf '[rules]\nstart = 400 mg bid\nrule never = wbc < 0 -> reduce 200\n' > "$tmp/never.ini"
printf '[rules]\nstart = 400 mg bid\nrule always = wbc < 1000 -> pause\n' > "$tmp/always.ini"
{ cat "$src/params/patient2.ini"; printf '\n[sweep]\nscenario stop3 = 0-2: 400 mg bid\n'; } > "$tmp/p2stop.ini"
close() { # file scenario-a scenario-b: max relative difference of conc, wbc, blasts
  awk -F, -v a="$2" -v b="$3" 'NR > 1 && $1 == a {for (k = 4; k <= 10; k += 3) va[$2, k] = $k}
    NR > 1 && $1 == b {for (k = 4; k <= 10; k += 3) vb[$2, k] = $k}
    END {m = 0; for (i in va) if (vb[i] != 0) {d = (va[i] - vb[i]) / vb[i]; if (d < 0) d = -d; if (d > m) m = d}
         print m}' "$1"; }
"$pksim" sweep "$tmp/p2stop.ini" --point --rules "$tmp/always.ini" --doses 800 --schedules bid --days 40 \
  --rtol 3e-7 --out "$tmp/rl1" --quiet 2>/dev/null || bad "sweep --rules always"
d=$(close "$tmp/rl1/sweep_trajectories.csv" "rules always (start 800 mg/day bid)" stop3)
awk -v d="$d" 'BEGIN {exit !(d < 1e-4)}' && ok || bad "rule pause vs fixed pause: $d"
grep -q 'rules always (start 800 mg/day bid),1,3,0' "$tmp/rl1/sweep_doses.csv" && ok || bad "sweep_doses.csv"
"$pksim" sweep "$src/params/patient2.ini" --point --rules "$tmp/never.ini" --doses 800 --schedules bid --days 40 \
  --rtol 3e-7 --out "$tmp/rl2" --quiet 2>/dev/null || bad "sweep --rules never"
d=$(close "$tmp/rl2/sweep_trajectories.csv" "rules never (start 800 mg/day bid)" "800 mg/day bid")
awk -v d="$d" 'BEGIN {exit !(d < 1e-4)}' && ok || bad "rule never vs fixed: $d"
"$pksim" sweep "$src/params/patient5.ini" --rules "$src/params/rules_clinical.ini" --noisy-counts --days 30 \
  --draws 20 --doses 800 --schedules bid --out "$tmp/rl3" --quiet 2>/dev/null && ok || bad "clinical rules, noisy counts"
printf '[rules]\nstart = 400 mg bid\nrule a = wbc < 1 -> halve\n' > "$tmp/badrule.ini"
expect_fail "badrule.ini:3: rule a: action 'halve'" sweep "$src/params/patient5.ini" --rules "$tmp/badrule.ini"
expect_fail "--noisy-counts goes with --rules" sweep "$src/params/patient5.ini" --noisy-counts

# plot of a sweep: two PNGs; dumb shows the panel titles.
"$pksim" plot "$tmp/sw1" >/dev/null && [ "$(png_size "$tmp/sw1/sweep_readouts.png")" = 1200x900 ] \
  && [ "$(png_size "$tmp/sw1/sweep_trajectories.png")" = 1200x900 ] && ok || bad "plot sweep"
dumb=$("$pksim" plot "$tmp/sw1" --format dumb)
grep -q 'relapse_free_days' <<<"$dumb" && grep -q 'wbc (draw median)' <<<"$dumb" && grep -q 'failure_free' <<<"$dumb" && ok || bad "dumb sweep plot"
# each figure's script beside it, naming the CSVs by their names: it draws
# the same figure again by hand, in its directory
grep -q "^plot 'sweep.csv' using" "$tmp/sw1/sweep_readouts.gp" && grep -q "'sweep_trajectories.csv' every ::0::" "$tmp/sw1/sweep_trajectories.gp" \
  && grep -q "^set output 'sweep_readouts.png'" "$tmp/sw1/sweep_readouts.gp" && ok || bad "sweep figures' scripts"
rm -f "$tmp/sw1/sweep_readouts.png" && (cd "$tmp/sw1" && gnuplot sweep_readouts.gp 2>/dev/null) \
  && [ "$(png_size "$tmp/sw1/sweep_readouts.png")" = 1200x900 ] && ok || bad "sweep_readouts.gp by hand"

# faults: a write that fails like a full disk (PKSIM_FAIL_WRITE=N fails the
# N-th file), a path that cannot be created, SIGTERM and SIGINT during long
# runs: a one-line message, the exit status, previous outputs untouched and
# no temporary file left.
mkdir -p "$tmp/prev" && echo previous > "$tmp/prev/simulation.csv"
msg=$(PKSIM_FAIL_WRITE=1 "$pksim" simulate "$src/params/patient2.ini" --out "$tmp/prev" --quiet 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q 'simulation.csv: cannot write: No space left on device' <<<"$msg" \
  && [ "$(cat "$tmp/prev/simulation.csv")" = previous ] && [ "$(ls -A "$tmp/prev")" = simulation.csv ] \
  && ok || bad "injected write fault: rc $rc, $msg"
cp -r "$tmp/fit1" "$tmp/fitprev"
before=$(cat "$tmp/fitprev"/* | md5sum)
PKSIM_FAIL_WRITE=3 "$pksim" fit "$src/params/patient5.ini" --starts 2 --proposals 50 --draws 10 \
  --seed 9 --out "$tmp/fitprev" --quiet 2>/dev/null; rc=$?
[ $rc -eq 2 ] && [ "$(cat "$tmp/fitprev"/* | md5sum)" = "$before" ] \
  && [ -z "$(ls -A "$tmp/fitprev" | grep tmp)" ] && ok || bad "fit with a failing third file: rc $rc"
msg=$("$pksim" simulate "$src/params/patient2.ini" --out /proc/pksim_cannot --quiet 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q '^pksim: /proc/pksim_cannot: cannot create directory' <<<"$msg" && ok || bad "unwritable path: $msg"
for sig in TERM INT; do
  mkdir -p "$tmp/sig$sig" && echo previous > "$tmp/sig$sig/fit.ini"
  "$pksim" fit "$src/params/patient2.ini" --proposals 100000 --out "$tmp/sig$sig" --quiet 2>"$tmp/sig$sig.err" &
  pid=$!
  sleep 1.5
  kill -s "$sig" "$pid"
  start=$(date +%s)
  wait "$pid"; rc=$?
  took=$(( $(date +%s) - start ))
  want=$([ "$sig" = TERM ] && echo 143 || echo 130)
  [ "$rc" -eq "$want" ] && [ "$took" -le 5 ] && [ "$(cat "$tmp/sig$sig/fit.ini")" = previous ] \
    && [ "$(ls -A "$tmp/sig$sig")" = fit.ini ] && grep -q 'interrupted' "$tmp/sig$sig.err" \
    && ok || bad "SIG$sig during fit: rc $rc (want $want), ${took}s, $(cat "$tmp/sig$sig.err")"
done

mkdir -p "$tmp/sigsw" && echo previous > "$tmp/sigsw/sweep.csv"
"$pksim" sweep "$src/params/patient2.ini" --draws 5000 --out "$tmp/sigsw" --quiet 2>/dev/null &
pid=$!; sleep 1; kill -s TERM "$pid"; wait "$pid"; rc=$?
[ $rc -eq 143 ] && [ "$(cat "$tmp/sigsw/sweep.csv")" = previous ] && [ "$(ls -A "$tmp/sigsw")" = sweep.csv ] \
  && ok || bad "SIGTERM during sweep: rc $rc"

# The README's full INI example is a valid file.
awk '/^```ini/{f=1;next} /^```/{f=0} f' "$src/README.md" > "$tmp/readme.ini"
"$pksim" simulate "$tmp/readme.ini" --out "$tmp/readme" --quiet && ok || bad "README example"

# Messages that misled (issue "Reliability, round two", item 6).
# A value given to an option that takes none names the option, not '-q'.
expect_fail "^pksim: --quiet takes no value \(got '--quiet=1'\)$" simulate "$src/params/patient2.ini" --quiet=1
expect_fail "^pksim: --plot takes no value \(got '--plot=1'\)$" fit "$src/params/patient2.ini" --plot=1
expect_fail "^pksim: unknown option '--junk'$" simulate "$src/params/patient2.ini" --junk
# Accepted silently before, refused now.
msg=$("$pksim" models extra 2>&1); [ $? -eq 2 ] && grep -q "^pksim: models takes nothing, or --describe NAME (got 'extra')" <<<"$msg" && ok || bad "models extra: $msg"
expect_fail "^pksim: --draws: '0' is not a whole number in 1-1000000$" fit "$src/params/patient2.ini" --draws 0
expect_fail "^pksim: --proposals 1 is fewer than --draws 1000: the draws would repeat the proposals \(effective sample size at most 1\); give at least as many proposals as draws$" \
  fit "$src/params/patient2.ini" --proposals 1
expect_fail "^pksim: --max-grade4-days: -3 must be >= 0$" sweep "$src/params/patient2.ini" --max-grade4-days -3
expect_fail "^pksim: --dose: '0x190' is not a number$" simulate "$src/params/patient2.ini" --dose 0x190 --days 5
sed 's/^0-220 = 400 mg bid$/0-220 = 0x190 mg bid/' "$src/params/patient2.ini" > "$tmp/hex.ini"
expect_fail "^pksim: $tmp/hex.ini:15: 0-220: '0x190 mg bid': write doses in decimal mg \(e.g. '400 mg bid'\)$" \
  simulate "$tmp/hex.ini"
sed 's/^0-220 = 400 mg bid$/0-220 = 400.0000001 mg bid/' "$src/params/patient2.ini" > "$tmp/hair.ini"
expect_fail "^pksim: $tmp/hair.ini:15: 0-220: 800.0000002 mg/day is outside 200-800$" simulate "$tmp/hair.ini"
printf '\n[parameters]\nf_R0 = 1\n' | cat "$src/params/patient2.ini" - > "$tmp/fr0.ini"
expect_fail "^pksim: $tmp/fr0.ini:[0-9]+: f_R0: 1 is outside 1e-20-0.5$" simulate "$tmp/fr0.ini"
# A gap between regimens is simulated as the pause it is, with a warning
# naming its days; written as a pause, or in a file refused, no warning.
gap_head='[patient]\nid = gap\nmodel = sorafenib_flt3\nweight_kg = 70\n[observations]\n0 wbc = 10\n0 blast_pb_pct = 50\n[dosing]\n'
printf "$gap_head"'0-20 = 400 mg bid\n28-40 = 400 mg bid\n29 = 200 mg qd\n' > "$tmp/gap_bad.ini"
expect_fail "^pksim: $tmp/gap_bad.ini:11: 29-29: overlaps or precedes the regimen ending on day 40 \(list them in order of days\)$" \
  simulate "$tmp/gap_bad.ini"
msg=$("$pksim" simulate "$tmp/gap_bad.ini" --out "$tmp/gap_bad" --quiet 2>&1 >/dev/null)
[ "$(wc -l <<<"$msg")" -eq 1 ] && ok || bad "a refused file with a gap: more than one line: $msg"
printf "$gap_head"'0-20 = 400 mg bid\n28-40 = 400 mg bid\n41 = 400 mg qd\n43-50 = 200 mg qd\n[sweep]\nscenario wk = 0-13: 400 mg bid, 15-30: 400 mg qd\n' > "$tmp/gap.ini"
msg=$("$pksim" simulate "$tmp/gap.ini" --out "$tmp/gap" --quiet 2>&1 >/dev/null); rc=$?
want="pksim: warning: $tmp/gap.ini:10: 28-40: no dose on days 21-27 (a pause; write '21-27 = pause' if it is meant)
pksim: warning: $tmp/gap.ini:12: 43-50: no dose on day 42 (a pause; write '42 = pause' if it is meant)
pksim: warning: $tmp/gap.ini:14: scenario wk: no dose on day 14 (a pause; write '14: pause' if it is meant)"
[ $rc -eq 0 ] && [ "$msg" = "$want" ] && [ -s "$tmp/gap/simulation.csv" ] \
  && awk -F, '$1 >= 21 && $1 <= 27 && $2 != 0 {exit 1}' "$tmp/gap/simulation.csv" \
  && ok || bad "gap warning: rc $rc, '$msg'"
printf "$gap_head"'0-20 = 400 mg bid\n21-27 = pause\n28-40 = 400 mg bid\n' > "$tmp/nogap.ini"
msg=$("$pksim" simulate "$tmp/nogap.ini" --out "$tmp/nogap" --quiet 2>&1 >/dev/null); rc=$?
[ $rc -eq 0 ] && [ -z "$msg" ] && ok || bad "a written pause warned: rc $rc, '$msg'"

# Maximum likelihood with as many residuals as estimates: refused up front
expect_fail "^pksim: $src/params/patient2.ini: --no-priors: 5 fitted residuals for 5 estimates leave maximum likelihood no degree of freedom" \
  fit "$src/params/patient2.ini" --no-priors

# popfit: its usage errors, each exit 2 with nothing written
th=$src/tests/data/theoph
expect_fail "popfit needs patient files \(at least 2\) or one DATA.csv" popfit
expect_fail "population fit needs at least 2 subjects, got 1" popfit "$th/theoph_01_mg.ini"
expect_fail "--estimate: oral1cpt has no parameter 'nope'" popfit "$th/theoph_01_mg.ini" "$th/theoph_02_mg.ini" --estimate ka_per_h,nope
expect_fail "--estimate: ka_per_h is listed twice" popfit "$th/theoph_01_mg.ini" "$th/theoph_02_mg.ini" --estimate ka_per_h,ka_per_h
expect_fail "--omega: 'V_L=-1' is NAME=SD with SD >= 0" popfit "$th/theoph_01_mg.ini" "$th/theoph_02_mg.ini" --omega V_L=-1
expect_fail "--omega: tlag_h is not an estimated parameter" popfit "$th/theoph_01_mg.ini" "$th/theoph_02_mg.ini" --omega tlag_h=0.1
expect_fail "tlag_h is fixed" popfit "$th/theoph_01_mg.ini" "$th/theoph_02_mg.ini" --estimate tlag_h
expect_fail "model sorafenib_flt3 differs" popfit "$th/theoph_01_mg.ini" "$src/params/patient2.ini"
expect_fail "every listed parameter has its random effect fixed at 0" popfit "$th/theoph_01_mg.ini" "$th/theoph_02_mg.ini" --estimate V_L --omega V_L=0
# Data sets: import (one patient file per ID) and export (back to NONMEM
# style).  tests/data/import/roundtrip.csv has CRLF line ends, quoted
# fields with commas and quotes, II/ADDL, CENS with and without LIMIT,
# missing values ('.' and empty), EVID 2 and MDV 1 rows, WT.
imp=$src/tests/data/import
"$pksim" import "$imp/roundtrip.csv" --model oral1cpt --out "$tmp/imp" --quiet \
  && [ "$(ls "$tmp/imp")" = "$(printf '1.ini\n2.ini')" ] \
  && grep -qx '0.5 = 320 mg once ; row 2, ADDL 1 of 2' "$tmp/imp/1.ini" \
  && grep -qx '0.010416666666666666 conc = 2.84 ; row 4' "$tmp/imp/1.ini" \
  && grep -qx '1.25 conc = < 0.1 ; row 6' "$tmp/imp/1.ini" \
  && grep -qx 'weight_kg = 79.6 ; row 2 (WT)' "$tmp/imp/1.ini" \
  && grep -qx '1.0833333333333333 conc = > 12 ; row 12' "$tmp/imp/2.ini" \
  && ok || bad "import roundtrip.csv"
"$pksim" import "$imp/roundtrip.csv" --model oral1cpt --out "$tmp/imp" | tail -n 1 | grep -qx "columns not read: 'SITE, note'" \
  && ok || bad "import names the columns it does not read"
"$pksim" export "$tmp/imp/1.ini" "$tmp/imp/2.ini" --out "$tmp/rt.csv" --quiet || bad "export"
# The round trip: ID, TIME, AMT, DV, EVID and CENS of every dose and
# observation of the input (ADDL written out; '.' and '' missing, 0 for
# AMT, DV and CENS where they do not apply) come back.
rows() { tr -d '\r' < "$1" | awk -F, -v ex="$2" 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
  function v(n) {x = $c[n]; return (x == "." || x == "") ? 0 : x + 0}
  {ev = v("EVID"); if (ev == 2 || (ev == 0 && (v("MDV") == 1 || $c["DV"] == "."))) next
   n = (ex && ev == 1) ? v("ADDL") : 0
   for (k = 0; k <= n; k++) print v("ID"), v("TIME") + k * (ex ? v("II") : 0), v("AMT"), v("DV"), ev, v("CENS")}' | sort -n -k1,1 -k2,2 -k5,5r; }
diff <(rows "$imp/roundtrip.csv" 1) <(rows "$tmp/rt.csv" 0) && [ "$(rows "$tmp/rt.csv" 0 | wc -l)" -eq 11 ] \
  && ok || bad "import -> export round trip differs"
"$pksim" import "$tmp/rt.csv" --model oral1cpt --out "$tmp/imp2" --quiet \
  && for f in 1 2; do diff <(sed 's/ ;.*//; /^;/d' "$tmp/imp/$f.ini") <(sed 's/ ;.*//; /^;/d' "$tmp/imp2/$f.ini") || false; done \
  && ok || bad "export -> import gives other patient files"
# A patient file exported and imported simulates as before, bit for bit;
# so does an II/ADDL data set against the regimen it writes out.
"$pksim" export "$src/params/patient2.ini" --out "$tmp/p2.csv" --quiet \
  && "$pksim" import "$tmp/p2.csv" --model sorafenib_flt3 --out "$tmp/p2imp" --quiet \
  && "$pksim" simulate "$tmp/p2imp/1.ini" --out "$tmp/p2a" --quiet \
  && "$pksim" simulate "$src/params/patient2.ini" --out "$tmp/p2b" --quiet \
  && cmp -s "$tmp/p2a/simulation.csv" "$tmp/p2b/simulation.csv" && ok || bad "patient2 export -> import simulates otherwise"
"$pksim" import "$imp/sorafenib.csv" --model sorafenib_flt3 --out "$tmp/sor" --quiet \
  && "$pksim" simulate "$tmp/sor/5.ini" --out "$tmp/sor/a" --quiet \
  && "$pksim" simulate "$imp/sorafenib_same.ini" --out "$tmp/sor/b" --quiet \
  && cmp -s "$tmp/sor/a/simulation.csv" "$tmp/sor/b/simulation.csv" && ok || bad "II/ADDL data set simulates otherwise"
# --results: PRED, IPRED, RES of every observation are the fit's own
"$pksim" export "$src/params/patient5.ini" --results "$src/results/patient5" --out "$tmp/p5.csv" --quiet \
  && diff <(awk -F, 'NR > 1 {print $4, $8, $9, $10}' "$src/results/patient5/fit_obs.csv") \
          <(awk -F, 'NR > 1 && $5 == 0 {print $4, $14, $15, $16}' "$tmp/p5.csv") >/dev/null \
  && ok || bad "export --results"
# Bad data sets: exit 2, one line FILE:ROW: COLUMN: what is wrong, nothing written.
ds() { local f=$tmp/$1; shift; printf '%s\n' "$@" > "$f"; }
ds time.csv 'ID,TIME,AMT,DV' '1,0,100,.' '1,abc,.,3'
expect_fail "^pksim: $tmp/time.csv:3: TIME: 'abc' is not a number$" import "$tmp/time.csv" --model oral1cpt
ds amt.csv 'ID,TIME,AMT,DV,EVID' '1,0,-5,.,1'
expect_fail "^pksim: $tmp/amt.csv:2: AMT: -5 mg: a dose must be a positive amount$" import "$tmp/amt.csv" --model oral1cpt
ds evid.csv 'ID,TIME,AMT,DV,EVID' '1,0,100,.,1' '1,5,100,.,3'
expect_fail "^pksim: $tmp/evid.csv:3: EVID: EVID 3 resets the subject \(reset\): not supported; start a new ID for the new occasion$" \
  import "$tmp/evid.csv" --model oral1cpt
ds wt.csv 'ID,TIME,AMT,DV,WT' '1,0,100,.,70' '1,1,.,3,.' '1,2,.,2,71.5'
expect_fail "^pksim: $tmp/wt.csv:4: WT: 71.5 kg differs from 70 kg on row 2: pksim takes one weight per subject$" \
  import "$tmp/wt.csv" --model oral1cpt
ds cmt.csv 'ID,TIME,AMT,DV,CMT' '1,0,100,.,1' '1,1,.,3,3'
expect_fail "^pksim: $tmp/cmt.csv:3: CMT: CMT 3 names no observable \(CMT 2 is conc; map others with --obs 3=NAME: model oral1cpt has conc\)$" \
  import "$tmp/cmt.csv" --model oral1cpt
ds limit.csv 'ID,TIME,AMT,DV,OBS' '1,0,.,40,wbc' '1,0,400,.,' '1,12,400,.,' '1,24,400,.,' '1,36,600,.,'
expect_fail "^pksim: $tmp/limit.csv:6: AMT: 1000 mg/day on day 1 is outside 200-800$" import "$tmp/limit.csv" --model sorafenib_flt3
ds tablet.csv 'ID,TIME,AMT,DV,OBS' '1,0,.,40,wbc' '1,0,300,.,'
expect_fail "^pksim: $tmp/tablet.csv:3: AMT: each dose must be a multiple of the 200 mg tablet \(got 300 mg\)$" \
  import "$tmp/tablet.csv" --model sorafenib_flt3
ds dup.csv 'ID,TIME,AMT,DV,Time' '1,0,100,.,0'
expect_fail "^pksim: $tmp/dup.csv:1: Time: column 5 repeats the name of column 2 \(names are case-insensitive\)$" \
  import "$tmp/dup.csv" --model oral1cpt
: > "$tmp/empty.csv"
expect_fail "^pksim: $tmp/empty.csv: is empty: no header row$" import "$tmp/empty.csv" --model oral1cpt
head -c 2000 "$pksim" > "$tmp/junk.csv"
expect_fail "^pksim: $tmp/junk.csv:1: binary data \(byte 0x7f\): not a CSV text file$" import "$tmp/junk.csv" --model oral1cpt
# one bad subject: no subject's file is written
ds second.csv 'ID,TIME,AMT,DV' '1,0,100,.' '1,1,.,3' '2,0,100,.' '2,1,.,-3'
expect_fail "^pksim: $tmp/second.csv:5: DV: -3 mg/L: must not be negative$" import "$tmp/second.csv" --model oral1cpt
expect_fail "^pksim: import needs --model NAME" import "$tmp/second.csv"
# a file import did not write, or the input itself, is never replaced
mkdir -p "$tmp/mine2" && echo mine > "$tmp/mine2/1.ini"
msg=$("$pksim" import "$imp/roundtrip.csv" --model oral1cpt --out "$tmp/mine2" 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$msg" = "pksim: $tmp/mine2/1.ini: exists and was not written by pksim import: move it away or give another --out" ] \
  && [ "$(cat "$tmp/mine2/1.ini")" = mine ] && [ "$(ls -A "$tmp/mine2")" = 1.ini ] && ok || bad "import replaced a user's file: rc $rc, $msg"
"$pksim" import "$imp/roundtrip.csv" --model oral1cpt --out "$tmp/imp" --quiet && ok || bad "import over its own files"
mkdir -p "$tmp/self" && cp "$tmp/time.csv" "$tmp/self/1.ini" && sed -i 's/abc/2/' "$tmp/self/1.ini"
msg=$("$pksim" import "$tmp/self/1.ini" --model oral1cpt --out "$tmp/self" 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$msg" = "pksim: $tmp/self/1.ini: is the input data set: give another --out" ] \
  && grep -q '^ID,TIME' "$tmp/self/1.ini" && ok || bad "import over its input: rc $rc, $msg"
cp "$tmp/imp/1.ini" "$tmp/keep1.ini"
msg=$("$pksim" export "$tmp/imp/1.ini" --out "$tmp/imp/1.ini" 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$msg" = "pksim: $tmp/imp/1.ini: is an input ($tmp/imp/1.ini): give another --out" ] \
  && cmp -s "$tmp/imp/1.ini" "$tmp/keep1.ini" && ok || bad "export over its input: rc $rc, $msg"
msg=$("$pksim" export "$tmp/imp/1.ini" 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "^pksim: export needs --out DATA.csv" <<<"$msg" && ok || bad "export without --out: $msg"
for c in import export; do
  h1=$("$pksim" help "$c"); h2=$("$pksim" "$c" --help)
  [ "$h1" = "$h2" ] && grep -q "^usage: pksim $c " <<<"$h1" && grep -q "^  $c " <<<"$h1" \
    && ! grep -q '^  simulate ' <<<"$h1" && ok || bad "help for $c"
done

# The TDM loop: popfit over the 12 Theoph subjects, then fit --prior of one
# of them gives its own conditional mode back (the same prior, the same
# error), to the 6 digits popfit.ini keeps of the spreads.
"$pksim" popfit "$th"/theoph_*_mg.ini --out "$tmp/popT" --quiet 2>/dev/null \
  && "$pksim" fit --prior "$tmp/popT/popfit.ini" "$th/theoph_05_mg.ini" --starts 2 \
       --proposals 200 --draws 100 --out "$tmp/fit5p" --quiet 2>/dev/null \
  && awk -F, 'NR == FNR && $1 == "theoph_05_mg" {ka = $5; cl = $6; v = $7; next}
              /^ka_per_h =/ {a = $0; sub(/.*= /, "", a)} /^CL_L_per_h =/ {c = $0; sub(/.*= /, "", c)}
              /^V_L =/ {w = $0; sub(/.*= /, "", w)}
              END {d = (a/ka - 1)^2 + (c/cl - 1)^2 + (w/v - 1)^2; exit !(ka > 0 && d < 1e-10)}' \
       "$tmp/popT/popfit_subjects.csv" <(sed -n '/^\[estimate\]/,$p' "$tmp/fit5p/fit.ini") \
  && grep -q '"popfit.ini"\|popT/popfit.ini' "$tmp/fit5p/run.json" \
  && ok || bad "fit --prior popfit.ini: the MAP is not the popfit mode"
printf '[population]\nmodel = sorafenib_flt3\n[parameters]\nka_per_h = 1\n' > "$tmp/otherpop.ini"
expect_fail "otherpop.ini:2: model: the population is of model sorafenib_flt3" fit --prior "$tmp/otherpop.ini" "$th/theoph_05_mg.ini"
printf '[population]\nmodel = oral1cpt\n[omega]\nx = 1\n' > "$tmp/badpop.ini"
expect_fail "badpop.ini:4: x: unknown section \\[omega\\] of a population file" fit --prior "$tmp/badpop.ini" "$th/theoph_05_mg.ini"
printf '[population]\nmodel = oral1cpt\n[correlation]\nka_per_h,ka_per_h = 0.5\n' > "$tmp/corpop.ini"
expect_fail "corpop.ini:4: ka_per_h,ka_per_h: ka_per_h,ka_per_h is not two parameters" fit --prior "$tmp/corpop.ini" "$th/theoph_05_mg.ini"

# popfit --plot: a data set whose ID carries quotes and gnuplot's
# system() (import keeps letters, digits, _ and - of it) into a directory
# whose name carries them too; the figures and their scripts are written
# and no command in either runs; `plot DIR --out` is refused (several
# files).
if command -v gnuplot >/dev/null; then
  evil="$tmp/q'.system('touch MARKER').'\`touch MARKER2\`"
  awk -F, -v OFS=, 'NR > 1 && $1 == 1 {$1 = "\"1'"'"'.system('"'"'touch MARKER'"'"').'"'"'\""} 1' \
    "$src/tests/data/popfit/theoph_nm.csv" > "$tmp/evil_nm.csv"
  grep -q "^\"1'.system" "$tmp/evil_nm.csv" || bad "the hostile data set"
  (cd "$tmp" && "$pksim" popfit "$tmp/evil_nm.csv" --model oral1cpt --estimate ka_per_h,CL_L_per_h,V_L \
     --out "$evil" --plot --quiet >/dev/null 2>&1) \
    && for f in popfit_gof popfit_res popfit_ind_1; do [ -s "$evil/$f.png" ] && [ -s "$evil/$f.gp" ] || false; done \
    && [ -s "$evil/popfit_traj.csv" ] \
    && [ -z "$(find "$tmp" -name 'MARKER*')" ] && ok || bad "popfit --plot into $evil"
  msg=$("$pksim" plot "$evil" --out "$tmp/x.png" 2>&1); rc=$?
  [ $rc -eq 2 ] && grep -q "give no --out" <<<"$msg" && ok || bad "plot POPFIT_DIR --out: $rc $msg"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
