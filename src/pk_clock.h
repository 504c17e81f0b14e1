/* pk_clock: wall-clock time for run-time reports and benchmarks.  Times
 * never enter an output file (those stay byte-identical run to run). */
#ifndef PK_CLOCK_H
#define PK_CLOCK_H

/* Seconds on the monotonic clock, from an arbitrary origin. */
double pk_clock_s(void);

#endif
