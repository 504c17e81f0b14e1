/* pk_fit_bands: the MAP trajectory, the bands over the parameters and the
 * 90% prediction interval (pk_fit_bands.h). */
#include "pk_fit_bands.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "pk_lik.h"
#include "pk_observe.h"
#include "pk_prior.h"
#include "pk_text.h"

/* Simulated observations behind the prediction interval: at least this
 * many per time point (the draws, each observed reps times), so that its
 * 5% and 95% points rest on about 100 values beyond them. */
#define PI_MIN_SAMPLES 2000

pk_fit_bands_opts pk_fit_bands_default_opts(void)
{
    pk_fit_bands_opts o = {.params = PK_BANDS_ALL};
    return o;
}

void pk_fit_bands_free(pk_fit_bands *b)
{
    free(b->t);
    free(b->dose);
    free(b->map);
    free(b->q);
    free(b->q_all);
    free(b->pi);
    free(b->obs_pi);
    memset(b, 0, sizeof *b);
}

/* 5/50/95% (nq 3) or 5/95% (nq 2) of v[0 .. n), sorted here, into q
 * (NAN without values). */
static void quantiles(double *v, size_t n, int nq, double *q)
{
    static const double f3[3] = {0.05, 0.5, 0.95}, f2[2] = {0.05, 0.95};
    qsort(v, n, sizeof *v, pk_text_cmp_double);
    for (int z = 0; z < nq; z++)
        q[z] = n ? gsl_stats_quantile_from_sorted_data(v, 1, n, nq == 3 ? f3[z] : f2[z]) : NAN;
}

/* Is the output ever observed, so that it has a prediction interval? */
static int observable(const pk_obs_def *od)
{
    return od->error != PK_ERRMODEL_NONE && !(od->error == PK_ERRMODEL_BINOMIAL && od->default_n <= 0);
}

/* One simulated observation of output mu under od's error model: counts
 * of n cells as a percentage, the SDs times err_scale (the fit's factor
 * when maximum likelihood profiled the error SD, else 1). */
static double observe_noisy(const pk_obs_def *od, double mu, int n, double err_scale,
                            const gsl_rng *r)
{
    switch (od->error) {
    case PK_ERRMODEL_LOGNORMAL:
        return mu > 0 ? mu * exp(gsl_ran_gaussian_ziggurat(r, od->a * err_scale)) : 0.0;
    case PK_ERRMODEL_BINOMIAL:
        return n > 0 ? 100.0 * gsl_ran_binomial(r, fmin(fmax(mu / 100, 0), 1), (unsigned)n) / n
                     : NAN;
    case PK_ERRMODEL_PROP_ADD:
        return mu + gsl_ran_gaussian_ziggurat(
                        r, err_scale * sqrt(od->a * od->a + od->b * od->b * mu * mu));
    case PK_ERRMODEL_ADDITIVE:
        return mu + gsl_ran_gaussian_ziggurat(r, od->a * err_scale);
    default:
        return NAN;
    }
}

/* A parameter q_all draws from its prior: uncertain (a spread, not
 * fixed) and not estimated. */
static int from_prior(const pk_fit_problem *fp, size_t j)
{
    for (size_t e = 0; e < fp->n_est; e++)
        if ((size_t)fp->est[e] == j)
            return 0;
    const pk_param_setting *s = &fp->p->param[j];
    return !s->fixed && s->prior != PK_PRIOR_FIXED && s->spread > 0;
}

/* Draw k's parameters: the estimated ones from posterior draw k, with
 * PK_BANDS_ALL every other uncertain one from its prior on the draw's
 * stream.  0 when no stream could be made. */
