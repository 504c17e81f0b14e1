#include "pk_fit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "pk_clock.h"
#include "pk_lik.h"
#include "pk_observe.h"
#include "pk_prior.h"
#include "pk_text.h"

pk_fit_opts pk_fit_default_opts(void)
{
    pk_fit_opts o = {.starts = 16, .seed = 1, .threads = 0, .draws = 1000, .proposals = 5000,
                     .use_priors = 1, .max_iter = 100, .jacobian = PK_JAC_SENS, .rtol = 1e-6,
                     .sir_rtol = 3e-5, .progress = 0, .band_every = 0, .coupled = 0};
    return o;
}

/* ---- the problem ---- */

/* The bands' grid and its union with the observation days (see
 * pk_fit_problem).  A short course gets a finer grid for its figure. */
static int band_grid(pk_fit_problem *fp, pk_err *err)
{
    const pk_model *m = fp->m;
    double last = ceil(pk_patient_last_day(fp->p));
    /* 200-odd points over short courses (a day of absorption and decline) */
    double every = fp->o.band_every > 0 ? fp->o.band_every
                   : last > 100              ? 1.0
                   : last > 10               ? 0.25
                                             : fmax(last / 200, 1e-3);
    fp->band_every = every;
    fp->n_band = (size_t)floor(last / every + 1e-9) + 1;
    fp->band_col[fp->n_band_col++] = m->conc_obs;
    for (size_t j = 0; j < m->n_obs; j++)
        if ((int)j != m->conc_obs)
            fp->band_col[fp->n_band_col++] = (int)j;
    size_t cap = fp->n_band + fp->n_t;
    fp->band_t = malloc(fp->n_band * sizeof(double));
    fp->t_all = malloc(cap * sizeof(double));
    fp->obs_row = malloc(fp->n_t * sizeof(size_t));
    fp->band_row = malloc(fp->n_band * sizeof(size_t));
    fp->obs_t_all = malloc((fp->p->n_obs + 1) * sizeof(size_t));
    if (!fp->band_t || !fp->t_all || !fp->obs_row || !fp->band_row || !fp->obs_t_all)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    for (size_t i = 0; i < fp->n_band; i++)
        fp->band_t[i] = (double)i * every;
    /* merge two ascending lists, a day in both taking one row */
    size_t i = 0, j = 0, k = 0;
    while (i < fp->n_t || j < fp->n_band) {
        int take_obs = j == fp->n_band || (i < fp->n_t && fp->t[i] <= fp->band_t[j]);
        int take_band = i == fp->n_t || (j < fp->n_band && fp->band_t[j] <= fp->t[i]);
        fp->t_all[k] = take_obs ? fp->t[i] : fp->band_t[j];
        if (take_obs)
            fp->obs_row[i++] = k;
        if (take_band)
            fp->band_row[j++] = k;
        k++;
    }
    fp->n_all = k;
    for (size_t o = 0; o < fp->p->n_obs; o++)
        fp->obs_t_all[o] = fp->obs_row[fp->obs_t[o]];
    return PK_OK;
}

/* The optimiser's box of estimate j (see pk_fit_problem). */
static int set_box(pk_fit_problem *fp, size_t j, pk_err *err)
{
    const pk_param_def *pd = &fp->m->param[fp->est[j]];
    double lo = pk_prior_to_eta(fp->kind[j], pd->lo), hi = pk_prior_to_eta(fp->kind[j], pd->hi);
    if (!isfinite(lo))
        lo = fp->eta_med[j] - 40 * fp->eta_sd[j];
    if (!isfinite(hi))
        hi = fp->eta_med[j] + 40 * fp->eta_sd[j];
    fp->eta_lo[j] = lo + PK_FIT_BOX_MARGIN;
    fp->eta_hi[j] = hi - PK_FIT_BOX_MARGIN;
    if (!(fp->eta_hi[j] > fp->eta_lo[j]))
        return pk_err_set(err, PK_EINPUT, fp->p->path, "%s: admissible range %g-%g too narrow to "
                          "estimate", pd->name, pd->lo, pd->hi);
    return PK_OK;
}

void pk_fit_set_prior(pk_fit_problem *fp, const double *eta_med, const double *eta_sd,
                      const double *L)
{
    pk_err e = {0};
    size_t p = fp->n_est;
    for (size_t j = 0; j < p; j++) {
        fp->eta_med[j] = eta_med[j];
        fp->eta_sd[j] = eta_sd[j];
        set_box(fp, j, &e); /* the admissible range was checked at init */
    }
    fp->prior_full = L != NULL;
    if (!L)
        return;
    /* L^-1 by forward substitution on the columns of the identity */
    for (size_t a = 0; a < p; a++)
        for (size_t c = 0; c <= a; c++) {
            double v = (a == c);
            for (size_t b = c; b < a; b++)
                v -= L[a * p + b] * fp->prior_Linv[b * p + c];
            fp->prior_Linv[a * p + c] = v / L[a * p + a];
        }
}

