# Written by pksim 0.1.0.  Run gnuplot on this file in its directory to draw the
# figure again from the data files it names.
set terminal pngcairo size 1200,900 enhanced font 'Sans,11' linewidth 1.00
set output 'popfit_res.png'
set encoding utf8
set datafile separator comma
set datafile missing NaN
pk_kind(o, k) = strcol('observable') eq o && (k == 3 ? column('check') != 0 : column('check') == 0 && strcol('censoring') eq (k == 0 ? 'none' : k == 1 ? 'left' : 'right'))
pk_pos(v) = v > 0 ? v : NaN
set grid
set multiplot
set label 1 'Residuals: CWRES of the model linearised at each subject''s mode, IWRES at the mode' at screen 0.5,0.9849 center noenhanced font ',12'
set lmargin at screen 0.0568
set rmargin at screen 0.2344
set tmargin at screen 0.9435
set bmargin at screen 0.7198
set label 9 'wbc: CWRES vs time' at screen 0.1456,0.9546 center noenhanced
set xlabel 'day' noenhanced
set ylabel 'CWRES'
unset logscale x
set xrange [0:7.35]
set format x '%g'
set xtics 2
unset logscale y
set yrange [-11.86:11.86]
set ytics 10
set format y '%g'
plot 0 with lines lw 1.2 lc rgb '#555555' notitle, 2 with lines dt 2 lc rgb '#555555' notitle, -2 with lines dt 2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('wbc', 0) ? column('day') : NaN):(column('cwres')) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.3054
set rmargin at screen 0.4829
set tmargin at screen 0.9435
set bmargin at screen 0.7198
set label 9 'wbc: CWRES vs PRED' at screen 0.3942,0.9546 center noenhanced
set xlabel 'PRED (10^9/L)' noenhanced
set ylabel 'CWRES'
set logscale x
set xrange [0.48:91.875]
set format x '%g'
set xtics autofreq
unset logscale y
set yrange [-11.86:11.86]
set ytics 10
set format y '%g'
plot 0 with lines lw 1.2 lc rgb '#555555' notitle, 2 with lines dt 2 lc rgb '#555555' notitle, -2 with lines dt 2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('wbc', 0) ? pk_pos(column('pred')) : NaN):(column('cwres')) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.5539
set rmargin at screen 0.7315
set tmargin at screen 0.9435
set bmargin at screen 0.7198
set label 9 'wbc: IWRES vs time' at screen 0.6427,0.9546 center noenhanced
set xlabel 'day' noenhanced
set ylabel 'IWRES'
unset logscale x
set xrange [0:7.35]
set format x '%g'
set xtics 2
unset logscale y
set yrange [-11.86:11.86]
set ytics 10
set format y '%g'
plot 0 with lines lw 1.2 lc rgb '#555555' notitle, 2 with lines dt 2 lc rgb '#555555' notitle, -2 with lines dt 2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('wbc', 0) ? column('day') : NaN):(column('iwres')) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.8025
set rmargin at screen 0.9801
set tmargin at screen 0.9435
set bmargin at screen 0.7198
set label 9 'wbc: IWRES vs IPRED' at screen 0.8913,0.9546 center noenhanced
set xlabel 'IPRED (10^9/L)' noenhanced
set ylabel 'IWRES'
set logscale x
set xrange [0.48:91.875]
set format x '%g'
set xtics autofreq
unset logscale y
set yrange [-11.86:11.86]
set ytics 10
set format y '%g'
plot 0 with lines lw 1.2 lc rgb '#555555' notitle, 2 with lines dt 2 lc rgb '#555555' notitle, -2 with lines dt 2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('wbc', 0) ? pk_pos(column('ipred')) : NaN):(column('iwres')) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.0568
set rmargin at screen 0.2344
set tmargin at screen 0.6391
set bmargin at screen 0.4153
set label 9 'blast_pb_pct: CWRES vs time' at screen 0.1456,0.6502 center noenhanced
set xlabel 'day' noenhanced
set ylabel 'CWRES'
unset logscale x
set xrange [0:231]
set format x '%g'
set xtics 50
unset logscale y
set yrange [-10.9:10.9]
set ytics 5
set format y '%g'
plot 0 with lines lw 1.2 lc rgb '#555555' notitle, 2 with lines dt 2 lc rgb '#555555' notitle, -2 with lines dt 2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('blast_pb_pct', 0) ? column('day') : NaN):(column('cwres')) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_pb_pct', 1) ? column('day') : NaN):(column('cwres')) with points pt 10 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_pb_pct', 2) ? column('day') : NaN):(column('cwres')) with points pt 8 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.3054
set rmargin at screen 0.4829
set tmargin at screen 0.6391
set bmargin at screen 0.4153
set label 9 'blast_pb_pct: CWRES vs PRED' at screen 0.3942,0.6502 center noenhanced
set xlabel 'PRED (%)' noenhanced
set ylabel 'CWRES'
set logscale x
set xrange [0.00309065:117.5]
set format x '%g'
set xtics autofreq
unset logscale y
set yrange [-10.9:10.9]
set ytics 5
set format y '%g'
plot 0 with lines lw 1.2 lc rgb '#555555' notitle, 2 with lines dt 2 lc rgb '#555555' notitle, -2 with lines dt 2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('blast_pb_pct', 0) ? pk_pos(column('pred')) : NaN):(column('cwres')) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_pb_pct', 1) ? pk_pos(column('pred')) : NaN):(column('cwres')) with points pt 10 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_pb_pct', 2) ? pk_pos(column('pred')) : NaN):(column('cwres')) with points pt 8 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.5539
set rmargin at screen 0.7315
set tmargin at screen 0.6391
set bmargin at screen 0.4153
set label 9 'blast_pb_pct: IWRES vs time' at screen 0.6427,0.6502 center noenhanced
set xlabel 'day' noenhanced
set ylabel 'IWRES'
unset logscale x
set xrange [0:231]
set format x '%g'
set xtics 50
unset logscale y
set yrange [-10.9:10.9]
set ytics 5
set format y '%g'
plot 0 with lines lw 1.2 lc rgb '#555555' notitle, 2 with lines dt 2 lc rgb '#555555' notitle, -2 with lines dt 2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('blast_pb_pct', 0) ? column('day') : NaN):(column('iwres')) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_pb_pct', 1) ? column('day') : NaN):(column('iwres')) with points pt 10 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_pb_pct', 2) ? column('day') : NaN):(column('iwres')) with points pt 8 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.8025
set rmargin at screen 0.9801
set tmargin at screen 0.6391
set bmargin at screen 0.4153
set label 9 'blast_pb_pct: IWRES vs IPRED' at screen 0.8913,0.6502 center noenhanced
set xlabel 'IPRED (%)' noenhanced
set ylabel 'IWRES'
set logscale x
set xrange [0.00309065:117.5]
set format x '%g'
set xtics autofreq
unset logscale y
set yrange [-10.9:10.9]
set ytics 5
set format y '%g'
plot 0 with lines lw 1.2 lc rgb '#555555' notitle, 2 with lines dt 2 lc rgb '#555555' notitle, -2 with lines dt 2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('blast_pb_pct', 0) ? pk_pos(column('ipred')) : NaN):(column('iwres')) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_pb_pct', 1) ? pk_pos(column('ipred')) : NaN):(column('iwres')) with points pt 10 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_pb_pct', 2) ? pk_pos(column('ipred')) : NaN):(column('iwres')) with points pt 8 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.0568
set rmargin at screen 0.2344
set tmargin at screen 0.3347
set bmargin at screen 0.1109
set label 9 'blast_bm_pct: CWRES vs time' at screen 0.1456,0.3458 center noenhanced
set xlabel 'day' noenhanced
set ylabel 'CWRES'
unset logscale x
set xrange [0:85.05]
set format x '%g'
set xtics 20
unset logscale y
set yrange [-15.47:15.47]
set ytics 10
set format y '%g'
plot 0 with lines lw 1.2 lc rgb '#555555' notitle, 2 with lines dt 2 lc rgb '#555555' notitle, -2 with lines dt 2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('blast_bm_pct', 0) ? column('day') : NaN):(column('cwres')) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_bm_pct', 1) ? column('day') : NaN):(column('cwres')) with points pt 10 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_bm_pct', 2) ? column('day') : NaN):(column('cwres')) with points pt 8 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.3054
set rmargin at screen 0.4829
set tmargin at screen 0.3347
set bmargin at screen 0.1109
set label 9 'blast_bm_pct: CWRES vs PRED' at screen 0.3942,0.3458 center noenhanced
set xlabel 'PRED (%)' noenhanced
set ylabel 'CWRES'
set logscale x
set xrange [0.0907779:100]
set format x '%g'
set xtics autofreq
unset logscale y
set yrange [-15.47:15.47]
set ytics 10
set format y '%g'
plot 0 with lines lw 1.2 lc rgb '#555555' notitle, 2 with lines dt 2 lc rgb '#555555' notitle, -2 with lines dt 2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('blast_bm_pct', 0) ? pk_pos(column('pred')) : NaN):(column('cwres')) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_bm_pct', 1) ? pk_pos(column('pred')) : NaN):(column('cwres')) with points pt 10 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_bm_pct', 2) ? pk_pos(column('pred')) : NaN):(column('cwres')) with points pt 8 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.5539
set rmargin at screen 0.7315
set tmargin at screen 0.3347
set bmargin at screen 0.1109
set label 9 'blast_bm_pct: IWRES vs time' at screen 0.6427,0.3458 center noenhanced
set xlabel 'day' noenhanced
set ylabel 'IWRES'
unset logscale x
set xrange [0:85.05]
set format x '%g'
set xtics 20
unset logscale y
set yrange [-15.47:15.47]
set ytics 10
set format y '%g'
plot 0 with lines lw 1.2 lc rgb '#555555' notitle, 2 with lines dt 2 lc rgb '#555555' notitle, -2 with lines dt 2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('blast_bm_pct', 0) ? column('day') : NaN):(column('iwres')) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_bm_pct', 1) ? column('day') : NaN):(column('iwres')) with points pt 10 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_bm_pct', 2) ? column('day') : NaN):(column('iwres')) with points pt 8 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.8025
set rmargin at screen 0.9801
set tmargin at screen 0.3347
set bmargin at screen 0.1109
set label 9 'blast_bm_pct: IWRES vs IPRED' at screen 0.8913,0.3458 center noenhanced
set xlabel 'IPRED (%)' noenhanced
set ylabel 'IWRES'
set logscale x
set xrange [0.0907779:100]
set format x '%g'
set xtics autofreq
unset logscale y
set yrange [-15.47:15.47]
set ytics 10
set format y '%g'
plot 0 with lines lw 1.2 lc rgb '#555555' notitle, 2 with lines dt 2 lc rgb '#555555' notitle, -2 with lines dt 2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('blast_bm_pct', 0) ? pk_pos(column('ipred')) : NaN):(column('iwres')) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_bm_pct', 1) ? pk_pos(column('ipred')) : NaN):(column('iwres')) with points pt 10 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle, 'popfit_obs.csv' using (pk_kind('blast_bm_pct', 2) ? pk_pos(column('ipred')) : NaN):(column('iwres')) with points pt 8 ps 1.32 lw 1.3 lc rgb '#D55E00' notitle
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
set tmargin at screen 0.0524
set bmargin at screen 0
set key at screen 0.5,0.0524 center top horizontal maxcols 2 reverse Left samplen 2.5 spacing 1.05 noenhanced noautotitle
$pk_anchor << EOD
-9,-9
EOD
plot $pk_anchor using 1:2 with dots notitle, keyentry with lines dt 2 lc rgb '#555555' title '±2: 95% of a standard normal lies within', keyentry with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' title 'observed, fitted', keyentry with points pt 10 ps 1.32 lw 1.3 lc rgb '#D55E00' title 'censored below a limit', keyentry with points pt 8 ps 1.32 lw 1.3 lc rgb '#D55E00' title 'censored above a limit'
unset multiplot
set output
