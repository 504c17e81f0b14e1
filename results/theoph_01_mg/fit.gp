# Written by pksim 0.1.0.  Run gnuplot on this file in its directory to draw the
# figure again from the data files it names.
set terminal pngcairo size 1200,900 enhanced font 'Sans,11' linewidth 1.00
set output 'fit.png'
set encoding utf8
set datafile separator comma
set datafile missing NaN
$o0_eq << EOD
0,0.74
0.010416667,2.84
0.02375,6.57
0.046666667,10.5
0.084166667,9.66
0.15916667,8.58
0.2125,8.36
0.29291667,7.47
0.37708333,6.89
0.505,5.94
1.0154167,3.28
EOD
$keyvec << EOD
-9,-9,0.001,0
EOD
set grid
set xrange [0:2.06]
set format y '%g'
set multiplot
set label 1 'theoph_01_mg (oral1cpt): MAP fit, bands over the posterior draws' at screen 0.5,0.9849 center noenhanced font ',12'
set label 2 'MAP: ka_per_h = 1.78, CL_L_per_h = 1.59, V_L = 29.5' at screen 0.5,0.9647 center noenhanced
set lmargin at screen 0.0731
set rmargin at screen 0.9858
set tmargin at screen 0.9173
set bmargin at screen 0.6613
unset title
set label 9 'Daily dose' at screen 0.5294,0.9335 center noenhanced
set format x ''
unset xlabel
set ylabel 'mg/day'
unset logscale y
set format y '%.3g'
set yrange [0:399.99]
set ytics (0, 159.996, 319.992)
plot 'fit.csv' using 'day':'dose_mg_per_day' with steps lw 2 lc rgb '#0072B2' notitle
unset label
set lmargin at screen 0.0731
set rmargin at screen 0.9858
set tmargin at screen 0.6290
set bmargin at screen 0.1170
unset title
set label 9 'Plasma concentration' at screen 0.5294,0.6452 center noenhanced
set format x '%g'
set xlabel 'day'
set ylabel 'mg/L' noenhanced
set ytics autofreq
set format y '%g'
unset logscale y
set yrange [0:*]
set label 1 'target range, low 10 mg/L' at graph 0.975, first 10 right front offset 0,-0.6 noenhanced tc rgb '#555555'
set label 2 'high 20 mg/L' at graph 0.975, first 20 right front offset 0,-0.6 noenhanced tc rgb '#555555'
plot 'fit.csv' using 'day':'conc_mg_per_L_pi05':'conc_mg_per_L_pi95' with filledcurves fc rgb '#56B4E9' fs transparent solid 0.18 noborder notitle, 'fit.csv' using 'day':'conc_mg_per_L_all_p05':'conc_mg_per_L_all_p95' with filledcurves fc rgb '#56B4E9' fs transparent solid 0.45 noborder notitle, 'fit.csv' using 'day':'conc_mg_per_L' with lines lw 2 lc rgb '#0072B2' notitle, 10 with lines dt 3 lw 1.3 lc rgb '#555555' notitle, 20 with lines dt 3 lw 1.3 lc rgb '#555555' notitle, $o0_eq using 1:2 with points pt 7 ps 1.30 lw 1.5 lc rgb '#D55E00' notitle
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
set tmargin at screen 0.0544
set bmargin at screen 0
set key at screen 0.5,0.0544 center top horizontal maxcols 2 reverse Left samplen 2.5 spacing 1.05 noenhanced noautotitle
$pk_anchor << EOD
-9,-9
EOD
plot $pk_anchor using 1:2 with dots notitle, keyentry with lines lw 2 lc rgb '#0072B2' title 'MAP', keyentry with filledcurves fc rgb '#56B4E9' fs transparent solid 0.45 noborder title '90% band, all uncertain parameters', keyentry with filledcurves fc rgb '#56B4E9' fs transparent solid 0.18 noborder title '90% prediction interval of an observation', keyentry with points pt 7 ps 1.30 lc rgb '#D55E00' title 'observed, fitted'
unset multiplot
set output