int pk_fit_problem_init(pk_fit_problem *fp, const pk_patient *p, const pk_fit_opts *o,
                        pk_err *err)
{
    memset(fp, 0, sizeof *fp);
    fp->p = p;
    fp->m = p->model;
    fp->o = *o;
    const pk_model *m = p->model;
    if (p->n_estimate == 0)
        return pk_err_set(err, PK_EINPUT, p->path, "[fit] estimate lists no parameter");
    pk_patient_prior_theta(p, fp->theta0);
    double d0[PK_MAX_DERIVED], d1[PK_MAX_DERIVED];
    if (m->derive(fp->theta0, p->weight_kg, d0, err))
        return err->code;
    fp->n_est = p->n_estimate;
    for (size_t k = 0; k < PK_MAX_OBS; k++)
        fp->err_factor[k] = 1.0;
    for (size_t j = 0; j < fp->n_est; j++) {
        int k = p->estimate[j];
        const pk_param_setting *ps = &p->param[k];
        fp->est[j] = k;
        fp->kind[j] = ps->prior;
        fp->eta_med[j] = pk_prior_to_eta(ps->prior, ps->value);
        fp->eta_sd[j] = pk_prior_sd(ps->prior, ps->spread);
        if (!(fp->eta_sd[j] > 0))
            return pk_err_set(err, PK_EINPUT, p->path, "%s has no prior spread to estimate with",
                              m->param[k].name);
        if (set_box(fp, j, err))
            return err->code;
        /* a PK parameter is one that moves the PK's derived constants
         * (probed a tenth of a prior SD away, towards the box's inside) */
        double th[PK_MAX_PARAM], step = 0.1 * fp->eta_sd[j];
        if (fp->eta_med[j] + step > fp->eta_hi[j])
            step = -step;
        memcpy(th, fp->theta0, sizeof th);
        th[k] = pk_prior_from_eta(ps->prior, fp->eta_med[j] + step);
        if (m->derive(th, p->weight_kg, d1, err))
            return err->code;
        fp->is_pk[j] = memcmp(d0, d1, m->n_pk_derived * sizeof(double)) != 0;
    }
    if (pk_dosing_expand(p->regimen, p->n_regimen, &fp->doses, &fp->n_doses, err))
        return err->code;
    fp->t = malloc((p->n_obs + 1) * sizeof(double));
    fp->obs_t = malloc((p->n_obs + 1) * sizeof(size_t));
    fp->obs_col = malloc((p->n_obs + 1) * sizeof(int));
    if (!fp->t || !fp->obs_t || !fp->obs_col)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    for (size_t i = 0; i < p->n_obs; i++)
        fp->t[i] = p->obs[i].t_day;
    qsort(fp->t, p->n_obs, sizeof(double), pk_text_cmp_double);
    size_t u = 0;
    for (size_t i = 0; i < p->n_obs; i++)
        if (u == 0 || fp->t[i] != fp->t[u - 1])
            fp->t[u++] = fp->t[i];
    fp->n_t = u;
    for (size_t i = 0; i < p->n_obs; i++) {
        double *hit = bsearch(&p->obs[i].t_day, fp->t, u, sizeof(double), pk_text_cmp_double);
        fp->obs_t[i] = (size_t)(hit - fp->t);
        fp->obs_col[i] = p->obs[i].obs;
        if (!p->obs[i].check)
            fp->n_res_obs += (size_t)pk_lik_n_residuals(&m->obs[p->obs[i].obs]);
    }
    if (fp->n_res_obs == 0)
        return pk_err_set(err, PK_EINPUT, p->path, "no observation to fit");
    if (o->coupled) /* sensitivities need the split engine */
        fp->o.jacobian = PK_JAC_FD;
    fp->n_res = fp->n_res_obs + (o->use_priors ? fp->n_est : 0);
    /* Maximum likelihood with no more residuals than estimates fits the
     * data exactly (patient 2: 5 for 5): no residual degree of freedom,
     * no error estimate, a singular covariance, and no draws: refused
     * here rather than after minutes of optimising. */
    if (!o->use_priors && fp->n_res <= fp->n_est)
        return pk_err_set(err, PK_EINPUT, p->path,
                          "--no-priors: %zu fitted residuals for %zu estimates leave maximum "
                          "likelihood no degree of freedom (an exact fit, no covariance); fit "
                          "with the priors, or estimate fewer parameters", fp->n_res, fp->n_est);
    return band_grid(fp, err);
}

void pk_fit_problem_free(pk_fit_problem *fp)
{
    free(fp->doses);
    free(fp->t);
    free(fp->obs_t);
    free(fp->obs_col);
    free(fp->band_t);
    free(fp->t_all);
    free(fp->obs_row);
    free(fp->band_row);
    free(fp->obs_t_all);
    memset(fp, 0, sizeof *fp);
}

void pk_fit_theta(const pk_fit_problem *fp, const double *eta, double *theta)
{
    memcpy(theta, fp->theta0, fp->m->n_param * sizeof(double));
    for (size_t j = 0; j < fp->n_est; j++)
        theta[fp->est[j]] = pk_prior_from_eta(fp->kind[j], eta[j]);
}

/* Residuals from states x and derived constants d: rows, per observation
 * its row of x (fp->obs_t for a run on fp->t, fp->obs_t_all on t_all).
 * pred receives the predictions (n_obs). */
static void residuals_from(const pk_fit_problem *fp, const double *x, const size_t *rows,
                           const double *d, const double *eta, double *r, double *pred)
{
    const pk_model *m = fp->m;
    const pk_patient *p = fp->p;
    size_t k = 0;
    pk_observe_pairs(m, d, x, rows, fp->obs_col, p->n_obs, pred);
    for (size_t i = 0; i < p->n_obs; i++) {
        const pk_observation *o = &p->obs[i];
        double mu = pred[i];
        if (o->check)
            continue;
        pk_obs_def od = m->obs[o->obs];
        od.a *= fp->err_factor[o->obs];
        od.b *= fp->err_factor[o->obs];
        pk_lik_residuals(&od, o, mu, r + k);
        k += (size_t)pk_lik_n_residuals(&od);
    }
    if (!fp->o.use_priors)
        return;
    for (size_t j = 0; j < fp->n_est; j++) {
        if (!fp->prior_full) {
            r[k++] = (eta[j] - fp->eta_med[j]) / fp->eta_sd[j];
            continue;
        }
        double v = 0;
        for (size_t l = 0; l <= j; l++)
            v += fp->prior_Linv[j * fp->n_est + l] * (eta[l] - fp->eta_med[l]);
        r[k++] = v;
    }
}

