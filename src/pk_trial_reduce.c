/* pk_trial_reduce: a trial's streaming summaries.  Memory is fixed by
 * the scenarios, read-outs and days, never by the number of patients:
 * each (scenario, read-out) keeps a running mean and sum of squared
 * deviations (Welford, in patient order) and a fixed histogram for its
 * quantiles; each event keeps a count per day.  Blocks are added in block
 * order, so the sums are the same floating-point operations in the same
 * order for any rank or thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pk_trial.h"

static void linhist_init(pk_trial_linhist *h, const double *val, size_t n, size_t stride)
{
    double mn = INFINITY, mx = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (isfinite(val[i * stride])) {
            mn = fmin(mn, val[i * stride]);
            mx = fmax(mx, val[i * stride]);
        }
    double span = mx > mn ? mx - mn : 1;
    memset(h, 0, sizeof *h);
    h->lo = mn - 10 * span; /* the first block's range widened 10 spans each side */
    h->width = 21 * span / PK_LOGHIST_BINS;
}

static void linhist_add(pk_trial_linhist *h, double x)
{
    pk_bins_add((x - h->lo) / h->width, &h->below, &h->above, h->bin);
}

/* The rank convention of pk_loghist_quantile, on a linear scale. */
static double linhist_quantile(const pk_trial_linhist *h, double p, long *clipped)
{
    double n = (double)h->below + h->above;
    for (int i = 0; i < PK_LOGHIST_BINS; i++)
        n += h->bin[i];
    return h->lo + h->width * pk_bins_rank_pos(h->bin, h->below, 0, (n - 1) * p, clipped);
}

int pk_trial_reducer_init(pk_trial_reducer *rd, const pk_model *m, size_t ns, size_t nday)
{
    memset(rd, 0, sizeof *rd);
    rd->m = m;
    rd->ns = ns;
    rd->nro = m->n_readout;
    rd->nday = nday;
    for (size_t e = 0; e < 4 && m->events[e][0]; e++) {
        int kd = pk_model_readout_index(m, m->events[e][1]);
        int kf = pk_model_readout_index(m, m->events[e][2]);
        if (kd < 0 || kf < 0)
            continue;
        rd->ev_day[rd->ne] = kd;
        rd->ev_ind[rd->ne] = kf;
        rd->ev_desired[rd->ne++] = m->readout[kf].better > 0;
    }
    rd->st = calloc(ns * (rd->nro ? rd->nro : 1), sizeof *rd->st);
    rd->ev_n = calloc(ns * (rd->ne ? rd->ne : 1), sizeof *rd->ev_n);
    rd->ev_cnt = calloc(ns * (rd->ne ? rd->ne : 1) * (nday + 1), sizeof *rd->ev_cnt);
    rd->fails = calloc(ns, sizeof *rd->fails);
    if (!rd->st || !rd->ev_n || !rd->ev_cnt || !rd->fails) {
        pk_trial_reducer_free(rd);
        return -1;
    }
    return 0;
}

void pk_trial_reducer_free(pk_trial_reducer *rd)
{
    free(rd->st);
    free(rd->ev_n);
    free(rd->ev_cnt);
    free(rd->fails);
    memset(rd, 0, sizeof *rd);
}

/* The histograms' ranges from the first block: linear when a read-out
 * takes negative values there, else logarithmic. */
static void init_ranges(pk_trial_reducer *rd, const double *ro, size_t nb)
{
    size_t ns = rd->ns, nro = rd->nro;
    for (size_t s = 0; s < ns; s++)
        for (size_t k = 0; k < nro; k++) {
            pk_trial_stat *st = &rd->st[s * nro + k];
            const double *v = ro + s * nro + k;
            for (size_t b = 0; b < nb; b++)
                st->linear |= v[b * ns * nro] < 0;
            if (st->linear)
                linhist_init(&st->lin, v, nb, ns * nro);
            else
                pk_loghist_init(&st->log, v, nb, ns * nro);
        }
}

static void add_events(pk_trial_reducer *rd, size_t s, const double *v)
{
    for (size_t e = 0; e < rd->ne; e++) {
        double ind = v[rd->ev_ind[e]], day = v[rd->ev_day[e]];
        if (isnan(ind))
            continue;
        rd->ev_n[s * rd->ne + e]++;
        if (ind != 1 || !(day <= (double)rd->nday + 1e-9))
            continue;
        size_t d = day <= 0 ? 0 : (size_t)ceil(day - 1e-9);
        rd->ev_cnt[(s * rd->ne + e) * (rd->nday + 1) + d]++;
    }
}

void pk_trial_reducer_add(pk_trial_reducer *rd, const double *ro, size_t nb)
{
    size_t ns = rd->ns, nro = rd->nro;
    if (nb == 0 || nro == 0)
        return;
    if (rd->blocks++ == 0)
        init_ranges(rd, ro, nb);
    for (size_t b = 0; b < nb; b++)
        for (size_t s = 0; s < ns; s++) {
            const double *v = ro + (b * ns + s) * nro;
            size_t nan = 0;
            for (size_t k = 0; k < nro; k++)
                nan += isnan(v[k]) != 0;
            if (nan == nro) { /* a failed simulation */
                rd->fails[s]++;
                continue;
            }
            for (size_t k = 0; k < nro; k++) {
                pk_trial_stat *st = &rd->st[s * nro + k];
                double x = v[k];
                if (isnan(x))
                    continue;
                st->min = st->n ? fmin(st->min, x) : x;
                st->max = st->n ? fmax(st->max, x) : x;
                double dx = x - st->mean;
                st->mean += dx / (double)++st->n;
                st->m2 += dx * (x - st->mean);
                if (st->linear)
                    linhist_add(&st->lin, x);
                else
                    pk_loghist_add(&st->log, x);
            }
            add_events(rd, s, v);
        }
}

pk_trial_summary pk_trial_reducer_summary(const pk_trial_reducer *rd, size_t s, size_t k,
                                          long *clipped)
{
    const pk_trial_stat *st = &rd->st[s * rd->nro + k];
    pk_trial_summary r = {st->n, NAN, NAN, NAN, {NAN, NAN, NAN}};
    if (st->n == 0)
        return r;
    double n = (double)st->n;
    r.mean = st->mean;
    r.sd = st->n > 1 ? sqrt(st->m2 / (n - 1)) : 0;
    static const double p[3] = {0.05, 0.5, 0.95};
    if (rd->m->readout[k].probability) {
        r.se = sqrt(r.mean * (1 - r.mean) / n);
        r.q[0] = r.q[1] = r.q[2] = r.mean;
        return r;
    }
    r.se = r.sd / sqrt(n);
    for (int i = 0; i < 3; i++)
        r.q[i] = fmin(fmax(st->linear ? linhist_quantile(&st->lin, p[i], clipped)
                                      : pk_loghist_quantile(&st->log, p[i], clipped),
                           st->min), st->max);
    return r;
}

double pk_trial_event(const pk_trial_reducer *rd, size_t s, size_t e, size_t d, double *se)
{
    long n = rd->ev_n[s * rd->ne + e], hit = 0;
    const long *c = rd->ev_cnt + (s * rd->ne + e) * (rd->nday + 1);
    for (size_t i = 0; i <= d && i <= rd->nday; i++)
        hit += c[i];
    if (n == 0) {
        *se = NAN;
        return NAN;
    }
    double p = (double)hit / (double)n;
    *se = sqrt(p * (1 - p) / (double)n);
    return rd->ev_desired[e] ? p : 1 - p;
}
