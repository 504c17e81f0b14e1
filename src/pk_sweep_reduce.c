/* pk_sweep_reduce: read-outs and trajectories over the draws, reduced to
 * quantiles and probabilities, and the ranking of the scenarios. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "pk_sweep_impl.h"
#include "pk_text.h"

static const double quant_p[3] = {0.05, 0.5, 0.95};

void sweep_reducer_free(sweep_reducer *rd)
{
    free(rd->ro);
    free(rd->tr);
    free(rd->dose);
    memset(rd, 0, sizeof *rd);
}

int sweep_reducer_init(sweep_reducer *rd, const pk_model *m, size_t ns, size_t nd, size_t nday,
                       size_t ndd, size_t ntr)
{
    *rd = (sweep_reducer){ns, nd, nday, ndd, m->n_readout, ntr, m->readout, NULL, NULL, NULL, 0};
    rd->ro = malloc((nd * ns * rd->nro > 0 ? nd * ns * rd->nro : 1) * sizeof *rd->ro);
    rd->dose = calloc(ns * (nday + 1), sizeof *rd->dose);
    if (nd > SWEEP_BLOCK)
        rd->tr = calloc(ns * (nday + 1) * ntr, sizeof *rd->tr);
    return rd->ro && rd->dose && (nd <= SWEEP_BLOCK || rd->tr) ? 0 : -1;
}

/* Exact 5/50/95% of n values (NaN skipped: all NaN gives NaN), v scratch
 * of n. */
static void exact_quantiles(const double *val, size_t n, size_t stride, double *v, double *q)
{
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(val[i * stride]))
            v[u++] = val[i * stride];
    qsort(v, u, sizeof *v, pk_text_cmp_double);
    for (int z = 0; z < 3; z++)
        q[z] = u ? gsl_stats_quantile_from_sorted_data(v, 1, u, quant_p[z]) : NAN;
}

int sweep_reducer_add_block(sweep_reducer *rd, size_t d0, size_t nb, const double *ro,
                            const double *tr, const double *daily)
{
    size_t ns = rd->ns, nt = rd->nday + 1, ndd = rd->ndd, ntr = rd->ntr;
    memcpy(rd->ro + d0 * ns * rd->nro, ro, nb * ns * rd->nro * sizeof *ro);
    for (size_t si = 0; si < ns; si++)
        for (size_t k = 0; k < nt; k++) {
            /* the horizon day itself shows the last day's dose */
            for (size_t b = 0; b < nb && ndd > 0; b++)
                if (pk_tally_add(&rd->dose[si * nt + k],
                              daily[(b * ns + si) * ndd + (k < ndd ? k : ndd - 1)]))
                    return -1;
            if (!rd->tr)
                continue;
            for (size_t c = 0; c < ntr; c++) {
                pk_loghist *h = &rd->tr[(si * nt + k) * ntr + c];
                const double *col = tr + (si * nt + k) * ntr + c;
                size_t stride = ns * nt * ntr;
                if (d0 == 0)
                    pk_loghist_init(h, col, nb, stride);
                for (size_t b = 0; b < nb; b++)
                    pk_loghist_add(h, col[b * stride]);
            }
        }
    return 0;
}

int sweep_reducer_finish(sweep_reducer *rd, const double *tr0, pk_sweep_result *r)
{
    size_t ns = rd->ns, nd = rd->nd, nt = rd->nday + 1, nro = rd->nro, ntr = rd->ntr;
    double *v = malloc(nd * sizeof *v);
    if (!v)
        return -1;
    for (size_t si = 0; si < ns; si++) {
        for (size_t k = 0; k < nro; k++) {
            double *q = r->q + (si * nro + k) * 3;
            const double *col = rd->ro + si * nro + k;
            size_t stride = ns * nro;
            if (rd->def[k].probability) { /* the mean of the indicator */
                double sum = 0;
                size_t u = 0;
                for (size_t d = 0; d < nd; d++)
                    if (!isnan(col[d * stride])) {
                        sum += col[d * stride];
                        u++;
                    }
                q[0] = q[1] = q[2] = u ? sum / u : NAN;
            } else {
                exact_quantiles(col, nd, stride, v, q);
            }
        }
        for (size_t k = 0; k < nt; k++) {
            r->dose[si * nt + k] = pk_tally_median(&rd->dose[si * nt + k]);
            for (size_t c = 0; c < ntr; c++) {
                double *q = r->traj + ((si * nt + k) * ntr + c) * 3;
                if (!rd->tr)
                    exact_quantiles(tr0 + (si * nt + k) * ntr + c, nd, ns * nt * ntr, v, q);
                else
                    for (int z = 0; z < 3; z++)
                        q[z] = pk_loghist_quantile(&rd->tr[(si * nt + k) * ntr + c], quant_p[z],
                                                   &rd->clipped);
            }
        }
    }
    free(v);
    r->clipped = rd->clipped;
    r->ro = rd->ro; /* the per-draw table and the event curves read them */
    rd->ro = NULL;
    return 0;
}

int sweep_record_changes(pk_sweep_result *r, size_t draw, const double *daily, size_t ndd)
{
    for (size_t k = 0; k < ndd; k++) {
        if (k > 0 && daily[k] == daily[k - 1])
            continue;
        if (r->n_change == r->cap_change) {
            size_t cap = r->cap_change ? 2 * r->cap_change : 256;
            pk_dose_change *c = realloc(r->change, cap * sizeof *c);
            if (!c)
                return -1;
            r->change = c;
            r->cap_change = cap;
        }
        r->change[r->n_change++] = (pk_dose_change){draw, k, daily[k]};
    }
    return 0;
}

/* Median of read-out k of scenario s. */
static double median(const pk_sweep_result *r, size_t s, int k)
{
    return r->q[(s * r->n_ro + (size_t)k) * 3 + 1];
}

/* < 0: a before b on read-out k in direction dir (NaN last); 0: equal. */
static int compare(const pk_sweep_result *r, size_t a, size_t b, int k, int dir)
{
    double va = median(r, a, k), vb = median(r, b, k);
    if (isnan(va) || isnan(vb))
        return isnan(va) - isnan(vb);
    return va == vb ? 0 : (va > vb) == (dir > 0) ? -1 : 1;
}

static int before(const sweep_rule *u, const pk_sweep_result *r, size_t a, size_t b)
{
    if (u->limit >= 0) {
        int oka = median(r, a, u->limit) <= u->limit_max, okb = median(r, b, u->limit) <= u->limit_max;
        if (oka != okb)
            return oka;
    }
    int c = compare(r, a, b, u->key, u->dir);
    for (size_t k = 0; !c && k < u->n_tie; k++)
        c = compare(r, a, b, u->tie[k], u->tie_dir[k]);
    return c < 0;
}

void sweep_rank(const sweep_rule *u, pk_sweep_result *r)
{
    size_t ns = r->n_scen;
    for (size_t i = 0; i < ns; i++)
        r->order[i] = (int)i;
    if (u->key < 0)
        return; /* no rule: the scenarios' own order */
    /* insertion sort: stable, so equal scenarios keep their order */
    for (size_t i = 1; i < ns; i++)
        for (size_t j = i; j > 0 && before(u, r, (size_t)r->order[j], (size_t)r->order[j - 1]);
             j--) {
            int tmp = r->order[j - 1];
            r->order[j - 1] = r->order[j];
            r->order[j] = tmp;
        }
}
