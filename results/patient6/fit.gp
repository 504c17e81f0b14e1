# Written by pksim 0.1.0.  Run gnuplot on this file in its directory to draw the
# figure again from the data files it names.
set terminal pngcairo size 1200,900 enhanced font 'Sans,11' linewidth 1.00
set output 'fit.png'
set encoding utf8
set datafile separator comma
set datafile missing NaN
$o1_eq << EOD
0,8
7,8
EOD
$o2_eq << EOD
0,26
7,1
EOD
$o2_gt << EOD
71,5
EOD
$keyvec << EOD
-9,-9,0.001,0
EOD
set grid
set xrange [0:84.46]
set format y '%g'
set multiplot
set label 1 'patient6 (sorafenib_flt3): MAP fit, bands over the posterior draws' at screen 0.5,0.9849 center noenhanced font ',12'
set label 2 'MAP: Emax_L_per_day = 0.589, f_R0 = 0.00133, delta = 32.1, WBC0 = 9, b0 = 0.271' at screen 0.5,0.9647 center noenhanced
set lmargin at screen 0.0731
set rmargin at screen 0.9858
set tmargin at screen 0.9173
set bmargin at screen 0.8454
unset title
set label 9 'Daily dose' at screen 0.5294,0.9335 center noenhanced
set format x ''
unset xlabel
set ylabel 'mg/day'
unset logscale y
set format y '%.3g'
set yrange [0:1000]
set ytics (0, 400, 800)
plot 'fit.csv' using 'day':'dose_mg_per_day' with steps lw 2 lc rgb '#0072B2' notitle
unset label
set lmargin at screen 0.0731
set rmargin at screen 0.9858
set tmargin at screen 0.8132
set bmargin at screen 0.6694
unset title
set label 9 'Plasma sorafenib' at screen 0.5294,0.8293 center noenhanced
set format x ''
unset xlabel
set ylabel 'mg/L' noenhanced
set ytics autofreq
set format y '%g'
set logscale y
set yrange [0.01:*]
set label 1 'FLT3-ITD EC50 0.0693 mg/L' at graph 0.975, first 0.0693 right front offset 0,-0.6 noenhanced tc rgb '#555555'
set label 2 'IC90 0.624 mg/L' at graph 0.975, first 0.6237 right front offset 0,-0.6 noenhanced tc rgb '#555555'
plot 'fit.csv' using 'day':(column('conc_mg_per_L_pi05')>0.01?column('conc_mg_per_L_pi05'):0.01):(column('conc_mg_per_L_pi95')>0.01?column('conc_mg_per_L_pi95'):0.01) with filledcurves fc rgb '#56B4E9' fs transparent solid 0.18 noborder notitle, 'fit.csv' using 'day':(column('conc_mg_per_L_all_p05')>0.01?column('conc_mg_per_L_all_p05'):0.01):(column('conc_mg_per_L_all_p95')>0.01?column('conc_mg_per_L_all_p95'):0.01) with filledcurves fc rgb '#56B4E9' fs transparent solid 0.45 noborder notitle, 'fit.csv' using 'day':'conc_mg_per_L' with lines lw 2 lc rgb '#0072B2' notitle, 0.0693 with lines dt 3 lw 1.3 lc rgb '#555555' notitle, 0.6237 with lines dt 3 lw 1.3 lc rgb '#555555' notitle
unset label
set lmargin at screen 0.0731
set rmargin at screen 0.9858
set tmargin at screen 0.6371
set bmargin at screen 0.4933
unset title
set label 9 'White blood cells' at screen 0.5294,0.6532 center noenhanced
set format x ''
unset xlabel
set ylabel '10^9/L' noenhanced
set ytics autofreq
set format y '%g'
set logscale y
set yrange [*:*]
set label 1 'grade IV 1 x 10^9/L' at graph 0.975, first 1 right front offset 0,-0.6 noenhanced tc rgb '#555555'
plot 'fit.csv' using 'day':(column('wbc_pi05')>0.247982?column('wbc_pi05'):0.247982):(column('wbc_pi95')>0.247982?column('wbc_pi95'):0.247982) with filledcurves fc rgb '#56B4E9' fs transparent solid 0.18 noborder notitle, 'fit.csv' using 'day':(column('wbc_all_p05')>0.247982?column('wbc_all_p05'):0.247982):(column('wbc_all_p95')>0.247982?column('wbc_all_p95'):0.247982) with filledcurves fc rgb '#56B4E9' fs transparent solid 0.45 noborder notitle, 'fit.csv' using 'day':'wbc' with lines lw 2 lc rgb '#0072B2' notitle, 1 with lines dt 3 lw 1.3 lc rgb '#555555' notitle, $o1_eq using 1:2 with points pt 7 ps 1.30 lw 1.5 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.0731
set rmargin at screen 0.9858
set tmargin at screen 0.4610
set bmargin at screen 0.3172
unset title
set label 9 'Blasts in blood' at screen 0.5294,0.4772 center noenhanced
set format x ''
unset xlabel
set ylabel '% of cells' noenhanced
set ytics autofreq
set format y '%g'
set logscale y
set yrange [0.01:105]
set label 1 'HR below 1%' at graph 0.975, first 1 right front offset 0,-0.6 noenhanced tc rgb '#555555'
set label 2 'relapse from 5%' at graph 0.975, first 5 right front offset 0,-0.6 noenhanced tc rgb '#555555'
plot 'fit.csv' using 'day':(column('blast_pb_pct_pi05')>0.01?column('blast_pb_pct_pi05'):0.01):(column('blast_pb_pct_pi95')>0.01?column('blast_pb_pct_pi95'):0.01) with filledcurves fc rgb '#56B4E9' fs transparent solid 0.18 noborder notitle, 'fit.csv' using 'day':(column('blast_pb_pct_all_p05')>0.01?column('blast_pb_pct_all_p05'):0.01):(column('blast_pb_pct_all_p95')>0.01?column('blast_pb_pct_all_p95'):0.01) with filledcurves fc rgb '#56B4E9' fs transparent solid 0.45 noborder notitle, 'fit.csv' using 'day':'blast_pb_pct' with lines lw 2 lc rgb '#0072B2' notitle, 1 with lines dt 3 lw 1.3 lc rgb '#555555' notitle, 5 with lines dt 3 lw 1.3 lc rgb '#555555' notitle, $o2_eq using 1:2 with points pt 7 ps 1.30 lw 1.5 lc rgb '#D55E00' notitle, $o2_gt using 1:2:(0):($2*2.5>99.75?99.75-$2:$2*1.5) with vectors head filled size screen 0.009,25 lw 2 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.0731
set rmargin at screen 0.9858
set tmargin at screen 0.2850
set bmargin at screen 0.1412
unset title
set label 9 'Blasts in marrow' at screen 0.5294,0.3011 center noenhanced
set format x '%g'
set xlabel 'day'
set ylabel '% of cells' noenhanced
set ytics autofreq
set format y '%g'
set logscale y
set yrange [0.01:105]
plot 'fit.csv' using 'day':(column('blast_bm_pct_pi05')>0.01?column('blast_bm_pct_pi05'):0.01):(column('blast_bm_pct_pi95')>0.01?column('blast_bm_pct_pi95'):0.01) with filledcurves fc rgb '#56B4E9' fs transparent solid 0.18 noborder notitle, 'fit.csv' using 'day':(column('blast_bm_pct_all_p05')>0.01?column('blast_bm_pct_all_p05'):0.01):(column('blast_bm_pct_all_p95')>0.01?column('blast_bm_pct_all_p95'):0.01) with filledcurves fc rgb '#56B4E9' fs transparent solid 0.45 noborder notitle, 'fit.csv' using 'day':'blast_bm_pct' with lines lw 2 lc rgb '#0072B2' notitle
unset border
unset tics
unset grid
unset xlabel
unset ylabel
unset title
unset label
unset arrow
unset logscale
set xrange [0:1]
set yrange [0:1]
set tmargin at screen 0.0786
set bmargin at screen 0
set key at screen 0.5,0.0786 center top horizontal maxcols 2 reverse Left samplen 2.5 spacing 1.05 noenhanced noautotitle
$pk_anchor << EOD
-9,-9
EOD
plot $pk_anchor using 1:2 with dots notitle, keyentry with lines lw 2 lc rgb '#0072B2' title 'MAP', keyentry with filledcurves fc rgb '#56B4E9' fs transparent solid 0.45 noborder title '90% band, all uncertain parameters', keyentry with filledcurves fc rgb '#56B4E9' fs transparent solid 0.18 noborder title '90% prediction interval of an observation', keyentry with points pt 7 ps 1.30 lc rgb '#D55E00' title 'observed, fitted', $keyvec using 1:2:3:4 with vectors head filled size screen 0.009,25 lw 2 lc rgb '#D55E00' title 'censored: arrow from the limit, < down, > up'
unset multiplot
set output
