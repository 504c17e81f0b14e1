/* pk_fit_bands: the MAP trajectory and the bands over the posterior
 * draws (pk_fit_bands.h). */
#include "pk_fit_bands.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "pk_text.h"

/* ---- bands over the posterior draws ---- */

void pk_fit_bands_free(pk_fit_bands *b)
{
    free(b->t);
    free(b->dose);
    free(b->map);
    free(b->q);
    memset(b, 0, sizeof *b);
}

int pk_fit_bands_run(const pk_fit_problem *fp, const pk_fit_result *res, pk_fit_bands *b,
                     pk_err *err)
{
    const pk_model *m = fp->m;
    memset(b, 0, sizeof *b);
    b->n_time = fp->n_band;
    b->n_col = fp->n_band_col;
    memcpy(b->col, fp->band_col, sizeof b->col);
    size_t nt = b->n_time, nc = b->n_col, ns = m->n_state, nd = res->n_draws;
    b->t = malloc(nt * sizeof(double));
    b->dose = malloc(nt * sizeof(double));
    b->map = malloc(nt * nc * sizeof(double));
    b->q = malloc(nt * nc * 3 * sizeof(double));
    double *x = malloc(nt * ns * sizeof *x), *v = malloc((nd ? nd : 1) * sizeof *v);
    pk_solver_opts so = pk_solver_default_opts();
    so.rtol = fp->o.rtol;
    so.coupled = fp->o.coupled;
    pk_solver *s = pk_solver_new(m, &so, err);
    int rc = PK_OK;
    if (!b->t || !b->dose || !b->map || !b->q || !x || !v || !s) {
        rc = pk_err_set(err, PK_ENOMEM, "", "out of memory for bands");
        goto done;
    }
    for (size_t i = 0; i < nt; i++) {
        b->t[i] = fp->band_t[i];
        b->dose[i] = pk_dosing_daily_mg(fp->p->regimen, fp->p->n_regimen, b->t[i]);
    }
    /* the MAP trajectory */
    double theta[PK_MAX_PARAM], obs[PK_MAX_OBS];
    pk_fit_theta(fp, res->eta, theta);
    if ((rc = pk_solver_run(s, theta, fp->p->weight_kg, fp->doses, fp->n_doses, b->t, nt, x, err)))
        goto done;
    b->n_solved = 1;
    for (size_t i = 0; i < nt; i++) {
        m->observe(x + i * ns, pk_solver_derived(s), obs);
        for (size_t c = 0; c < nc; c++)
            b->map[i * nc + c] = obs[b->col[c]];
    }
    /* the draws' trajectories: their proposals', solved during SIR (a
     * proposal that failed to solve has weight 0 and is never drawn) */
    b->n_used = nd;
    for (size_t i = 0; i < nt; i++)
        for (size_t c = 0; c < nc; c++) {
            for (size_t k = 0; k < nd; k++)
                v[k] = res->prop_band[(res->draw_prop[k] * nt + i) * nc + c];
            qsort(v, nd, sizeof *v, pk_text_cmp_double);
            double *q = b->q + (i * nc + c) * 3;
            for (int z = 0; z < 3; z++) {
                static const double f[3] = {0.05, 0.5, 0.95};
                q[z] = nd ? gsl_stats_quantile_from_sorted_data(v, 1, nd, f[z]) : NAN;
            }
        }
done:
    free(x);
    free(v);
    pk_solver_free(s);
    return rc;
}
