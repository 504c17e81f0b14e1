# Written by pksim 0.1.0.  Run gnuplot on this file in its directory to draw the
# figure again from the data files it names.
set terminal pngcairo size 1200,900 enhanced font 'Sans,11' linewidth 1.00
set output 'popfit_ind_1.png'
set encoding utf8
set datafile separator comma
set datafile missing NaN
pk_kind(o, k) = strcol('observable') eq o && (k == 3 ? column('check') != 0 : column('check') == 0 && strcol('censoring') eq (k == 0 ? 'none' : k == 1 ? 'left' : 'right'))
pk_pos(v) = v > 0 ? v : NaN
set grid
unset xlabel
unset ylabel
set multiplot
set label 1 'Individual fits: wbc, subjects 1-6 of 6 (page 1 of 3)' at screen 0.5,0.9849 center noenhanced font ',12'
set label 2 'day' at screen 0.5,0.0454 center
set label 3 'wbc (10^9/L)' at screen 0.0113,0.5 center rotate by 90 noenhanced
set lmargin at screen 0.0568
set rmargin at screen 0.3324
set tmargin at screen 0.9435
set bmargin at screen 0.5444
set label 9 'patient1' at screen 0.1946,0.9546 center noenhanced
unset logscale x
set xrange [0:225.981]
set format x '%g'
set xtics 50
set logscale y
set yrange [0.437671:49.5]
set format y '%g'
set ytics autofreq
plot 'popfit_traj.csv' every ::0::1042 using 'day':(pk_pos(column('ipred'))) with lines lw 1.6 lc rgb '#0072B2' notitle, 'popfit_traj.csv' every ::0::1042 using 'day':(pk_pos(column('pred'))) with lines dt 2 lw 1.6 lc rgb '#009E73' notitle, 'popfit_obs.csv' every ::0::4 using (pk_kind('wbc', 0) ? column('day') : NaN):(pk_pos(column('dv'))) with points pt 7 ps 0.94 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.3807
set rmargin at screen 0.6562
set tmargin at screen 0.9435
set bmargin at screen 0.5444
set label 9 'patient2' at screen 0.5184,0.9546 center noenhanced
unset logscale x
set xrange [0:235.62]
set format x '%g'
set xtics 50
set logscale y
set yrange [0.843406:91.875]
set format y '%g'
set ytics autofreq
plot 'popfit_traj.csv' every ::3129::4207 using 'day':(pk_pos(column('ipred'))) with lines lw 1.6 lc rgb '#0072B2' notitle, 'popfit_traj.csv' every ::3129::4207 using 'day':(pk_pos(column('pred'))) with lines dt 2 lw 1.6 lc rgb '#009E73' notitle, 'popfit_obs.csv' every ::5::9 using (pk_kind('wbc', 0) ? column('day') : NaN):(pk_pos(column('dv'))) with points pt 7 ps 0.94 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.7045
set rmargin at screen 0.9801
set tmargin at screen 0.9435
set bmargin at screen 0.5444
set label 9 'patient3' at screen 0.8423,0.9546 center noenhanced
unset logscale x
set xrange [0:86.751]
set format x '%g'
set xtics 20
set logscale y
set yrange [2.50758:23.25]
set format y '%g'
set ytics (3, 5, 7, 10, 15, 20)
plot 'popfit_traj.csv' every ::6366::6888 using 'day':(pk_pos(column('ipred'))) with lines lw 1.6 lc rgb '#0072B2' notitle, 'popfit_traj.csv' every ::6366::6888 using 'day':(pk_pos(column('pred'))) with lines dt 2 lw 1.6 lc rgb '#009E73' notitle, 'popfit_obs.csv' every ::10::14 using (pk_kind('wbc', 0) ? column('day') : NaN):(pk_pos(column('dv'))) with points pt 7 ps 0.94 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.0568
set rmargin at screen 0.3324
set tmargin at screen 0.4879
set bmargin at screen 0.0887
set label 9 'patient4' at screen 0.1946,0.4990 center noenhanced
unset logscale x
set xrange [0:52.479]
set format x '%g'
set xtics 10
set logscale y
set yrange [0.407038:55]
set format y '%g'
set ytics autofreq
plot 'popfit_traj.csv' every ::7935::8329 using 'day':(pk_pos(column('ipred'))) with lines lw 1.6 lc rgb '#0072B2' notitle, 'popfit_traj.csv' every ::7935::8329 using 'day':(pk_pos(column('pred'))) with lines dt 2 lw 1.6 lc rgb '#009E73' notitle, 'popfit_obs.csv' every ::15::19 using (pk_kind('wbc', 0) ? column('day') : NaN):(pk_pos(column('dv'))) with points pt 7 ps 0.94 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.3807
set rmargin at screen 0.6562
set tmargin at screen 0.4879
set bmargin at screen 0.0887
set label 9 'patient5' at screen 0.5184,0.4990 center noenhanced
unset logscale x
set xrange [0:14.994]
set format x '%g'
set xtics 5
set logscale y
set yrange [0.48:45.25]
set format y '%g'
set ytics (0.5, 1, 2, 5, 10, 20)
plot 'popfit_traj.csv' every ::9120::9374 using 'day':(pk_pos(column('ipred'))) with lines lw 1.6 lc rgb '#0072B2' notitle, 'popfit_traj.csv' every ::9120::9374 using 'day':(pk_pos(column('pred'))) with lines dt 2 lw 1.6 lc rgb '#009E73' notitle, 'popfit_obs.csv' every ::20::25 using (pk_kind('wbc', 0) ? column('day') : NaN):(pk_pos(column('dv'))) with points pt 7 ps 0.94 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.7045
set rmargin at screen 0.9801
set tmargin at screen 0.4879
set bmargin at screen 0.0887
set label 9 'patient6' at screen 0.8423,0.4990 center noenhanced
unset logscale x
set xrange [0:76.041]
set format x '%g'
set xtics 20
set logscale y
set yrange [1.70228:10]
set format y '%g'
set ytics (2, 3, 5, 7, 10)
plot 'popfit_traj.csv' every ::9885::10367 using 'day':(pk_pos(column('ipred'))) with lines lw 1.6 lc rgb '#0072B2' notitle, 'popfit_traj.csv' every ::9885::10367 using 'day':(pk_pos(column('pred'))) with lines dt 2 lw 1.6 lc rgb '#009E73' notitle, 'popfit_obs.csv' every ::26::30 using (pk_kind('wbc', 0) ? column('day') : NaN):(pk_pos(column('dv'))) with points pt 7 ps 0.94 lw 1.3 lc rgb '#D55E00' notitle
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
set key at screen 0.5,0.0282 center top horizontal maxcols 3 reverse Left samplen 2.5 spacing 1.05 noenhanced noautotitle
$pk_anchor << EOD
-9,-9
EOD
plot $pk_anchor using 1:2 with dots notitle, keyentry with lines lw 1.6 lc rgb '#0072B2' title 'IPRED: the subject''s mode (EBE)', keyentry with lines dt 2 lw 1.6 lc rgb '#009E73' title 'PRED: the typical values', keyentry with points pt 7 ps 1.10 lw 1.3 lc rgb '#D55E00' title 'observed, fitted'
unset multiplot
set output