int pk_fit_residuals(const pk_fit_problem *fp, pk_solver *s, const double *eta, double *r,
                     double *pred, pk_err *err)
{
    const pk_model *m = fp->m;
    double theta[PK_MAX_PARAM];
    pk_fit_theta(fp, eta, theta);
    /* the states, then room for the predictions when pred is NULL */
    double *x = malloc((fp->n_t * m->n_state + fp->p->n_obs) * sizeof *x);
    if (!x)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    int rc = pk_solver_run(s, theta, fp->p->weight_kg, fp->doses, fp->n_doses, fp->t, fp->n_t, x,
                           err);
    if (rc == PK_OK)
        residuals_from(fp, x, fp->obs_t, pk_solver_derived(s), eta, r,
                       pred ? pred : x + fp->n_t * m->n_state);
    free(x);
    return rc;
}

/* Jacobian column j by re-simulation at eta +- h. */
static int fd_column(const pk_fit_problem *fp, pk_solver *s, const double *eta, size_t j,
                     double *J, double *rp, double *rm, pk_err *err)
{
    double e[PK_MAX_PARAM], h = 1e-4;
    memcpy(e, eta, fp->n_est * sizeof *e);
    e[j] = eta[j] + h;
    if (pk_fit_residuals(fp, s, e, rp, NULL, err))
        return err->code;
    e[j] = eta[j] - h;
    if (pk_fit_residuals(fp, s, e, rm, NULL, err))
        return err->code;
    for (size_t i = 0; i < fp->n_res; i++)
        J[i * fp->n_est + j] = (rp[i] - rm[i]) / (2 * h);
    return PK_OK;
}

int pk_fit_jacobian(const pk_fit_problem *fp, pk_solver *s, const double *eta, double *r,
                    double *J, pk_jac_kind kind, pk_err *err)
{
    const pk_model *m = fp->m;
    size_t n = fp->n_res, ns = m->n_state, nt = fp->n_t;
    double *rp = malloc((2 * n + fp->p->n_obs) * sizeof *rp), *rm = rp + n, *mu = rm + n;
    int par[PK_MAX_PARAM];
    size_t col[PK_MAX_PARAM], npd = 0;
    for (size_t j = 0; j < fp->n_est; j++)
        if (kind == PK_JAC_SENS && !fp->is_pk[j] && m->n_state > m->n_pk) {
            col[npd] = j;
            par[npd++] = fp->est[j];
        }
    double *x = malloc(nt * ns * sizeof *x), *xs = malloc(nt * (npd ? npd : 1) * ns * sizeof *xs);
    double *xt = malloc(nt * ns * sizeof *xt);
    int rc = PK_OK;
    if (!rp || !x || !xs || !xt) {
        rc = pk_err_set(err, PK_ENOMEM, "", "out of memory");
        goto done;
    }
    double theta[PK_MAX_PARAM];
    pk_fit_theta(fp, eta, theta);
    if (npd > 0) {
        rc = pk_solver_run_sens(s, theta, fp->p->weight_kg, fp->doses, fp->n_doses, fp->t, nt, npd,
                                par, x, xs, err);
        if (rc)
            goto done;
        residuals_from(fp, x, fp->obs_t, pk_solver_derived(s), eta, r, mu);
        /* Column by the chain rule, evaluated as a central difference of the
         * algebraic map eta_j -> (theta, x + dtheta * dx/dtheta) -> residuals. */
        for (size_t c = 0; c < npd; c++) {
            size_t j = col[c];
            const double h = 1e-6;
            for (int sgn = -1; sgn <= 1; sgn += 2) {
                double e[PK_MAX_PARAM], th[PK_MAX_PARAM], d[PK_MAX_DERIVED];
                memcpy(e, eta, fp->n_est * sizeof *e);
                e[j] = eta[j] + sgn * h;
                pk_fit_theta(fp, e, th);
                double dth = th[fp->est[j]] - theta[fp->est[j]];
                for (size_t i = 0; i < nt; i++)
                    for (size_t k = 0; k < ns; k++)
                        xt[i * ns + k] = x[i * ns + k] + dth * xs[(i * npd + c) * ns + k];
                if ((rc = m->derive(th, fp->p->weight_kg, d, err)))
                    goto done;
                residuals_from(fp, xt, fp->obs_t, d, e, sgn > 0 ? rp : rm, mu);
            }
            for (size_t i = 0; i < n; i++)
                J[i * fp->n_est + j] = (rp[i] - rm[i]) / (2 * h);
        }
    } else if ((rc = pk_fit_residuals(fp, s, eta, r, NULL, err))) {
        goto done;
    }
    for (size_t j = 0; j < fp->n_est; j++) {
        int done_by_sens = 0;
        for (size_t c = 0; c < npd; c++)
            done_by_sens |= col[c] == j;
        if (!done_by_sens && (rc = fd_column(fp, s, eta, j, J, rp, rm, err)))
            goto done;
    }
done:
    free(rp);
    free(x);
    free(xs);
    free(xt);
    return rc;
}

/* A thread's solver at tolerance rtol (NULL when it cannot be made: the
 * caller's work items then fail one by one). */
pk_solver *pk_fit_solver(const pk_fit_problem *fp, double rtol)
{
    pk_err e = {0};
    pk_solver_opts so = pk_solver_default_opts();
    so.rtol = rtol;
    so.coupled = fp->o.coupled;
    return pk_solver_new(fp->m, &so, &e);
}

