# Written by pksim 0.1.0.  Run gnuplot on this file in its directory to draw the
# figure again from the data files it names.
set terminal pngcairo size 1200,900 enhanced font 'Sans,11' linewidth 1.00
set output 'popfit_gof.png'
set encoding utf8
set datafile separator comma
set datafile missing NaN
pk_kind(o, k) = strcol('observable') eq o && (k == 3 ? column('check') != 0 : column('check') == 0 && strcol('censoring') eq (k == 0 ? 'none' : k == 1 ? 'left' : 'right'))
pk_pos(v) = v > 0 ? v : NaN
$pk_id0 << EOD
0.06,0.06
735,735
EOD
$pk_id1 << EOD
0.000386332,0.000386332
940,940
EOD
$pk_id2 << EOD
0.0113472,0.0113472
800,800
EOD
set grid
set clip two
set multiplot
set label 1 'Goodness of fit: sorafenib_flt3, 6 subjects, 31 observations' at screen 0.5,0.9849 center noenhanced font ',12'
set lmargin at screen 0.1860
set rmargin at screen 0.3538
set tmargin at screen 0.9435
set bmargin at screen 0.7198
set label 9 'wbc: observed vs PRED, the typical values' at screen 0.2699,0.9546 center noenhanced
set xlabel 'PRED (10^9/L)' noenhanced
set ylabel 'observed (10^9/L)' noenhanced
set logscale x
set xrange [0.48:91.875]
set format x '%g'
set xtics autofreq
set logscale y
set yrange [0.48:91.875]
set format y '%g'
set ytics autofreq
plot $pk_id0 using 1:2 with lines lw 1.2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('wbc', 0) ? pk_pos(column('pred')) : NaN):(pk_pos(column('dv'))) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.6831
set rmargin at screen 0.8509
set tmargin at screen 0.9435
set bmargin at screen 0.7198
set label 9 'wbc: observed vs IPRED, each subject''s mode' at screen 0.7670,0.9546 center noenhanced
set xlabel 'IPRED (10^9/L)' noenhanced
set ylabel 'observed (10^9/L)' noenhanced
set logscale x
set xrange [0.48:91.875]
set format x '%g'
set xtics autofreq
set logscale y
set yrange [0.48:91.875]
set format y '%g'
set ytics autofreq
plot $pk_id0 using 1:2 with lines lw 1.2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('wbc', 0) ? pk_pos(column('ipred')) : NaN):(pk_pos(column('dv'))) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.1860
set rmargin at screen 0.3538
set tmargin at screen 0.6391
set bmargin at screen 0.4153
set label 9 'blast_pb_pct: observed vs PRED, the typical values (1 at or below 0 not drawn)' at screen 0.2699,0.6502 center noenhanced
set xlabel 'PRED (%)' noenhanced
set ylabel 'observed (%)' noenhanced
set logscale x
set xrange [0.00309065:117.5]
set format x '%g'
set xtics autofreq
set logscale y
set yrange [0.00309065:117.5]
set format y '%g'
set ytics autofreq
plot $pk_id1 using 1:2 with lines lw 1.2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('blast_pb_pct', 0) ? pk_pos(column('pred')) : NaN):(pk_pos(column('dv'))) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_pb_pct', 1) ? pk_pos(column('pred')) : NaN):(pk_pos(column('dv'))) with points pt 10 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_pb_pct', 2) ? pk_pos(column('pred')) : NaN):(pk_pos(column('dv'))) with points pt 8 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.6831
set rmargin at screen 0.8509
set tmargin at screen 0.6391
set bmargin at screen 0.4153
set label 9 'blast_pb_pct: observed vs IPRED, each subject''s mode (1 at or below 0 not drawn)' at screen 0.7670,0.6502 center noenhanced
set xlabel 'IPRED (%)' noenhanced
set ylabel 'observed (%)' noenhanced
set logscale x
set xrange [0.00309065:117.5]
set format x '%g'
set xtics autofreq
set logscale y
set yrange [0.00309065:117.5]
set format y '%g'
set ytics autofreq
plot $pk_id1 using 1:2 with lines lw 1.2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('blast_pb_pct', 0) ? pk_pos(column('ipred')) : NaN):(pk_pos(column('dv'))) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_pb_pct', 1) ? pk_pos(column('ipred')) : NaN):(pk_pos(column('dv'))) with points pt 10 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_pb_pct', 2) ? pk_pos(column('ipred')) : NaN):(pk_pos(column('dv'))) with points pt 8 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.1860
set rmargin at screen 0.3538
set tmargin at screen 0.3347
set bmargin at screen 0.1109
set label 9 'blast_bm_pct: observed vs PRED, the typical values' at screen 0.2699,0.3458 center noenhanced
set xlabel 'PRED (%)' noenhanced
set ylabel 'observed (%)' noenhanced
set logscale x
set xrange [0.0907779:100]
set format x '%g'
set xtics autofreq
set logscale y
set yrange [0.0907779:100]
set format y '%g'
set ytics autofreq
plot $pk_id2 using 1:2 with lines lw 1.2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('blast_bm_pct', 0) ? pk_pos(column('pred')) : NaN):(pk_pos(column('dv'))) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_bm_pct', 1) ? pk_pos(column('pred')) : NaN):(pk_pos(column('dv'))) with points pt 10 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_bm_pct', 2) ? pk_pos(column('pred')) : NaN):(pk_pos(column('dv'))) with points pt 8 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.6831
set rmargin at screen 0.8509
set tmargin at screen 0.3347
set bmargin at screen 0.1109
set label 9 'blast_bm_pct: observed vs IPRED, each subject''s mode' at screen 0.7670,0.3458 center noenhanced
set xlabel 'IPRED (%)' noenhanced
set ylabel 'observed (%)' noenhanced
set logscale x
set xrange [0.0907779:100]
set format x '%g'
set xtics autofreq
set logscale y
set yrange [0.0907779:100]
set format y '%g'
set ytics autofreq
plot $pk_id2 using 1:2 with lines lw 1.2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('blast_bm_pct', 0) ? pk_pos(column('ipred')) : NaN):(pk_pos(column('dv'))) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_bm_pct', 1) ? pk_pos(column('ipred')) : NaN):(pk_pos(column('dv'))) with points pt 10 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_bm_pct', 2) ? pk_pos(column('ipred')) : NaN):(pk_pos(column('dv'))) with points pt 8 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.01
set rmargin at screen 0.99
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
set tmargin at screen 0.0423
set bmargin at screen 0
set key at screen 0.5,0.0423 center top horizontal maxcols 3 reverse Left samplen 2.5 spacing 1.05 noenhanced noautotitle
$pk_anchor << EOD
-9,-9
EOD
plot $pk_anchor using 1:2 with dots notitle, keyentry with lines lw 1.2 lc rgb '#555555' title 'identity: observed = predicted', keyentry with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' title 'observed, fitted', keyentry with points pt 10 ps 1.32 lw 1.3 lc rgb '#D55E00' title 'below a limit (drawn at the limit)', keyentry with points pt 8 ps 1.32 lw 1.3 lc rgb '#D55E00' title 'above a limit (drawn at the limit)'
unset multiplot
set output
