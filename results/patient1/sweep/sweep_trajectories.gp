# Written by pksim 0.1.0.  Run gnuplot on this file in its directory to draw the
# figure again from the data files it names.
set terminal pngcairo size 1200,900 enhanced font 'Sans,11' linewidth 1.00
set output 'sweep_trajectories.png'
set encoding utf8
set datafile separator comma
set datafile missing NaN
set multiplot
set grid
set format y '%g'
set label 1 'Draw medians of every scenario' at screen 0.5,0.9849 center noenhanced
set lmargin at screen 0.0731
set rmargin at screen 0.9858
set tmargin at screen 0.9375
set bmargin at screen 0.8592
unset title
set label 9 'dose_mg_per_day (draw median)' at screen 0.5294,0.9536 center noenhanced
set format x ''
unset xlabel
unset logscale y
set yrange [0:1000]
set ytics (0, 400, 800)
plot 'sweep_trajectories.csv' every ::0::180 using 'day':'dose_mg_per_day' with steps lw 2 dt 1 lc rgb '#0072B2' notitle, 'sweep_trajectories.csv' every ::181::361 using 'day':'dose_mg_per_day' with steps lw 2 dt 1 lc rgb '#D55E00' notitle, 'sweep_trajectories.csv' every ::362::542 using 'day':'dose_mg_per_day' with steps lw 2 dt 1 lc rgb '#009E73' notitle, 'sweep_trajectories.csv' every ::543::723 using 'day':'dose_mg_per_day' with steps lw 2 dt 1 lc rgb '#CC79A7' notitle, 'sweep_trajectories.csv' every ::724::904 using 'day':'dose_mg_per_day' with steps lw 2 dt 1 lc rgb '#E69F00' notitle, 'sweep_trajectories.csv' every ::905::1085 using 'day':'dose_mg_per_day' with steps lw 2 dt 1 lc rgb '#56B4E9' notitle, 'sweep_trajectories.csv' every ::1086::1266 using 'day':'dose_mg_per_day' with steps lw 2 dt 1 lc rgb '#000000' notitle, 'sweep_trajectories.csv' every ::1267::1447 using 'day':'dose_mg_per_day' with steps lw 2 dt 1 lc rgb '#F0E442' notitle, 'sweep_trajectories.csv' every ::1448::1628 using 'day':'dose_mg_per_day' with steps lw 2 dt 2 lc rgb '#0072B2' notitle
unset label
set lmargin at screen 0.0731
set rmargin at screen 0.9858
set tmargin at screen 0.8270
set bmargin at screen 0.6847
unset title
set label 9 'conc_mg_per_L (draw median)' at screen 0.5294,0.8431 center noenhanced
set format x ''
unset xlabel
set logscale y
set yrange [*:*]
set ytics autofreq
plot 'sweep_trajectories.csv' every ::0::180 using 'day':'conc_mg_per_L_p50' with lines lw 2 dt 1 lc rgb '#0072B2' notitle, 'sweep_trajectories.csv' every ::181::361 using 'day':'conc_mg_per_L_p50' with lines lw 2 dt 1 lc rgb '#D55E00' notitle, 'sweep_trajectories.csv' every ::362::542 using 'day':'conc_mg_per_L_p50' with lines lw 2 dt 1 lc rgb '#009E73' notitle, 'sweep_trajectories.csv' every ::543::723 using 'day':'conc_mg_per_L_p50' with lines lw 2 dt 1 lc rgb '#CC79A7' notitle, 'sweep_trajectories.csv' every ::724::904 using 'day':'conc_mg_per_L_p50' with lines lw 2 dt 1 lc rgb '#E69F00' notitle, 'sweep_trajectories.csv' every ::905::1085 using 'day':'conc_mg_per_L_p50' with lines lw 2 dt 1 lc rgb '#56B4E9' notitle, 'sweep_trajectories.csv' every ::1086::1266 using 'day':'conc_mg_per_L_p50' with lines lw 2 dt 1 lc rgb '#000000' notitle, 'sweep_trajectories.csv' every ::1267::1447 using 'day':'conc_mg_per_L_p50' with lines lw 2 dt 1 lc rgb '#F0E442' notitle, 'sweep_trajectories.csv' every ::1448::1628 using 'day':'conc_mg_per_L_p50' with lines lw 2 dt 2 lc rgb '#0072B2' notitle
unset label
set lmargin at screen 0.0731
set rmargin at screen 0.9858
set tmargin at screen 0.6524
set bmargin at screen 0.5102
unset title
set label 9 'wbc (draw median)' at screen 0.5294,0.6686 center noenhanced
set format x ''
unset xlabel
set logscale y
set yrange [*:*]
set ytics autofreq
plot 'sweep_trajectories.csv' every ::0::180 using 'day':'wbc_p50' with lines lw 2 dt 1 lc rgb '#0072B2' notitle, 'sweep_trajectories.csv' every ::181::361 using 'day':'wbc_p50' with lines lw 2 dt 1 lc rgb '#D55E00' notitle, 'sweep_trajectories.csv' every ::362::542 using 'day':'wbc_p50' with lines lw 2 dt 1 lc rgb '#009E73' notitle, 'sweep_trajectories.csv' every ::543::723 using 'day':'wbc_p50' with lines lw 2 dt 1 lc rgb '#CC79A7' notitle, 'sweep_trajectories.csv' every ::724::904 using 'day':'wbc_p50' with lines lw 2 dt 1 lc rgb '#E69F00' notitle, 'sweep_trajectories.csv' every ::905::1085 using 'day':'wbc_p50' with lines lw 2 dt 1 lc rgb '#56B4E9' notitle, 'sweep_trajectories.csv' every ::1086::1266 using 'day':'wbc_p50' with lines lw 2 dt 1 lc rgb '#000000' notitle, 'sweep_trajectories.csv' every ::1267::1447 using 'day':'wbc_p50' with lines lw 2 dt 1 lc rgb '#F0E442' notitle, 'sweep_trajectories.csv' every ::1448::1628 using 'day':'wbc_p50' with lines lw 2 dt 2 lc rgb '#0072B2' notitle
unset label
set lmargin at screen 0.0731
set rmargin at screen 0.9858
set tmargin at screen 0.4779
set bmargin at screen 0.3356
unset title
set label 9 'blast_pb_pct (draw median)' at screen 0.5294,0.4940 center noenhanced
set format x ''
unset xlabel
set logscale y
set yrange [*:*]
set ytics autofreq
plot 'sweep_trajectories.csv' every ::0::180 using 'day':'blast_pb_pct_p50' with lines lw 2 dt 1 lc rgb '#0072B2' notitle, 'sweep_trajectories.csv' every ::181::361 using 'day':'blast_pb_pct_p50' with lines lw 2 dt 1 lc rgb '#D55E00' notitle, 'sweep_trajectories.csv' every ::362::542 using 'day':'blast_pb_pct_p50' with lines lw 2 dt 1 lc rgb '#009E73' notitle, 'sweep_trajectories.csv' every ::543::723 using 'day':'blast_pb_pct_p50' with lines lw 2 dt 1 lc rgb '#CC79A7' notitle, 'sweep_trajectories.csv' every ::724::904 using 'day':'blast_pb_pct_p50' with lines lw 2 dt 1 lc rgb '#E69F00' notitle, 'sweep_trajectories.csv' every ::905::1085 using 'day':'blast_pb_pct_p50' with lines lw 2 dt 1 lc rgb '#56B4E9' notitle, 'sweep_trajectories.csv' every ::1086::1266 using 'day':'blast_pb_pct_p50' with lines lw 2 dt 1 lc rgb '#000000' notitle, 'sweep_trajectories.csv' every ::1267::1447 using 'day':'blast_pb_pct_p50' with lines lw 2 dt 1 lc rgb '#F0E442' notitle, 'sweep_trajectories.csv' every ::1448::1628 using 'day':'blast_pb_pct_p50' with lines lw 2 dt 2 lc rgb '#0072B2' notitle
unset label
set lmargin at screen 0.0731
set rmargin at screen 0.9858
set tmargin at screen 0.3034
set bmargin at screen 0.1896
unset title
set label 9 'fraction of draws still event-free (failure_free)' at screen 0.5294,0.3195 center noenhanced
set format x '%g'
set xlabel 'day'
unset logscale y
set yrange [0:1.02]
set ytics 0,0.5,1
plot 'sweep_events.csv' every ::0::180 using 'day':'failure_free' with steps lw 2 dt 1 lc rgb '#0072B2' notitle, 'sweep_events.csv' every ::181::361 using 'day':'failure_free' with steps lw 2 dt 1 lc rgb '#D55E00' notitle, 'sweep_events.csv' every ::362::542 using 'day':'failure_free' with steps lw 2 dt 1 lc rgb '#009E73' notitle, 'sweep_events.csv' every ::543::723 using 'day':'failure_free' with steps lw 2 dt 1 lc rgb '#CC79A7' notitle, 'sweep_events.csv' every ::724::904 using 'day':'failure_free' with steps lw 2 dt 1 lc rgb '#E69F00' notitle, 'sweep_events.csv' every ::905::1085 using 'day':'failure_free' with steps lw 2 dt 1 lc rgb '#56B4E9' notitle, 'sweep_events.csv' every ::1086::1266 using 'day':'failure_free' with steps lw 2 dt 1 lc rgb '#000000' notitle, 'sweep_events.csv' every ::1267::1447 using 'day':'failure_free' with steps lw 2 dt 1 lc rgb '#F0E442' notitle, 'sweep_events.csv' every ::1448::1628 using 'day':'failure_free' with steps lw 2 dt 2 lc rgb '#0072B2' notitle
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
set tmargin at screen 0.1270
set bmargin at screen 0
set key at screen 0.5,0.1270 center top horizontal maxcols 2 reverse Left samplen 2.5 spacing 1.05 noenhanced noautotitle
$pk_anchor << EOD
-9,-9
EOD
plot $pk_anchor using 1:2 with dots notitle, keyentry with lines lw 2 dt 1 lc rgb '#0072B2' title '200 mg/day qd', keyentry with lines lw 2 dt 1 lc rgb '#D55E00' title '200 mg/day bid', keyentry with lines lw 2 dt 1 lc rgb '#009E73' title '400 mg/day qd', keyentry with lines lw 2 dt 1 lc rgb '#CC79A7' title '400 mg/day bid', keyentry with lines lw 2 dt 1 lc rgb '#E69F00' title '600 mg/day qd', keyentry with lines lw 2 dt 1 lc rgb '#56B4E9' title '600 mg/day bid', keyentry with lines lw 2 dt 1 lc rgb '#000000' title '800 mg/day qd', keyentry with lines lw 2 dt 1 lc rgb '#F0E442' title '800 mg/day bid', keyentry with lines lw 2 dt 2 lc rgb '#0072B2' title 'rules rules_clinical (start 800 mg/day bid)'
unset multiplot
set output