/* ---- the optimiser's bounded coordinates ----
 *
 * Unbounded, the optimiser followed ridges out of the parameters'
 * admissible ranges (maximum likelihood on oral1cpt without priors:
 * ka -> 0, CL -> inf, V -> 1e-164), where the PK's rate constants stop
 * being numbers.  Rejecting such steps would stall it against a bound: a
 * trust-region step that fails 15 times in a row ends GSL's iteration,
 * and a Jacobian column at the bound needs points beyond it.  So it works
 * on coordinates u with eta = box(u): the identity in the interior, and
 * within s = min(1, width/4) of each end of [eta_lo, eta_hi] an
 * exponential approach, eta = hi - s exp(-(u - (hi - s))/s), C1 at the
 * joint, that never reaches the end.  Fits whose path stays inside by
 * more than s (a factor e for a log-normal parameter) are the same as
 * unbounded ones, step for step; near a bound the optimiser slides along
 * it, its Jacobian column scaled by deta/du. */
static double box_s(const pk_fit_problem *fp, size_t j)
{
    return fmin(1.0, (fp->eta_hi[j] - fp->eta_lo[j]) / 4);
}

/* eta = box(u), and deta/du when d is not NULL. */
static double box_eta(const pk_fit_problem *fp, size_t j, double u, double *d)
{
    double s = box_s(fp, j), a = fp->eta_lo[j] + s, b = fp->eta_hi[j] - s, g = 1.0, e = u;
    if (u > b) {
        g = exp(-(u - b) / s);
        e = fp->eta_hi[j] - s * g;
    } else if (u < a) {
        g = exp((u - a) / s);
        e = fp->eta_lo[j] + s * g;
    }
    if (d)
        *d = g;
    return e;
}

/* u = box^-1(eta), eta first brought inside the box. */
static double box_u(const pk_fit_problem *fp, size_t j, double eta)
{
    double s = box_s(fp, j), a = fp->eta_lo[j] + s, b = fp->eta_hi[j] - s;
    eta = fmin(fmax(eta, fp->eta_lo[j] + 1e-3 * s), fp->eta_hi[j] - 1e-3 * s);
    if (eta > b)
        return b - s * log((fp->eta_hi[j] - eta) / s);
    if (eta < a)
        return a + s * log((eta - fp->eta_lo[j]) / s);
    return eta;
}

/* ---- one optimiser start ---- */

typedef struct {
    const pk_fit_problem *fp;
    pk_solver *s;
    long sims;
} start_ctx;

/* A failed simulation is a very bad point, not an error: the trust region
 * then shrinks away from it. */
static void bad_point(size_t n, double *r)
{
    for (size_t i = 0; i < n; i++)
        r[i] = 1e4;
}

/* The optimiser's x is u; the model sees eta = box(u). */
static int f_cb(const gsl_vector *x, void *params, gsl_vector *f)
{
    start_ctx *c = params;
    pk_err err = {0};
    if (pk_interrupted())
        return GSL_EBADFUNC; /* ends the driver promptly */
    c->sims++;
    double eta[PK_MAX_PARAM];
    for (size_t j = 0; j < c->fp->n_est; j++)
        eta[j] = box_eta(c->fp, j, x->data[j], NULL);
    if (pk_fit_residuals(c->fp, c->s, eta, f->data, NULL, &err))
        bad_point(c->fp->n_res, f->data);
    return GSL_SUCCESS;
}

static int df_cb(const gsl_vector *x, void *params, gsl_matrix *J)
{
    start_ctx *c = params;
    pk_err err = {0};
    if (pk_interrupted())
        return GSL_EBADFUNC;
    const pk_fit_problem *fp = c->fp;
    double *r = malloc(fp->n_res * sizeof *r);
    /* one run (with sensitivities), plus two per central-difference column */
    long fd_cols = 0;
    for (size_t j = 0; j < fp->n_est; j++)
        fd_cols += fp->o.jacobian == PK_JAC_FD || fp->is_pk[j];
    c->sims += 1 + 2 * fd_cols;
    double eta[PK_MAX_PARAM], g[PK_MAX_PARAM];
    for (size_t j = 0; j < fp->n_est; j++)
        eta[j] = box_eta(fp, j, x->data[j], &g[j]);
    int rc = r ? pk_fit_jacobian(fp, c->s, eta, r, J->data, fp->o.jacobian, &err) : 1;
    free(r);
    if (rc) {
        gsl_matrix_set_zero(J);
        return GSL_SUCCESS;
    }
    for (size_t i = 0; i < fp->n_res; i++) /* d r / d u = d r / d eta * d eta / d u */
        for (size_t j = 0; j < fp->n_est; j++)
            J->data[i * fp->n_est + j] *= g[j];
    return GSL_SUCCESS;
}

static double sumsq(const double *r, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += r[i] * r[i];
    return s;
}

/* gsl_multifit_nlinear_driver's loop (GSL 2.7), with one more stop in
 * maximum likelihood: the objective fell by less than PK_FIT_STALL over
 * the last PK_FIT_STALL_ITER iterations.  A likelihood without a proper
 * optimum has the optimiser creep along a ridge or a bound until max_iter:
 * patient 2 without priors drives Emax to its bound (100/day) for a
 * perfect fit of blasts 0% at day 7, and then spent 2/3 of its 100
 * iterations gaining 1e-4 in all, each solve 50-400 thousand CVODE steps
 * (6 thousand at the prior medians) in the stiff PD there.  Differences
 * below 1e-4 in -2 log likelihood change neither the starts' ranking
 * (0.01) nor the SIR weights; an ordinary optimum converges
 * quadratically and meets the usual tests first. */