static int draw_theta(const pk_fit_problem *fp, const pk_fit_result *res, pk_bands_params which,
                      size_t k, double *theta)
{
    pk_fit_theta(fp, res->draws + k * fp->n_est, theta);
    if (which != PK_BANDS_ALL)
        return 1;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng)
        return 0;
    gsl_rng_set(rng, pk_prior_stream_seed(fp->o.seed, PK_BANDS_STREAM_PARAM + k));
    const pk_model *m = fp->m;
    for (size_t j = 0; j < m->n_param; j++)
        if (from_prior(fp, j)) {
            const pk_param_setting *s = &fp->p->param[j];
            theta[j] = pk_prior_draw_in(s->prior, fp->theta0[j], s->spread, m->param[j].lo,
                                        m->param[j].hi, rng);
        }
    gsl_rng_free(rng);
    return 1;
}

/* The draws' simulations: outputs on the band grid, and simulated
 * observations there and at the patient's observations. */
typedef struct draw_sims {
    size_t nd, reps;
    unsigned char *ok; /* nd: the draw solved */
    float *yb;         /* nd x n_band x n_col: outputs */
    float *zb;         /* nd x reps x n_band x n_col: simulated observations */
    float *zo;         /* nd x reps x n_obs: simulated observations at the patient's */
    double *mu;        /* per thread: n_obs predictions */
} draw_sims;

/* Draw k solved with solver s into the state buffer x (n_all x n_state),
 * its outputs and simulated observations stored in ds.  0 when it failed. */
static int simulate_draw(const pk_fit_problem *fp, const pk_fit_result *res, pk_bands_params which,
                         pk_solver *s, double *x, double *mu, size_t k, draw_sims *ds)
{
    const pk_model *m = fp->m;
    const pk_patient *p = fp->p;
    size_t nb = fp->n_band, nc = fp->n_band_col, no = p->n_obs, R = ds->reps;
    double theta[PK_MAX_PARAM];
    pk_err e = {0};
    if (!draw_theta(fp, res, which, k, theta) ||
        pk_solver_run(s, theta, p->weight_kg, fp->doses, fp->n_doses, fp->t_all, fp->n_all, x, &e))
        return 0;
    const double *d = pk_solver_derived(s);
    float *yb = ds->yb + k * nb * nc;
    pk_observe_rows_float(m, d, x, fp->band_row, nb, fp->band_col, nc, yb);
    pk_observe_pairs(m, d, x, fp->obs_t_all, fp->obs_col, no, mu);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng)
        return 0;
    gsl_rng_set(rng, pk_prior_stream_seed(fp->o.seed, PK_BANDS_STREAM_NOISE + k));
    for (size_t r = 0; r < R; r++) {
        float *zb = ds->zb + (k * R + r) * nb * nc, *zo = ds->zo + (k * R + r) * no;
        for (size_t i = 0; i < nb; i++)
            for (size_t c = 0; c < nc; c++) {
                const pk_obs_def *od = &m->obs[fp->band_col[c]];
                zb[i * nc + c] = (float)observe_noisy(od, yb[i * nc + c], od->default_n,
                                                      res->err_scale, rng);
            }
        for (size_t j = 0; j < no; j++) {
            const pk_obs_def *od = &m->obs[p->obs[j].obs];
            zo[j] = (float)observe_noisy(od, mu[j], pk_lik_cells(od, &p->obs[j]), res->err_scale,
                                         rng);
        }
    }
    gsl_rng_free(rng);
    return 1;
}

static int n_threads(const pk_fit_problem *fp)
{
#ifdef _OPENMP
    return fp->o.threads > 0 ? fp->o.threads : omp_get_max_threads();
#else
    (void)fp;
    return 1;
#endif
}

/* Every draw solved at the SIR's tolerance, in parallel; each draw's
 * results depend on its index alone. */
