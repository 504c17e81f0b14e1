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
set lmargin at screen 0.1202
set rmargin at screen 0.3869
set tmargin at screen 0.9193
set bmargin at screen 0.5302
set label 9 'frac_in_10_20_mg_per_L' at screen 0.2536,0.9314 center noenhanced
set ytics ('400 mg/day qd' 1, '400 mg/day bid' 2, '200 mg/day qd' 3, '200 mg/day bid' 4, '800 mg/day bid' 5, '800 mg/day qd' 6, '1600 mg/day qd' 7, '1600 mg/day bid' 8) noenhanced
set xrange [*:*]
set xtics 0.2
plot 'sweep.csv' using 'frac_in_10_20_mg_per_L_p50':($0+1):'frac_in_10_20_mg_per_L_p05':'frac_in_10_20_mg_per_L_p95' with xerrorbars pt 7 ps 1.2 lw 1.5 lc rgb '#D55E00'
unset label
set lmargin at screen 0.4210
set rmargin at screen 0.6878
set tmargin at screen 0.9193
set bmargin at screen 0.5302
set label 9 'frac_above_20_mg_per_L' at screen 0.5544,0.9314 center noenhanced
set ytics 1,1 format ''
set xrange [*:*]
set xtics 0.5
plot 'sweep.csv' using 'frac_above_20_mg_per_L_p50':($0+1):'frac_above_20_mg_per_L_p05':'frac_above_20_mg_per_L_p95' with xerrorbars pt 7 ps 1.2 lw 1.5 lc rgb '#D55E00'
unset label
set lmargin at screen 0.7219
set rmargin at screen 0.9886
set tmargin at screen 0.9193
set bmargin at screen 0.5302
set label 9 'frac_below_10_mg_per_L' at screen 0.8553,0.9314 center noenhanced
set ytics 1,1 format ''
set xrange [*:*]
set xtics 0.5
plot 'sweep.csv' using 'frac_below_10_mg_per_L_p50':($0+1):'frac_below_10_mg_per_L_p05':'frac_below_10_mg_per_L_p95' with xerrorbars pt 7 ps 1.2 lw 1.5 lc rgb '#D55E00'
unset label
set lmargin at screen 0.1202
set rmargin at screen 0.3869
set tmargin at screen 0.4415
set bmargin at screen 0.0524
set label 9 'cmin_mg_per_L' at screen 0.2536,0.4536 center noenhanced
set ytics ('400 mg/day qd' 1, '400 mg/day bid' 2, '200 mg/day qd' 3, '200 mg/day bid' 4, '800 mg/day bid' 5, '800 mg/day qd' 6, '1600 mg/day qd' 7, '1600 mg/day bid' 8) noenhanced
set xrange [*:*]
set xtics 10
plot 'sweep.csv' using 'cmin_mg_per_L_p50':($0+1):'cmin_mg_per_L_p05':'cmin_mg_per_L_p95' with xerrorbars pt 7 ps 1.2 lw 1.5 lc rgb '#D55E00'
unset label
set lmargin at screen 0.4210
set rmargin at screen 0.6878
set tmargin at screen 0.4415
set bmargin at screen 0.0524
set label 9 'cmax_mg_per_L' at screen 0.5544,0.4536 center noenhanced
set ytics 1,1 format ''
set xrange [*:*]
set xtics 20
plot 'sweep.csv' using 'cmax_mg_per_L_p50':($0+1):'cmax_mg_per_L_p05':'cmax_mg_per_L_p95' with xerrorbars pt 7 ps 1.2 lw 1.5 lc rgb '#D55E00'
unset label
set lmargin at screen 0.7219
set rmargin at screen 0.9886
set tmargin at screen 0.4415
set bmargin at screen 0.0524
set label 9 'auc24_mg_h_per_L' at screen 0.8553,0.4536 center noenhanced
set ytics 1,1 format ''
set xrange [*:*]
set xtics 500
plot 'sweep.csv' using 'auc24_mg_h_per_L_p50':($0+1):'auc24_mg_h_per_L_p05':'auc24_mg_h_per_L_p95' with xerrorbars pt 7 ps 1.2 lw 1.5 lc rgb '#D55E00'
unset label
unset multiplot
set output