#define PK_FIT_STALL 1e-4
#define PK_FIT_STALL_ITER 5

static int drive(const pk_fit_problem *fp, gsl_multifit_nlinear_workspace *w, int *info)
{
    size_t max_iter = (size_t)fp->o.max_iter, iter = 0;
    double cost[PK_FIT_STALL_ITER + 1];
    int status;
    cost[0] = sumsq(gsl_multifit_nlinear_residual(w)->data, fp->n_res);
    do {
        status = gsl_multifit_nlinear_iterate(w);
        /* no step reduced the cost from the start: more will not help */
        if (status == GSL_ENOPROG && iter == 0) {
            *info = status;
            return GSL_EMAXITER;
        }
        ++iter;
        status = gsl_multifit_nlinear_test(1e-7, 1e-7, 1e-9, info, w);
        double c = sumsq(gsl_multifit_nlinear_residual(w)->data, fp->n_res);
        cost[iter % (PK_FIT_STALL_ITER + 1)] = c;
        if (status == GSL_CONTINUE && !fp->o.use_priors && iter >= PK_FIT_STALL_ITER &&
            cost[(iter - PK_FIT_STALL_ITER) % (PK_FIT_STALL_ITER + 1)] - c < PK_FIT_STALL)
            return GSL_SUCCESS;
    } while (status == GSL_CONTINUE && iter < max_iter);
    if (status == GSL_ETOLF || status == GSL_ETOLX || status == GSL_ETOLG) {
        *info = status;
        status = GSL_SUCCESS;
    }
    if (iter >= max_iter && status != GSL_SUCCESS)
        status = GSL_EMAXITER;
    return status;
}

/* Runs the optimiser from eta (overwritten with the result). */
static int run_start(const pk_fit_problem *fp, pk_solver *s, double *eta, double *obj, int *iter,
                     long *sims)
{
    size_t n = fp->n_res, p = fp->n_est;
    double u[PK_MAX_PARAM];
    for (size_t j = 0; j < p; j++)
        u[j] = box_u(fp, j, eta[j]);
    start_ctx c = {fp, s, 0};
    gsl_multifit_nlinear_fdf fdf = {.f = f_cb, .df = df_cb, .fvv = NULL, .n = n, .p = p,
                                    .params = &c};
    gsl_multifit_nlinear_parameters par = gsl_multifit_nlinear_default_parameters();
    par.trs = gsl_multifit_nlinear_trs_lmaccel;
    par.scale = gsl_multifit_nlinear_scale_more;
    gsl_multifit_nlinear_workspace *w =
        gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &par, n, p);
    if (!w)
        return -1;
    gsl_vector_view x0 = gsl_vector_view_array(u, p);
    int info = 0, status = gsl_multifit_nlinear_init(&x0.vector, &fdf, w);
    if (status == GSL_SUCCESS)
        status = drive(fp, w, &info);
    gsl_vector *x = gsl_multifit_nlinear_position(w);
    for (size_t j = 0; j < p; j++)
        eta[j] = box_eta(fp, j, x->data[j], NULL);
    *obj = sumsq(gsl_multifit_nlinear_residual(w)->data, n);
    *iter = (int)gsl_multifit_nlinear_niter(w);
    *sims += c.sims;
    gsl_multifit_nlinear_free(w);
    /* hitting max_iter is not failure: the best point so far still counts */
    return (status == GSL_SUCCESS || status == GSL_EMAXITER) && isfinite(*obj) ? 0 : -1;
}

int pk_fit_mode(const pk_fit_problem *fp, pk_solver *s, double *eta, double *obj, long *sims)
{
    int iter = 0;
    return run_start(fp, s, eta, obj, &iter, sims);
}

static void progress(const pk_fit_problem *fp, const char *what, long done, long total,
                     double t0)
{
    if (!fp->o.progress)
        return;
    double el = pk_clock_s() - t0, left = done > 0 ? el * (total - done) / done : 0;
    fprintf(stderr, "\rpksim fit: %s %ld/%ld, %.1f s, about %.0f s left   ", what, done, total, el,
            left);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

static int n_threads(const pk_fit_opts *o)
{
#ifdef _OPENMP
    return o->threads > 0 ? o->threads : omp_get_max_threads();
#else
    (void)o;
    return 1;
#endif
}

/* ---- covariance and SIR ---- */

/* cov = (J^T J)^-1 by Cholesky; the pseudo-inverse (SVD) when singular. */
static int covariance(const double *J, size_t n, size_t p, double *cov)
{
    gsl_matrix_const_view Jv = gsl_matrix_const_view_array(J, n, p);
    gsl_matrix *H = gsl_matrix_alloc(p, p);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &Jv.matrix, &Jv.matrix, 0.0, H);
    gsl_matrix *L = gsl_matrix_alloc(p, p);
    gsl_matrix_memcpy(L, H);
    int ok = gsl_linalg_cholesky_decomp1(L) == GSL_SUCCESS && gsl_linalg_cholesky_invert(L) == 0;
    if (ok) {
        for (size_t i = 0; i < p; i++)
            for (size_t j = 0; j < p; j++)
                cov[i * p + j] = gsl_matrix_get(L, i, j);
    } else {
        gsl_matrix *V = gsl_matrix_alloc(p, p);
        gsl_vector *S = gsl_vector_alloc(p), *work = gsl_vector_alloc(p);
        gsl_matrix_memcpy(L, H);
        gsl_linalg_SV_decomp(L, V, S, work);
        double smax = gsl_vector_get(S, 0);
        for (size_t i = 0; i < p; i++)
            for (size_t j = 0; j < p; j++) {
                double v = 0;
                for (size_t k = 0; k < p; k++) {
                    double sk = gsl_vector_get(S, k);
                    if (sk > 1e-12 * smax)
                        v += gsl_matrix_get(V, i, k) * gsl_matrix_get(V, j, k) / sk;
                }
                cov[i * p + j] = v;
            }
        gsl_matrix_free(V);
        gsl_vector_free(S);
        gsl_vector_free(work);
    }
    gsl_matrix_free(L);
    gsl_matrix_free(H);
    return ok;
}

