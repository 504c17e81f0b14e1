# Written by pksim 0.1.0.  Run gnuplot on this file in its directory to draw the
# figure again from the data files it names.
set terminal pngcairo size 1200,900 enhanced font 'Sans,11' linewidth 1.00
set output 'sweep_readouts.png'
set encoding utf8
set datafile separator comma
set datafile missing NaN
set multiplot
set label 1 'Read-outs of every scenario, best ranked first: median and 5-95% of the draws; probabilities as bars' at screen 0.5,0.9798 center noenhanced
set yrange [8.6:0.4]
set grid xtics
unset key
set offsets graph 0.05, graph 0.05, 0, 0
set lmargin at screen 0.1133
set rmargin at screen 0.3823
set tmargin at screen 0.9193
set bmargin at screen 0.5302
set label 9 'p_success' at screen 0.2478,0.9314 center noenhanced
set ytics ('800 mg/day qd' 1, '800 mg/day bid' 2, '600 mg/day bid' 3, '600 mg/day qd' 4, '400 mg/day qd' 5, '400 mg/day bid' 6, '200 mg/day qd' 7, '200 mg/day bid' 8) noenhanced
set xrange [0:1.05]
set xtics 0.5
plot 'sweep.csv' using (0):($0+1):(0):'p_success':($0+0.65):($0+1.35) with boxxyerror fs solid 0.6 lc rgb '#0072B2'
unset label
set lmargin at screen 0.4164
set rmargin at screen 0.6855
set tmargin at screen 0.9193
set bmargin at screen 0.5302
set label 9 'p_hr' at screen 0.5510,0.9314 center noenhanced
set ytics 1,1 format ''
set xrange [0:1.05]
set xtics 0.5
plot 'sweep.csv' using (0):($0+1):(0):'p_hr':($0+0.65):($0+1.35) with boxxyerror fs solid 0.6 lc rgb '#0072B2'
unset label
set lmargin at screen 0.7196
set rmargin at screen 0.9886
set tmargin at screen 0.9193
set bmargin at screen 0.5302
set label 9 'hr_day' at screen 0.8541,0.9314 center noenhanced
set ytics 1,1 format ''
set xrange [*:*]
set xtics 5
plot 'sweep.csv' using 'hr_day_p50':($0+1):'hr_day_p05':'hr_day_p95' with xerrorbars pt 7 ps 1.2 lw 1.5 lc rgb '#D55E00'
unset label
set lmargin at screen 0.1133
set rmargin at screen 0.3823
set tmargin at screen 0.4415
set bmargin at screen 0.0524
set label 9 'relapse_free_days' at screen 0.2478,0.4536 center noenhanced
set ytics ('800 mg/day qd' 1, '800 mg/day bid' 2, '600 mg/day bid' 3, '600 mg/day qd' 4, '400 mg/day qd' 5, '400 mg/day bid' 6, '200 mg/day qd' 7, '200 mg/day bid' 8) noenhanced
set xrange [*:*]
set xtics 50
plot 'sweep.csv' using 'relapse_free_days_p50':($0+1):'relapse_free_days_p05':'relapse_free_days_p95' with xerrorbars pt 7 ps 1.2 lw 1.5 lc rgb '#D55E00'
unset label
set lmargin at screen 0.4164
set rmargin at screen 0.6855
set tmargin at screen 0.4415
set bmargin at screen 0.0524
set label 9 'grade4_days' at screen 0.5510,0.4536 center noenhanced
set ytics 1,1 format ''
set xrange [*:*]
set xtics 10
plot 'sweep.csv' using 'grade4_days_p50':($0+1):'grade4_days_p05':'grade4_days_p95' with xerrorbars pt 7 ps 1.2 lw 1.5 lc rgb '#D55E00'
unset label
set lmargin at screen 0.7196
set rmargin at screen 0.9886
set tmargin at screen 0.4415
set bmargin at screen 0.0524
set label 9 'p_relapse' at screen 0.8541,0.4536 center noenhanced
set ytics 1,1 format ''
set xrange [0:1.05]
set xtics 0.5
plot 'sweep.csv' using (0):($0+1):(0):'p_relapse':($0+0.65):($0+1.35) with boxxyerror fs solid 0.6 lc rgb '#0072B2'
unset label
unset multiplot
set output
