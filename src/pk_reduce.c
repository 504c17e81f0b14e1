/* pk_reduce: fixed-memory summaries (see pk_reduce.h).  GSL's
 * gsl_histogram keeps a double per bin and per edge, four times these
 * counts, and its P^2 streaming quantiles (gsl_rstat_quantile) were off by
 * up to 40% on blast percentages spread over decades. */
#include "pk_reduce.h"

#include <math.h>
#include <string.h>

#define LN10 2.302585092994045684 /* the range margin: a factor 10 */

void pk_bins_add(double pos, uint32_t *below, uint32_t *above, uint32_t *bin)
{
    if (pos < 0)
        (*below)++;
    else if (pos >= PK_LOGHIST_BINS)
        (*above)++;
    else
        bin[(size_t)pos]++;
}

double pk_bins_rank_pos(const uint32_t *bin, uint32_t below, double seen, double r,
                        long *clipped)
{
    if (r < (seen += below)) {
        ++*clipped;
        return 0;
    }
    for (int i = 0; i < PK_LOGHIST_BINS; i++) {
        if (bin[i] && r < seen + bin[i])
            return i + (r - seen + 0.5) / bin[i];
        seen += bin[i];
    }
    ++*clipped;
    return PK_LOGHIST_BINS;
}

void pk_loghist_init(pk_loghist *h, const double *val, size_t n, size_t stride)
{
    double mn = INFINITY, mx = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double x = val[i * stride];
        if (x > 0) {
            mn = fmin(mn, log(x));
            mx = fmax(mx, log(x));
        }
    }
    if (!(mn <= mx)) {
        mn = log(1e-12);
        mx = log(1e6);
    }
    memset(h, 0, sizeof *h);
    h->lo = mn - LN10;
    h->width = (mx - mn + 2 * LN10) / PK_LOGHIST_BINS;
}

void pk_loghist_add(pk_loghist *h, double x)
{
    if (isnan(x))
        return;
    if (!(x > 0)) {
        h->zero++;
        return;
    }
    pk_bins_add((log(x) - h->lo) / h->width, &h->below, &h->above, h->bin);
}

double pk_loghist_quantile(const pk_loghist *h, double p, long *clipped)
{
    double n = (double)h->zero + h->below + h->above;
    for (int i = 0; i < PK_LOGHIST_BINS; i++)
        n += h->bin[i];
    if (n == 0)
        return 0;
    double r = (n - 1) * p;
    if (r < h->zero)
        return 0;
    return exp(h->lo + h->width * pk_bins_rank_pos(h->bin, h->below, h->zero, r, clipped));
}

int pk_tally_add(pk_tally *t, double v)
{
    for (int i = 0; i < t->k; i++)
        if (t->v[i] == v) {
            t->n[i]++;
            return 0;
        }
    if (t->k == PK_TALLY_MAX)
        return -1;
    t->v[t->k] = v;
    t->n[t->k++] = 1;
    return 0;
}

double pk_tally_median(const pk_tally *t)
{
    long total = 0;
    int idx[PK_TALLY_MAX];
    for (int i = 0; i < t->k; i++) {
        total += t->n[i];
        idx[i] = i;
    }
    if (total == 0)
        return 0;
    for (int i = 1; i < t->k; i++) /* a handful of values: insertion sort */
        for (int j = i; j > 0 && t->v[idx[j]] < t->v[idx[j - 1]]; j--) {
            int x = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = x;
        }
    long lo = (total - 1) / 2, hi = total / 2, seen = 0;
    double a = 0, b = 0;
    for (int i = 0; i < t->k; i++) {
        long n = t->n[idx[i]];
        if (lo >= seen && lo < seen + n)
            a = t->v[idx[i]];
        if (hi >= seen && hi < seen + n)
            b = t->v[idx[i]];
        seen += n;
    }
    return (a + b) / 2;
}
