/* pk_popfit_traj: each subject's PRED and IPRED curves on a fine grid of
 * days (popfit_traj.csv, the individual-fit figures), from the same
 * parameters, doses and solver as the per-observation table, so that the
 * curves pass through popfit_obs.csv's values at the observations. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pk_popfit.h"
#include "pk_prior.h"
#include "pk_solver.h"

static int cmp_day(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* [t0, t1] days: from the first dose or observation to the last
 * observation; a day long when that is empty. */
static void span_of(const pk_fit_problem *fp, double *t0, double *t1)
{
    const pk_patient *p = fp->p;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < p->n_obs; k++) {
        lo = fmin(lo, p->obs[k].t_day);
        hi = fmax(hi, p->obs[k].t_day);
    }
    if (fp->n_doses > 0)
        lo = fmin(lo, fp->doses[0].t_day);
    if (!isfinite(lo))
        lo = 0;
    if (!(hi > lo))
        hi = lo + 1;
    *t0 = lo;
    *t1 = hi;
}

int pk_popfit_traj_grid(const pk_popfit *pf, size_t i, size_t n_fine, double **t_day,
                        size_t *n_t, pk_err *err)
{
    const pk_fit_problem *fp = &pf->fp[i];
    double t0, t1;
    span_of(fp, &t0, &t1);
    size_t cap = n_fine + fp->p->n_obs + 2 * fp->n_doses + 1, n = 0;
    double *t = malloc(cap * sizeof *t);
    *t_day = NULL;
    *n_t = 0;
    if (!t)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    for (size_t k = 0; k < n_fine; k++)
        t[n++] = n_fine > 1 ? t0 + (t1 - t0) * (double)k / (double)(n_fine - 1) : t0;
    for (size_t k = 0; k < fp->p->n_obs; k++)
        t[n++] = fp->p->obs[k].t_day;
    for (size_t k = 0; k < fp->n_doses; k++) {
        double d = fp->doses[k].t_day;
        if (d >= t0 && d < t1) {
            t[n++] = d;
            if (d + PK_POPFIT_TRAJ_AFTER_DAY < t1)
                t[n++] = d + PK_POPFIT_TRAJ_AFTER_DAY;
        }
    }
    qsort(t, n, sizeof *t, cmp_day);
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (m == 0 || t[k] != t[m - 1])
            t[m++] = t[k];
    *t_day = t;
    *n_t = m;
    return PK_OK;
}

/* Every parameter of subject i, the listed ones at eta (listed order, their
 * scales): what pk_fit_theta gives the fit problem for the same values. */
static void theta_at(const pk_popfit *pf, size_t i, const double *eta, double *theta)
{
    const pk_fit_problem *fp = &pf->fp[i];
    memcpy(theta, fp->theta0, pf->m->n_param * sizeof *theta);
    for (size_t j = 0; j < pf->o.n_param; j++)
        theta[pf->o.param[j]] = pk_prior_from_eta(pf->kind[j], eta[j]);
}

/* The observables at theta on the grid into out (n_t x n_obs). */
static int observe_at(const pk_fit_problem *fp, pk_solver *s, const double *theta,
                      const double *t_day, size_t n_t, double *x, double *out, pk_err *err)
{
    const pk_model *m = fp->m;
    int rc = pk_solver_run(s, theta, fp->p->weight_kg, fp->doses, fp->n_doses, t_day, n_t, x,
                           err);
    for (size_t r = 0; rc == PK_OK && r < n_t; r++)
        m->observe(x + r * m->n_state, pk_solver_derived(s), out + r * m->n_obs);
    return rc;
}

int pk_popfit_traj(const pk_popfit *pf, const pk_popfit_result *res, size_t i,
                   const double *t_day, size_t n_t, double *pred, double *ipred, pk_err *err)
{
    const pk_fit_problem *fp = &pf->fp[i];
    double theta[PK_MAX_PARAM];
    double *x = malloc((n_t ? n_t : 1) * pf->m->n_state * sizeof *x);
    pk_solver *s = pk_fit_solver(fp, pf->o.rtol);
    int rc = x && s ? PK_OK : pk_err_set(err, PK_ENOMEM, "", "out of memory");
    if (rc == PK_OK) {
        theta_at(pf, i, res->mu, theta);
        rc = observe_at(fp, s, theta, t_day, n_t, x, pred, err);
    }
    if (rc == PK_OK) {
        /* a parameter without a random effect has its typical value as
         * its mode (pk_popfit_result.ebe) */
        theta_at(pf, i, res->ebe + i * res->p, theta);
        rc = observe_at(fp, s, theta, t_day, n_t, x, ipred, err);
    }
    pk_solver_free(s);
    free(x);
    return rc;
}
