/* pk_sweep_sens: which assumptions drive a sweep's answer.  Draws vary the
 * estimated parameters (posterior) and every other parameter with a prior
 * spread; a ranking that rests on a parameter the data never informed is
 * one to read with care. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "pk_prcc.h"
#include "pk_sweep_impl.h"

/* Medians (probabilities: means) of every read-out of every scenario over
 * the draws whose parameter value lies in [lo, hi], into q (ns x nro x 3,
 * the median in all three); v scratch of n_draws. */
static void subset_medians(const pk_sweep_result *r, const pk_model *m, const double *th,
                           size_t np, int j, double lo, double hi, double *q, double *v)
{
    size_t ns = r->n_scen, nro = r->n_ro;
    for (size_t s = 0; s < ns; s++)
        for (size_t k = 0; k < nro; k++) {
            size_t u = 0;
            double sum = 0;
            for (size_t d = 0; d < r->n_draws; d++) {
                double x = th[d * np + (size_t)j], y = r->ro[(d * ns + s) * nro + k];
                if (x < lo || x > hi || isnan(y))
                    continue;
                v[u++] = y;
                sum += y;
            }
            double med = NAN;
            if (u && m->readout[k].probability)
                med = sum / u;
            else if (u) {
                gsl_sort(v, 1, u);
                med = gsl_stats_median_from_sorted_data(v, 1, u);
            }
            q[(s * nro + k) * 3] = q[(s * nro + k) * 3 + 1] = q[(s * nro + k) * 3 + 2] = med;
        }
}

int sweep_sensitivity(const pk_patient *p, const pk_sweep_opts *o,
                      const pk_sweep_posterior *post, const sweep_rule *rule, pk_sweep_result *r)
{
    const pk_model *m = p->model;
    size_t nd = r->n_draws, ns = r->n_scen, nro = r->n_ro, np = m->n_param;
    double *th = malloc(nd * np * sizeof *th), *x = malloc(nd * PK_MAX_PARAM * sizeof *x);
    double *y = malloc(nd * sizeof *y), *v = malloc(nd * sizeof *v);
    double *q = malloc(ns * (nro ? nro : 1) * 3 * sizeof *q);
    int *order = malloc(ns * sizeof *order);
    int rc = th && x && y && v && q && order ? 0 : -1;
    if (rc == 0)
        pk_sweep_draws(p, o, post, 0, nd, th);
    /* the parameters that vary over the draws */
    r->n_varied = 0;
    for (size_t j = 0; rc == 0 && j < np; j++) {
        int varies = 0;
        for (size_t d = 1; d < nd && !varies; d++)
            varies = th[d * np + j] != th[j];
        if (!varies)
            continue;
        r->estimated[r->n_varied] = post->loaded && post->col[j] >= 0;
        r->varied[r->n_varied++] = (int)j;
    }
    size_t nv = r->n_varied;
    size_t n_prcc = ns * nro * nv > 0 ? ns * nro * nv : 1;
    r->prcc = rc == 0 ? malloc(n_prcc * sizeof *r->prcc) : NULL;
    if (!r->prcc)
        rc = -1;
    /* PRCC over the draws that simulated, scenario by scenario */
    for (size_t s = 0; rc == 0 && s < ns; s++)
        for (size_t k = 0; rc == 0 && k < nro; k++) {
            size_t u = 0;
            for (size_t d = 0; d < nd; d++) {
                double val = r->ro[(d * ns + s) * nro + k];
                if (isnan(val))
                    continue;
                for (size_t a = 0; a < nv; a++)
                    x[u * nv + a] = th[d * np + (size_t)r->varied[a]];
                y[u++] = val;
            }
            rc = pk_prcc(x, u, nv, nv, y, r->prcc + (s * nro + k) * nv);
        }
    /* the top scenario within each tertile of each varied parameter */
    pk_sweep_result view = *r;
    view.q = q;
    view.order = order;
    for (size_t a = 0; rc == 0 && a < nv; a++) {
        int j = r->varied[a];
        for (size_t d = 0; d < nd; d++)
            v[d] = th[d * np + (size_t)j];
        gsl_sort(v, 1, nd);
        double t1 = gsl_stats_quantile_from_sorted_data(v, 1, nd, 1.0 / 3);
        double t2 = gsl_stats_quantile_from_sorted_data(v, 1, nd, 2.0 / 3);
        subset_medians(r, m, th, np, j, -INFINITY, t1, q, v);
        sweep_rank(rule, &view);
        r->top_low[a] = order[0];
        subset_medians(r, m, th, np, j, t2, INFINITY, q, v);
        sweep_rank(rule, &view);
        r->top_high[a] = order[0];
    }
    free(th);
    free(x);
    free(y);
    free(v);
    free(q);
    free(order);
    return rc;
}
