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
set rmargin at screen 0.4830
set tmargin at screen 0.9435
set bmargin at screen 0.5555
set label 9 'CWRES vs time' at screen 0.2699,0.9546 center noenhanced
set xlabel 'day' noenhanced
set ylabel 'CWRES'
unset logscale x
set xrange [0:1.07844]
set format x '%g'
set xtics 0.2
unset logscale y
set yrange [-4.58:4.58]
set ytics 2
set format y '%g'
plot 0 with lines lw 1.2 lc rgb '#555555' notitle, 2 with lines dt 2 lc rgb '#555555' notitle, -2 with lines dt 2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('conc', 0) ? column('day') : NaN):(column('cwres')) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.5539
set rmargin at screen 0.9801
set tmargin at screen 0.9435
set bmargin at screen 0.5555
set label 9 'CWRES vs PRED' at screen 0.7670,0.9546 center noenhanced
set xlabel 'PRED (mg/L)' noenhanced
set ylabel 'CWRES'
unset logscale x
set xrange [0:11.97]
set format x '%g'
set xtics 2
unset logscale y
set yrange [-4.58:4.58]
set ytics 2
set format y '%g'
plot 0 with lines lw 1.2 lc rgb '#555555' notitle, 2 with lines dt 2 lc rgb '#555555' notitle, -2 with lines dt 2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('conc', 0) ? column('pred') : NaN):(column('cwres')) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.0568
set rmargin at screen 0.4830
set tmargin at screen 0.4748
set bmargin at screen 0.0867
set label 9 'IWRES vs time' at screen 0.2699,0.4859 center noenhanced
set xlabel 'day' noenhanced
set ylabel 'IWRES'
unset logscale x
set xrange [0:1.07844]
set format x '%g'
set xtics 0.2
unset logscale y
set yrange [-4.58:4.58]
set ytics 2
set format y '%g'
plot 0 with lines lw 1.2 lc rgb '#555555' notitle, 2 with lines dt 2 lc rgb '#555555' notitle, -2 with lines dt 2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('conc', 0) ? column('day') : NaN):(column('iwres')) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.5539
set rmargin at screen 0.9801
set tmargin at screen 0.4748
set bmargin at screen 0.0867
set label 9 'IWRES vs IPRED' at screen 0.7670,0.4859 center noenhanced
set xlabel 'IPRED (mg/L)' noenhanced
set ylabel 'IWRES'
unset logscale x
set xrange [0:11.97]
set format x '%g'
set xtics 2
unset logscale y
set yrange [-4.58:4.58]
set ytics 2
set format y '%g'
plot 0 with lines lw 1.2 lc rgb '#555555' notitle, 2 with lines dt 2 lc rgb '#555555' notitle, -2 with lines dt 2 lc rgb '#555555' notitle, 'popfit_obs.csv' using (pk_kind('conc', 0) ? column('ipred') : NaN):(column('iwres')) with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' notitle
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
set tmargin at screen 0.0282
set bmargin at screen 0
set key at screen 0.5,0.0282 center top horizontal maxcols 2 reverse Left samplen 2.5 spacing 1.05 noenhanced noautotitle
$pk_anchor << EOD
-9,-9
EOD
plot $pk_anchor using 1:2 with dots notitle, keyentry with lines dt 2 lc rgb '#555555' title '±2: 95% of a standard normal lies within', keyentry with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' title 'observed, fitted'
unset multiplot
set output
