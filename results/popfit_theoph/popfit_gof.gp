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
-12.4,-12.4
23.8,23.8
EOD
set grid
set clip two
set multiplot
set label 1 'Goodness of fit: oral1cpt, 12 subjects, 132 observations' at screen 0.5,0.9849 center noenhanced font ',12'
set lmargin at screen 0.0568
set rmargin at screen 0.4830
set tmargin at screen 0.7992
set bmargin at screen 0.2310
set label 9 'observed vs PRED, the typical values' at screen 0.2699,0.8103 center noenhanced
set xlabel 'PRED (mg/L)' noenhanced
set ylabel 'observed (mg/L)' noenhanced
unset logscale x
set xrange [0:11.97]
set format x '%g'
set xtics 2
unset logscale y
set yrange [0:11.97]
set format y '%g'
set ytics 2
plot $pk_id0 using 1:2 with lines lw 1.2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('conc', 0) ? column('pred') : NaN):(column('dv')) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.5539
set rmargin at screen 0.9801
set tmargin at screen 0.7992
set bmargin at screen 0.2310
set label 9 'observed vs IPRED, each subject''s mode' at screen 0.7670,0.8103 center noenhanced
set xlabel 'IPRED (mg/L)' noenhanced
set ylabel 'observed (mg/L)' noenhanced
unset logscale x
set xrange [0:11.97]
set format x '%g'
set xtics 2
unset logscale y
set yrange [0:11.97]
set format y '%g'
set ytics 2
plot $pk_id0 using 1:2 with lines lw 1.2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('conc', 0) ? column('ipred') : NaN):(column('dv')) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle
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
set tmargin at screen 0.1624
set bmargin at screen 0
set key at screen 0.5,0.1624 center top horizontal maxcols 2 reverse Left samplen 2.5 spacing 1.05 noenhanced noautotitle
$pk_anchor << EOD
-9,-9
EOD
plot $pk_anchor using 1:2 with dots notitle, keyentry with lines lw 1.2 lc rgb '#555555' title 'identity: observed = predicted', keyentry with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' title 'observed, fitted'
unset multiplot
set output
