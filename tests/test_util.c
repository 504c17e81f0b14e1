#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void tu_load_patient(const char *rel, pk_patient *p)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", PKSIM_SOURCE_DIR, rel);
    pk_err err = {0};
    int rc = pk_patient_load(path, p, &err);
    if (rc)
        fail_msg("%s: %s: %s", path, err.where, err.msg);
}

void tu_run(const pk_model *m, const pk_solver_opts *o, const double *theta, double weight_kg,
            const pk_dose *doses, size_t n_doses, const double *t, size_t n_t, double *x)
{
    pk_err err = {0};
    pk_solver *s = pk_solver_new(m, o, &err);
    if (!s)
        fail_msg("solver: %s", err.msg);
    int rc = pk_solver_run(s, theta, weight_kg, doses, n_doses, t, n_t, x, &err);
    pk_solver_free(s);
    if (rc)
        fail_msg("run: %s", err.msg);
}

pk_dose *tu_doses(const pk_patient *p, size_t *n)
{
    pk_dose *d = NULL;
    pk_err err = {0};
    if (pk_dosing_expand(p->regimen, p->n_regimen, &d, n, &err))
        fail_msg("expand: %s", err.msg);
    return d;
}

void tu_observe(const pk_model *m, const double *theta, double weight_kg, const double *x,
                size_t n_t, double *obs)
{
    double d[PK_MAX_DERIVED];
    pk_err err = {0};
    assert_int_equal(m->derive(theta, weight_kg, d, &err), PK_OK);
    for (size_t i = 0; i < n_t; i++)
        m->observe(x + i * m->n_state, d, obs + i * m->n_obs);
}

pk_fit_opts tu_ml_opts(void)
{
    pk_fit_opts o = pk_fit_default_opts();
    o.use_priors = o.proposals = o.draws = 0;
    o.threads = 1;
    return o;
}

void tu_fit_init(pk_fit_problem *fp, const pk_patient *p, const pk_fit_opts *o)
{
    pk_err err = {0};
    if (pk_fit_problem_init(fp, p, o, &err))
        fail_msg("%s: %s", p->path, err.msg);
}

void tu_fit_run(pk_fit_problem *fp, const pk_patient *p, const pk_fit_opts *o,
                pk_fit_result *res)
{
    tu_fit_init(fp, p, o);
    pk_err err = {0};
    if (pk_fit_run(fp, res, &err))
        fail_msg("%s: %s", p->path, err.msg);
}

int tu_fit_objective(const pk_fit_problem *fp, pk_solver *s, const double *eta, double *r,
                     double *obj, pk_err *err)
{
    int rc = pk_fit_residuals(fp, s, eta, r, NULL, err);
    double sum = 0;
    for (size_t i = 0; i < fp->n_res && rc == PK_OK; i++)
        sum += r[i] * r[i];
    *obj = rc == PK_OK ? sum : INFINITY;
    return rc;
}

double tu_rel_metric(const double *a, const double *b, size_t n, size_t stride, size_t col)
{
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double av = a[i * stride + col], bv = b[i * stride + col];
        if (!isfinite(av) || !isfinite(bv))
            return INFINITY;
        if (fabs(bv) >= 1e-6)
            worst = fmax(worst, fabs(av - bv) / fabs(bv));
    }
    return worst;
}

double *tu_grid(double end, double h, size_t *n)
{
    *n = (size_t)floor(end / h + 1e-9) + 1;
    double *t = malloc(*n * sizeof *t);
    for (size_t i = 0; i < *n; i++)
        t[i] = i * h;
    return t;
}