#define SIR_DF 5.0 /* Student-t proposal: heavier tails than the Laplace normal */

/* M proposals from a multivariate t around the MAP with the Laplace
 * covariance (L: its Cholesky factor, filled here), and in logw each
 * one's -log q up to a constant, which its weight starts from. */
static void sir_propose(const pk_fit_result *res, size_t p, size_t M, gsl_rng *rng,
                        gsl_matrix *L, double *prop, double *logw)
{
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++)
            gsl_matrix_set(L, i, j, res->cov[i * p + j] + (i == j ? 1e-12 : 0));
    gsl_linalg_cholesky_decomp1(L);
    gsl_vector_const_view mu = gsl_vector_const_view_array(res->eta, p);
    for (size_t k = 0; k < M; k++) {
        gsl_vector_view xk = gsl_vector_view_array(prop + k * p, p);
        gsl_ran_multivariate_gaussian(rng, &mu.vector, L, &xk.vector);
        /* scale the normal deviation by sqrt(df/chi2) for a t proposal */
        double scale = sqrt(SIR_DF / gsl_ran_chisq(rng, SIR_DF));
        for (size_t j = 0; j < p; j++)
            prop[k * p + j] = res->eta[j] + scale * (prop[k * p + j] - res->eta[j]);
        /* log t density (up to a constant) from the Mahalanobis distance */
        double md = 0;
        gsl_vector *diff = gsl_vector_alloc(p);
        for (size_t j = 0; j < p; j++)
            gsl_vector_set(diff, j, prop[k * p + j] - res->eta[j]);
        gsl_linalg_cholesky_svx(L, diff);
        for (size_t j = 0; j < p; j++)
            md += (prop[k * p + j] - res->eta[j]) * gsl_vector_get(diff, j);
        gsl_vector_free(diff);
        logw[k] = 0.5 * (SIR_DF + p) * log1p(md / SIR_DF); /* = -log q + const */
    }
}

/* Adds each proposal's log posterior to logw (-inf when it cannot be
 * solved) and keeps its band values in res->prop_band; returns the
 * simulations run.  Every proposal is solved on the observation days and
 * the band grid: the draws then need no solving of their own for the
 * bands.  They are solved at sir_rtol (3e-5): on patient 2's posterior
 * the objective stays within 0.006 of its rtol-1e-9 value (weights within
 * 0.3%, against a Monte Carlo error of several percent) at half the cost
 * of the optimisation's 1e-6 (tests/test_fit.c checks the bound). */
static long sir_weigh(const pk_fit_problem *fp, pk_fit_result *res, const double *prop,
                      double *logw, size_t M)
{
    size_t p = fp->n_est;
    long done = 0, sims = 0;
    double t0 = pk_clock_s();
    int nt = n_threads(&fp->o);
    (void)nt;
    const pk_model *m = fp->m;
    size_t nb = fp->n_band, nc = fp->n_band_col, ns = m->n_state;
    /* the likelihood the intervals use: with the error SD profiled, the
     * model's SDs times err_scale (the residuals are (y - f)/a) */
    const double e2 = res->err_scale * res->err_scale;
#pragma omp parallel num_threads(nt) reduction(+ : sims)
    {
        pk_solver *s = pk_fit_solver(fp, fp->o.sir_rtol);
        double *r = malloc(fp->n_res * sizeof *r), *x = malloc(fp->n_all * ns * sizeof *x);
        double *mu = malloc((fp->p->n_obs + 1) * sizeof *mu);
#pragma omp for schedule(dynamic, 16)
        for (size_t k = 0; k < M; k++) {
            pk_err ek = {0};
            double theta[PK_MAX_PARAM];
            pk_fit_theta(fp, prop + k * p, theta);
            /* outside the optimiser's box (the admissible ranges, or 40
             * prior SDs out) a proposal has weight 0 unsolved: patient 2
             * without priors, Emax at its bound with a Laplace SD of 28
             * on the log scale, proposed Emax up to e^76/day, and each
             * such solve ran to CVODE's 500,000-step limit */
            int inside = 1;
            for (size_t j = 0; j < p; j++)
                inside &= prop[k * p + j] >= fp->eta_lo[j] && prop[k * p + j] <= fp->eta_hi[j];
            int ok = inside && s && r && x && mu && res->prop_band && res->draw_prop &&
                     !pk_interrupted() &&
                     pk_solver_run(s, theta, fp->p->weight_kg, fp->doses, fp->n_doses, fp->t_all,
                                   fp->n_all, x, &ek) == PK_OK;
            if (ok) {
                const double *d = pk_solver_derived(s);
                residuals_from(fp, x, fp->obs_t_all, d, prop + k * p, r, mu);
                pk_observe_rows_float(m, d, x, fp->band_row, nb, fp->band_col, nc,
                                      res->prop_band + k * nb * nc);
            }
            sims += inside;
            logw[k] = ok ? logw[k] - 0.5 * sumsq(r, fp->n_res) / e2 : -INFINITY;
#pragma omp atomic
            done++;
            if (fp->o.progress && k % 64 == 0) {
#pragma omp critical(pk_progress)
                progress(fp, "sampling", done, (long)M, t0);
            }
        }
        free(r);
        free(x);
        free(mu);
        pk_solver_free(s);
    }
    progress(fp, "sampling", (long)M, (long)M, t0);
    return sims;
}