static int simulate_draws(const pk_fit_problem *fp, const pk_fit_result *res,
                          pk_bands_params which, draw_sims *ds, long *solved, pk_err *err)
{
    long sims = 0;
    int nt = n_threads(fp);
    (void)nt;
#pragma omp parallel num_threads(nt) reduction(+ : sims)
    {
        pk_err e = {0};
        pk_solver_opts so = pk_solver_default_opts();
        so.rtol = fp->o.sir_rtol;
        so.coupled = fp->o.coupled;
        pk_solver *s = pk_solver_new(fp->m, &so, &e);
        double *x = malloc(fp->n_all * fp->m->n_state * sizeof *x);
        double *mu = malloc((fp->p->n_obs + 1) * sizeof *mu);
#pragma omp for schedule(dynamic, 8)
        for (size_t k = 0; k < ds->nd; k++) {
            ds->ok[k] = s && x && mu && !pk_interrupted() &&
                        simulate_draw(fp, res, which, s, x, mu, k, ds);
            sims++;
        }
        free(x);
        free(mu);
        pk_solver_free(s);
    }
    *solved += sims;
    if (pk_interrupted())
        return pk_err_set(err, PK_EINTR, "", "interrupted: no output written");
    return PK_OK;
}

/* q_all and pi from the draws' simulations; v: scratch of nd * reps. */
static void draw_quantiles(const pk_fit_problem *fp, const draw_sims *ds, pk_fit_bands *b,
                           double *v)
{
    const pk_model *m = fp->m;
    size_t nb = b->n_time, nc = b->n_col, no = fp->p->n_obs, R = ds->reps;
    for (size_t i = 0; i < nb; i++)
        for (size_t c = 0; c < nc; c++) {
            size_t n = 0;
            for (size_t k = 0; k < ds->nd && b->q_all; k++)
                if (ds->ok[k])
                    v[n++] = ds->yb[(k * nb + i) * nc + c];
            if (b->q_all)
                quantiles(v, n, 3, b->q_all + (i * nc + c) * 3);
            n = 0;
            for (size_t k = 0; k < ds->nd * R; k++)
                if (ds->ok[k / R] && isfinite(ds->zb[(k * nb + i) * nc + c]))
                    v[n++] = ds->zb[(k * nb + i) * nc + c];
            quantiles(v, observable(&m->obs[b->col[c]]) ? n : 0, 2, b->pi + (i * nc + c) * 2);
        }
    for (size_t j = 0; j < no; j++) {
        size_t n = 0;
        for (size_t k = 0; k < ds->nd * R; k++)
            if (ds->ok[k / R] && isfinite(ds->zo[k * no + j]))
                v[n++] = ds->zo[k * no + j];
        quantiles(v, observable(&m->obs[fp->p->obs[j].obs]) ? n : 0, 2, b->obs_pi + j * 2);
    }
}

/* q_all and pi: the draws simulated, then their quantiles. */
static int draw_bands(const pk_fit_problem *fp, const pk_fit_result *res, const pk_fit_bands_opts *o,
                      pk_fit_bands *b, pk_err *err)
{
    size_t nd = res->n_draws, nb = b->n_time, nc = b->n_col, no = fp->p->n_obs;
    draw_sims ds = {.nd = nd, .reps = (PI_MIN_SAMPLES + nd - 1) / nd};
    ds.ok = calloc(nd, 1);
    ds.yb = malloc(nd * nb * nc * sizeof *ds.yb);
    ds.zb = malloc(nd * ds.reps * nb * nc * sizeof *ds.zb);
    ds.zo = malloc((nd * ds.reps * no + 1) * sizeof *ds.zo);
    double *v = malloc(nd * ds.reps * sizeof *v);
    b->params = o->params;
    b->noise_reps = (int)ds.reps;
    b->q_all = o->params == PK_BANDS_ALL ? malloc(nb * nc * 3 * sizeof *b->q_all) : NULL;
    b->pi = malloc(nb * nc * 2 * sizeof *b->pi);
    b->obs_pi = malloc((no + 1) * 2 * sizeof *b->obs_pi);
    int rc = PK_OK;
    if (!ds.ok || !ds.yb || !ds.zb || !ds.zo || !v || !b->pi || !b->obs_pi ||
        (o->params == PK_BANDS_ALL && !b->q_all))
        rc = pk_err_set(err, PK_ENOMEM, "", "out of memory for the bands of %zu draws", nd);
    else
        rc = simulate_draws(fp, res, o->params, &ds, &b->n_solved, err);
    if (rc == PK_OK) {
        for (size_t k = 0; k < nd; k++)
            b->n_sim += ds.ok[k];
        for (size_t j = 0; j < fp->m->n_param && o->params == PK_BANDS_ALL; j++)
            b->n_prior += (size_t)from_prior(fp, j);
        if (b->n_sim == 0)
            rc = pk_err_set(err, PK_ESOLVER, "", "none of the %zu posterior draws solved for the "
                            "bands", nd);
        else
            draw_quantiles(fp, &ds, b, v);
    }
    free(ds.ok);
    free(ds.yb);
    free(ds.zb);
    free(ds.zo);
    free(v);
    return rc;
}

