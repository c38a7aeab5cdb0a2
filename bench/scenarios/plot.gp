# The PNG plots of the bench results, from summarize.py's .dat files; a plot
# whose file is absent (its scenario did not run) is skipped.
# usage: gnuplot -e "dir='bench/results'" bench/scenarios/plot.gp
set terminal pngcairo size 900,540 font ",11" noenhanced
set grid ytics
set key top left

has(file) = system('test -s '.dir.'/'.file.' && echo 1') eq '1'

# Latency by percentile at each fixed rate (log scale: the tail is the point).
if (has('latency.dat')) {
  set output dir.'/latency.png'
  set title 'irsa-webhook latency by percentile, open loop, ~7.5 KB pods, one server core (client side)'
  set ylabel 'latency (ms)'
  set logscale y
  set xrange [-0.3:4.3]
  stats dir.'/latency.dat' skip 1 nooutput
  plot for [i=3:STATS_columns] dir.'/latency.dat' using 1:i:xtic(2) with linespoints lw 2 pt 7 title columnheader(i)
}

# Throughput on one core by pod size.
if (has('throughput.dat')) {
  reset
  set terminal pngcairo size 900,540 font ",11" noenhanced
  set output dir.'/throughput.png'
  set title 'irsa-webhook throughput on one core, closed loop, 8 keep-alive TLS connections'
  set ylabel 'requests per second'
  set grid ytics
  set style data histograms
  set style fill solid 0.8 border -1
  set boxwidth 0.6
  set yrange [0:*]
  set key off
  plot dir.'/throughput.dat' using 2:xtic(1) title 'req/s', '' using 0:2:(sprintf('%.0f', $2)) with labels offset 0,1 notitle
}

# Side by side: server CPU per request of the reference and irsa-webhook by pod size.
if (has('sidebyside.dat')) {
  reset
  set terminal pngcairo size 900,540 font ",11" noenhanced
  set output dir.'/sidebyside.png'
  set title 'server CPU per request, closed loop, one core: the reference and irsa-webhook'
  set ylabel 'CPU microseconds per request'
  set grid ytics
  set style data histograms
  set style histogram clustered gap 1
  set style fill solid 0.8 border -1
  set yrange [0:*]
  set key top left
  plot dir.'/sidebyside.dat' using 2:xtic(1) title columnheader(2), '' using 3 title columnheader(3)
}