/* N draws with replacement in proportion to the weights (w: room for M),
 * and the effective sample size. */
static int sir_resample(const pk_fit_problem *fp, pk_fit_result *res, gsl_rng *rng,
                        const double *prop, const double *logw, double *w, size_t M, pk_err *err)
{
    size_t p = fp->n_est, N = (size_t)fp->o.draws;
    double lmax = -INFINITY, sw = 0, sw2 = 0;
    for (size_t k = 0; k < M; k++)
        lmax = fmax(lmax, logw[k]);
    for (size_t k = 0; k < M; k++) {
        w[k] = isfinite(logw[k]) ? exp(logw[k] - lmax) : 0.0;
        sw += w[k];
        sw2 += w[k] * w[k];
    }
    if (!res->prop_band || !res->draw_prop)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory for %zu proposals", M);
    if (!(sw > 0))
        return pk_err_set(err, PK_ESOLVER, "", "every SIR proposal failed to simulate%s",
                          res->cov_ok ? "" : " (the covariance at the optimum is singular)");
    res->ess = sw * sw / sw2;
    gsl_ran_discrete_t *tab = gsl_ran_discrete_preproc(M, w);
    for (size_t i = 0; i < N; i++) {
        size_t k = gsl_ran_discrete(rng, tab);
        memcpy(res->draws + i * p, prop + k * p, p * sizeof(double));
        res->draw_prop[i] = k;
    }
    gsl_ran_discrete_free(tab);
    res->n_draws = N;
    return PK_OK;
}

/* SIR: proposals from a multivariate t around the MAP with the Laplace
 * covariance, weights posterior/proposal, then N draws with replacement.
 * The posterior is the one the Laplace covariance approximates: in
 * maximum likelihood with the error SD profiled, the likelihood at the
 * SDs a * err_scale (not the model's a, 4-22 times narrower than the
 * intervals on the Theoph subjects: effective sample sizes of 1.6-154 of
 * 5000 proposals).
 * Proposals and resampling use one stream, so the draws do not depend on
 * the thread count. */
static int sir(const pk_fit_problem *fp, pk_fit_result *res, pk_err *err)
{
    size_t p = fp->n_est, M = (size_t)fp->o.proposals, N = (size_t)fp->o.draws;
    if (M == 0 || N == 0)
        return PK_OK;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double *prop = malloc(M * p * sizeof *prop), *logw = malloc(M * sizeof *logw);
    double *w = malloc(M * sizeof *w);
    gsl_matrix *L = gsl_matrix_alloc(p, p);
    res->draws = malloc(N * p * sizeof *res->draws);
    int rc = PK_OK;
    if (!rng || !prop || !logw || !w || !L || !res->draws) {
        rc = pk_err_set(err, PK_ENOMEM, "", "out of memory for %zu proposals", M);
        goto done;
    }
    gsl_rng_set(rng, pk_prior_stream_seed(fp->o.seed, 1000003));
    sir_propose(res, p, M, rng, L, prop, logw);
    res->prop_band = malloc(M * fp->n_band * fp->n_band_col * sizeof *res->prop_band);
    res->draw_prop = malloc(N * sizeof *res->draw_prop);
    res->n_sims += sir_weigh(fp, res, prop, logw, M);
    if (pk_interrupted())
        rc = pk_err_set(err, PK_EINTR, "", "interrupted: no output written");
    else
        rc = sir_resample(fp, res, rng, prop, logw, w, M, err);
done:
    gsl_rng_free(rng);
    free(prop);
    free(logw);
    free(w);
    gsl_matrix_free(L);
    return rc;
}

/* ---- the whole fit ---- */

void pk_fit_result_free(pk_fit_result *res)
{
    free(res->pred);
    free(res->resid);
    free(res->start_obj);
    free(res->start_iter);
    free(res->draws);
    free(res->prop_band);
    free(res->draw_prop);
    memset(res, 0, sizeof *res);
}

/* Start 0 at the prior medians; the others drawn from the priors, each
 * from its own stream (the same starts whatever the threads). */
static void start_points(const pk_fit_problem *fp, size_t K, double *etas)
{
    size_t p = fp->n_est;
    for (size_t k = 0; k < K; k++) {
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(rng, pk_prior_stream_seed(fp->o.seed, k));
        for (size_t j = 0; j < p; j++) {
            /* a start inside the optimiser's box (run_start: box_u) */
            double e = fp->eta_med[j] + (k ? gsl_ran_gaussian(rng, fp->eta_sd[j]) : 0.0);
            etas[k * p + j] = fmin(fmax(e, fp->eta_lo[j]), fp->eta_hi[j]);
        }
        gsl_rng_free(rng);
    }
}

/* The optimiser from every start on the threads (etas overwritten with
 * the end points); a start that fails has objective +inf. */