/* The grid, the daily doses and the MAP trajectory at the fit's rtol. */
static int map_trajectory(const pk_fit_problem *fp, const pk_fit_result *res, pk_fit_bands *b,
                          pk_err *err)
{
    const pk_model *m = fp->m;
    size_t nt = b->n_time, ns = m->n_state;
    double *x = malloc(nt * ns * sizeof *x);
    pk_solver_opts so = pk_solver_default_opts();
    so.rtol = fp->o.rtol;
    so.coupled = fp->o.coupled;
    pk_solver *s = pk_solver_new(m, &so, err);
    int rc = PK_OK;
    if (!b->t || !b->dose || !b->map || !b->q || !x || !s) {
        rc = pk_err_set(err, PK_ENOMEM, "", "out of memory for bands");
        goto done;
    }
    for (size_t i = 0; i < nt; i++) {
        b->t[i] = fp->band_t[i];
        b->dose[i] = pk_dosing_daily_mg(fp->p->regimen, fp->p->n_regimen, b->t[i]);
    }
    double theta[PK_MAX_PARAM];
    pk_fit_theta(fp, res->eta, theta);
    if ((rc = pk_solver_run(s, theta, fp->p->weight_kg, fp->doses, fp->n_doses, b->t, nt, x, err)))
        goto done;
    b->n_solved = 1;
    pk_observe_rows(m, pk_solver_derived(s), x, NULL, nt, b->col, b->n_col, b->map);
done:
    free(x);
    pk_solver_free(s);
    return rc;
}

int pk_fit_bands_run(const pk_fit_problem *fp, const pk_fit_result *res,
                     const pk_fit_bands_opts *o, pk_fit_bands *b, pk_err *err)
{
    memset(b, 0, sizeof *b);
    b->n_time = fp->n_band;
    b->n_col = fp->n_band_col;
    b->params = o->params;
    memcpy(b->col, fp->band_col, sizeof b->col);
    size_t nt = b->n_time, nc = b->n_col, nd = res->n_draws;
    b->t = malloc(nt * sizeof(double));
    b->dose = malloc(nt * sizeof(double));
    b->map = malloc(nt * nc * sizeof(double));
    b->q = malloc(nt * nc * 3 * sizeof(double));
    int rc = map_trajectory(fp, res, b, err);
    if (rc != PK_OK || nd == 0)
        return rc;
    /* the estimated parameters' band: the draws' proposals, solved during
     * SIR (a proposal that failed to solve has weight 0 and is never
     * drawn) */
    double *v = malloc(nd * sizeof *v);
    if (!v)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory for bands");
    b->n_used = nd;
    for (size_t i = 0; i < nt; i++)
        for (size_t c = 0; c < nc; c++) {
            for (size_t k = 0; k < nd; k++)
                v[k] = res->prop_band[(res->draw_prop[k] * nt + i) * nc + c];
            quantiles(v, nd, 3, b->q + (i * nc + c) * 3);
        }
    free(v);
    return draw_bands(fp, res, o, b, err);
}
