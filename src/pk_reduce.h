/* pk_reduce: fixed-memory summaries of many values, for sweeps whose
 * memory must not grow with the number of draws.
 *  - pk_loghist: counts of ln(value) in PK_LOGHIST_BINS uniform bins over
 *    a range fixed from a first sample (widened 10-fold each side), plus
 *    counts of zeros and of values below or above the range; quantiles at
 *    the rank gsl_stats_quantile_from_sorted_data uses, spread evenly over
 *    each bin.  For positive quantities spread over decades (cell counts,
 *    blast percentages).
 *  - pk_tally: exact counts of a few distinct values (daily doses, whole
 *    tablets), and their exact median. */
#ifndef PK_REDUCE_H
#define PK_REDUCE_H

#include <stddef.h>
#include <stdint.h>

#define PK_LOGHIST_BINS 256

/* The bins of a fixed histogram (pk_loghist's, and a trial's linear one):
 * PK_LOGHIST_BINS uniform bins over a range, with counts below and above
 * it.  pk_bins_add counts a value at position pos, in bins from the range
 * start. */
void pk_bins_add(double pos, uint32_t *below, uint32_t *above, uint32_t *bin);

/* The position, in bins from the range start, of rank r among values
 * counted in order: seen of them before the range's (r >= seen), below
 * it, in the bins, above it.  Spread evenly over each bin; clipped to 0
 * or PK_LOGHIST_BINS (incrementing *clipped) when r falls outside the
 * bins. */
double pk_bins_rank_pos(const uint32_t *bin, uint32_t below, double seen, double r,
                        long *clipped);

typedef struct pk_loghist {
    double lo, width;    /* ln of the range start; bin width in ln units */
    uint32_t zero, below, above, bin[PK_LOGHIST_BINS];
} pk_loghist;

/* Sets the range from n values val[0], val[stride], ... (NaN and values
 * <= 0 ignored; none positive: 1e-12..1e6) and clears the counts. */
void pk_loghist_init(pk_loghist *h, const double *val, size_t n, size_t stride);

/* Counts x (NaN skipped; x <= 0 counts as zero). */
void pk_loghist_add(pk_loghist *h, double x);

/* Quantile p in [0, 1]; 0 without values.  A rank in the values outside
 * the range gives the range's edge and increments *clipped. */
double pk_loghist_quantile(const pk_loghist *h, double p, long *clipped);

#define PK_TALLY_MAX 16

typedef struct pk_tally {
    double v[PK_TALLY_MAX];
    long n[PK_TALLY_MAX];
    int k;
} pk_tally;

/* Counts v; -1 when the tally already holds PK_TALLY_MAX other values. */
int pk_tally_add(pk_tally *t, double v);

/* The median as gsl_stats_median_from_sorted_data gives it (0 if empty). */
double pk_tally_median(const pk_tally *t);

#endif
