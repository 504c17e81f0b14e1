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
set label 1 'Individual fits: conc, subjects 1-12 of 12 (page 1 of 1)' at screen 0.5,0.9849 center noenhanced font ',12'
set label 2 'day' at screen 0.5,0.0454 center
set label 3 'conc (mg/L)' at screen 0.0113,0.5 center rotate by 90 noenhanced
set lmargin at screen 0.0568
set rmargin at screen 0.2514
set tmargin at screen 0.9435
set bmargin at screen 0.6962
set label 9 'theoph_01_mg' at screen 0.1541,0.9546 center noenhanced
unset logscale x
set xrange [0:1.08751]
set format x '%g'
set xtics 0.2
unset logscale y
set yrange [0:11.025]
set format y '%g'
set ytics 2
plot 'popfit_traj.csv' every ::0::209 using 'day':(column('ipred')) with lines lw 1.6 lc rgb '#0072B2' notitle, 'popfit_traj.csv' every ::0::209 using 'day':(column('pred')) with lines dt 2 lw 1.6 lc rgb '#009E73' notitle, 'popfit_obs.csv' every ::0::10 using (pk_kind('conc', 0) ? column('day') : NaN):(column('dv')) with points pt 7 ps 0.94 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.2997
set rmargin at screen 0.4943
set tmargin at screen 0.9435
set bmargin at screen 0.6962
set label 9 'theoph_02_mg' at screen 0.3970,0.9546 center noenhanced
unset logscale x
set xrange [0:1.08439]
set format x '%g'
set xtics 0.2
unset logscale y
set yrange [0:8.85352]
set format y '%g'
set ytics 2
plot 'popfit_traj.csv' every ::210::419 using 'day':(column('ipred')) with lines lw 1.6 lc rgb '#0072B2' notitle, 'popfit_traj.csv' every ::210::419 using 'day':(column('pred')) with lines dt 2 lw 1.6 lc rgb '#009E73' notitle, 'popfit_obs.csv' every ::11::21 using (pk_kind('conc', 0) ? column('day') : NaN):(column('dv')) with points pt 7 ps 0.94 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.5426
set rmargin at screen 0.7372
set tmargin at screen 0.9435
set bmargin at screen 0.6962
set label 9 'theoph_03_mg' at screen 0.6399,0.9546 center noenhanced
unset logscale x
set xrange [0:1.07859]
set format x '%g'
set xtics 0.2
unset logscale y
set yrange [0:8.79502]
set format y '%g'
set ytics 2
plot 'popfit_traj.csv' every ::420::629 using 'day':(column('ipred')) with lines lw 1.6 lc rgb '#0072B2' notitle, 'popfit_traj.csv' every ::420::629 using 'day':(column('pred')) with lines dt 2 lw 1.6 lc rgb '#009E73' notitle, 'popfit_obs.csv' every ::22::32 using (pk_kind('conc', 0) ? column('day') : NaN):(column('dv')) with points pt 7 ps 0.94 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.7855
set rmargin at screen 0.9801
set tmargin at screen 0.9435
set bmargin at screen 0.6962
set label 9 'theoph_04_mg' at screen 0.8828,0.9546 center noenhanced
unset logscale x
set xrange [0:1.10001]
set format x '%g'
set xtics 0.2
unset logscale y
set yrange [0:9.03]
set format y '%g'
set ytics 2
plot 'popfit_traj.csv' every ::630::839 using 'day':(column('ipred')) with lines lw 1.6 lc rgb '#0072B2' notitle, 'popfit_traj.csv' every ::630::839 using 'day':(column('pred')) with lines dt 2 lw 1.6 lc rgb '#009E73' notitle, 'popfit_obs.csv' every ::33::43 using (pk_kind('conc', 0) ? column('day') : NaN):(column('dv')) with points pt 7 ps 0.94 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.0568
set rmargin at screen 0.2514
set tmargin at screen 0.6398
set bmargin at screen 0.3925
set label 9 'theoph_05_mg' at screen 0.1541,0.6509 center noenhanced
unset logscale x
set xrange [0:1.08662]
set format x '%g'
set xtics 0.2
unset logscale y
set yrange [0:11.97]
set format y '%g'
set ytics 2
plot 'popfit_traj.csv' every ::840::1049 using 'day':(column('ipred')) with lines lw 1.6 lc rgb '#0072B2' notitle, 'popfit_traj.csv' every ::840::1049 using 'day':(column('pred')) with lines dt 2 lw 1.6 lc rgb '#009E73' notitle, 'popfit_obs.csv' every ::44::54 using (pk_kind('conc', 0) ? column('day') : NaN):(column('dv')) with points pt 7 ps 0.94 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.2997
set rmargin at screen 0.4943
set tmargin at screen 0.6398
set bmargin at screen 0.3925
set label 9 'theoph_06_mg' at screen 0.3970,0.6509 center noenhanced
unset logscale x
set xrange [0:1.06431]
set format x '%g'
set xtics 0.2
unset logscale y
set yrange [0:7.84791]
set format y '%g'
set ytics 2
plot 'popfit_traj.csv' every ::1050::1259 using 'day':(column('ipred')) with lines lw 1.6 lc rgb '#0072B2' notitle, 'popfit_traj.csv' every ::1050::1259 using 'day':(column('pred')) with lines dt 2 lw 1.6 lc rgb '#009E73' notitle, 'popfit_obs.csv' every ::55::65 using (pk_kind('conc', 0) ? column('day') : NaN):(column('dv')) with points pt 7 ps 0.94 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.5426
set rmargin at screen 0.7372
set tmargin at screen 0.6398
set bmargin at screen 0.3925
set label 9 'theoph_07_mg' at screen 0.6399,0.6509 center noenhanced
unset logscale x
set xrange [0:1.08082]
set format x '%g'
set xtics 0.2
unset logscale y
set yrange [0:9.47081]
set format y '%g'
set ytics 2
plot 'popfit_traj.csv' every ::1260::1469 using 'day':(column('ipred')) with lines lw 1.6 lc rgb '#0072B2' notitle, 'popfit_traj.csv' every ::1260::1469 using 'day':(column('pred')) with lines dt 2 lw 1.6 lc rgb '#009E73' notitle, 'popfit_obs.csv' every ::66::76 using (pk_kind('conc', 0) ? column('day') : NaN):(column('dv')) with points pt 7 ps 0.94 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.7855
set rmargin at screen 0.9801
set tmargin at screen 0.6398
set bmargin at screen 0.3925
set label 9 'theoph_08_mg' at screen 0.8828,0.6509 center noenhanced
unset logscale x
set xrange [0:1.07635]
set format x '%g'
set xtics 0.2
unset logscale y
set yrange [0:8.76116]
set format y '%g'
set ytics 2
plot 'popfit_traj.csv' every ::1470::1679 using 'day':(column('ipred')) with lines lw 1.6 lc rgb '#0072B2' notitle, 'popfit_traj.csv' every ::1470::1679 using 'day':(column('pred')) with lines dt 2 lw 1.6 lc rgb '#009E73' notitle, 'popfit_obs.csv' every ::77::87 using (pk_kind('conc', 0) ? column('day') : NaN):(column('dv')) with points pt 7 ps 0.94 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.0568
set rmargin at screen 0.2514
set tmargin at screen 0.3360
set bmargin at screen 0.0887
set label 9 'theoph_09_mg' at screen 0.1541,0.3471 center noenhanced
unset logscale x
set xrange [0:1.09019]
set format x '%g'
set xtics 0.2
unset logscale y
set yrange [0:9.4815]
set format y '%g'
set ytics 2
plot 'popfit_traj.csv' every ::1680::1889 using 'day':(column('ipred')) with lines lw 1.6 lc rgb '#0072B2' notitle, 'popfit_traj.csv' every ::1680::1889 using 'day':(column('pred')) with lines dt 2 lw 1.6 lc rgb '#009E73' notitle, 'popfit_obs.csv' every ::88::98 using (pk_kind('conc', 0) ? column('day') : NaN):(column('dv')) with points pt 7 ps 0.94 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.2997
set rmargin at screen 0.4943
set tmargin at screen 0.3360
set bmargin at screen 0.0887
set label 9 'theoph_10_mg' at screen 0.3970,0.3471 center noenhanced
unset logscale x
set xrange [0:1.05761]
set format x '%g'
set xtics 0.2
unset logscale y
set yrange [0:10.7205]
set format y '%g'
set ytics 2
plot 'popfit_traj.csv' every ::1890::2099 using 'day':(column('ipred')) with lines lw 1.6 lc rgb '#0072B2' notitle, 'popfit_traj.csv' every ::1890::2099 using 'day':(column('pred')) with lines dt 2 lw 1.6 lc rgb '#009E73' notitle, 'popfit_obs.csv' every ::99::109 using (pk_kind('conc', 0) ? column('day') : NaN):(column('dv')) with points pt 7 ps 0.94 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.5426
set rmargin at screen 0.7372
set tmargin at screen 0.3360
set bmargin at screen 0.0887
set label 9 'theoph_11_mg' at screen 0.6399,0.3471 center noenhanced
unset logscale x
set xrange [0:1.07457]
set format x '%g'
set xtics 0.2
unset logscale y
set yrange [0:9.42146]
set format y '%g'
set ytics 2
plot 'popfit_traj.csv' every ::2100::2309 using 'day':(column('ipred')) with lines lw 1.6 lc rgb '#0072B2' notitle, 'popfit_traj.csv' every ::2100::2309 using 'day':(column('pred')) with lines dt 2 lw 1.6 lc rgb '#009E73' notitle, 'popfit_obs.csv' every ::110::120 using (pk_kind('conc', 0) ? column('day') : NaN):(column('dv')) with points pt 7 ps 0.94 lw 1.3 lc rgb '#D55E00' notitle
unset label
set lmargin at screen 0.7855
set rmargin at screen 0.9801
set tmargin at screen 0.3360
set bmargin at screen 0.0887
set label 9 'theoph_12_mg' at screen 0.8828,0.3471 center noenhanced
unset logscale x
set xrange [0:1.07769]
set format x '%g'
set xtics 0.2
unset logscale y
set yrange [0:10.2375]
set format y '%g'
set ytics 2
plot 'popfit_traj.csv' every ::2310::2519 using 'day':(column('ipred')) with lines lw 1.6 lc rgb '#0072B2' notitle, 'popfit_traj.csv' every ::2310::2519 using 'day':(column('pred')) with lines dt 2 lw 1.6 lc rgb '#009E73' notitle, 'popfit_obs.csv' every ::121::131 using (pk_kind('conc', 0) ? column('day') : NaN):(column('dv')) with points pt 7 ps 0.94 lw 1.3 lc rgb '#D55E00' notitle
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