static void run_starts(const pk_fit_problem *fp, pk_fit_result *res, double *etas, size_t K,
                       double t0)
{
    size_t p = fp->n_est;
    long done = 0, sims = 0;
    int nt = n_threads(&fp->o);
    (void)nt;
#pragma omp parallel num_threads(nt) reduction(+ : sims)
    {
        pk_solver *s = pk_fit_solver(fp, fp->o.rtol);
#pragma omp for schedule(dynamic, 1)
        for (size_t k = 0; k < K; k++) {
            long ks = 0;
            if (!s || run_start(fp, s, etas + k * p, &res->start_obj[k], &res->start_iter[k], &ks))
                res->start_obj[k] = INFINITY;
            sims += ks;
#pragma omp atomic
            done++;
#pragma omp critical(pk_progress)
            progress(fp, "start", done, (long)K, t0);
        }
        pk_solver_free(s);
    }
    res->n_sims = sims;
}

/* The best start; ties go to the lower index, whatever the threads.
 * Counts the starts that reached it (within 0.01) and those that failed. */
static size_t best_start(pk_fit_result *res, size_t K)
{
    size_t best = 0;
    for (size_t k = 1; k < K; k++)
        if (res->start_obj[k] < res->start_obj[best])
            best = k;
    for (size_t k = 0; k < K; k++) {
        res->n_reached += res->start_obj[k] <= res->start_obj[best] + 0.01;
        res->n_failed += !isfinite(res->start_obj[k]);
    }
    return best;
}

/* Maximum likelihood with exact additive errors only: the error SD is
 * profiled out, so the covariance scales with the residual variance
 * RSS/(n - p), as nls reports it, and so do the SIR weights (sir).  (A
 * censored observation's residual is no (y - f)/a: with one, the model's
 * SDs stay.) */
static void profile_error_sd(const pk_fit_problem *fp, pk_fit_result *res)
{
    size_t p = fp->n_est;
    res->obj_name = fp->o.use_priors ? "-2 log posterior" : "-2 log likelihood";
    res->sd_scale = 0;
    res->err_scale = 1;
    res->m2ll_profiled = NAN;
    int additive = !fp->o.use_priors;
    double log_a = 0;
    for (size_t i = 0; i < fp->p->n_obs && additive; i++) {
        const pk_observation *o = &fp->p->obs[i];
        additive = o->check || (fp->m->obs[o->obs].error == PK_ERRMODEL_ADDITIVE && !o->censor);
        if (!o->check)
            log_a += log(fp->m->obs[o->obs].a);
    }
    if (additive && fp->n_res > p) {
        double n = (double)fp->n_res, f = res->obj / (n - (double)p);
        res->sd_scale = sqrt(res->obj / n);
        res->err_scale = sqrt(f);
        res->m2ll_profiled = n * log(2 * M_PI) + 2 * log_a + n * log(res->obj / n) + n;
        for (size_t i = 0; i < p * p; i++)
            res->cov[i] *= f;
    }
}

/* Objective parts, predictions and the Laplace covariance at the MAP
 * (res->eta), on a solver of the optimisation's tolerance. */
static int laplace_at_map(const pk_fit_problem *fp, pk_fit_result *res, pk_err *err)
{
    size_t p = fp->n_est;
    pk_solver_opts so = pk_solver_default_opts();
    so.rtol = fp->o.rtol;
    so.coupled = fp->o.coupled;
    pk_solver *s = pk_solver_new(fp->m, &so, err);
    double *J = malloc(fp->n_res * p * sizeof *J);
    if (!s || !J) {
        pk_solver_free(s);
        free(J);
        return err->code ? err->code : pk_err_set(err, PK_ENOMEM, "", "out of memory");
    }
    pk_fit_theta(fp, res->eta, res->theta);
    int rc = pk_fit_residuals(fp, s, res->eta, res->resid, res->pred, err);
    if (rc == PK_OK)
        rc = pk_fit_jacobian(fp, s, res->eta, res->resid, J, fp->o.jacobian, err);
    pk_solver_free(s);
    if (rc == PK_OK) {
        res->obj_obs = sumsq(res->resid, fp->n_res_obs);
        res->obj_prior = sumsq(res->resid + fp->n_res_obs, fp->n_res - fp->n_res_obs);
        res->obj = res->obj_obs + res->obj_prior;
        res->cov_ok = covariance(J, fp->n_res, p, res->cov);
        profile_error_sd(fp, res);
    }
    free(J);
    return rc;
}

int pk_fit_run(const pk_fit_problem *fp, pk_fit_result *res, pk_err *err)
{
    memset(res, 0, sizeof *res);
    size_t p = fp->n_est, K = (size_t)(fp->o.starts > 0 ? fp->o.starts : 1);
    res->n_est = p;
    res->n_starts = (int)K;
    res->start_obj = malloc(K * sizeof(double));
    res->start_iter = calloc(K, sizeof(int));
    double *etas = malloc(K * p * sizeof(double));
    res->pred = malloc((fp->p->n_obs + 1) * sizeof(double));
    res->resid = malloc(fp->n_res * sizeof(double));
    if (!res->start_obj || !res->start_iter || !etas || !res->pred || !res->resid) {
        free(etas);
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    }
    start_points(fp, K, etas);
    double t0 = pk_clock_s();
    run_starts(fp, res, etas, K, t0);
    if (pk_interrupted()) {
        free(etas);
        return pk_err_set(err, PK_EINTR, "", "interrupted: no output written");
    }
    size_t best = best_start(res, K);
    if (!isfinite(res->start_obj[best])) {
        free(etas);
        return pk_err_set(err, PK_ESOLVER, fp->p->path, "no optimiser start converged");
    }
    memcpy(res->eta, etas + best * p, p * sizeof(double));
    free(etas);
    res->t_opt_s = pk_clock_s() - t0;
    int rc = laplace_at_map(fp, res, err);
    if (rc == PK_OK) {
        double t1 = pk_clock_s();
        rc = sir(fp, res, err);
        res->t_sir_s = pk_clock_s() - t1;
    }
    return rc;
}
