/* Property test over the prior space: 500 parameter vectors drawn from
 * the priors, plus every parameter at -3 and +3 prior SD alone, each on
 * 200 mg qd, 400 mg bid, 600 mg (400 + 200) and 800 mg qd for 60 days
 * (draws and +-3 SD values kept inside each parameter's admissible range).
 * Every simulation either succeeds with finite, non-negative states and
 * PK mass balance, or fails with a solver error that names the day and a
 * state -- never a crash, never a NaN in the output.  Then 300 more
 * draws over a whole 221-day course, where no failure is allowed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "pk_prior.h"
#include "test_util.h"

static const pk_regimen regimens[4] = {
    {0, 59, 200, 0, 0, 0, 0}, {0, 59, 400, 400, 0, 0, 0}, {0, 59, 400, 200, 0, 0, 0}, {0, 59, 800, 0, 0, 0, 0}};

static int ok_runs, solver_errors;

static void check_one(const pk_model *m, pk_solver *s, const double *theta, double *x,
                      const double *t, size_t nt)
{
    for (int r = 0; r < 4; r++) {
        pk_dose *d;
        size_t nd;
        pk_err err = {0};
        pk_dosing_expand(&regimens[r], 1, &d, &nd, &err);
        int rc = pk_solver_run(s, theta, NAN, d, nd, t, nt, x, &err);
        if (rc == PK_OK) {
            for (size_t i = 0; i < nt * m->n_state; i++)
                if (!isfinite(x[i]) || x[i] < 0)
                    fail_msg("state %s = %g at day %g", m->state[i % m->n_state].name, x[i],
                             t[i / m->n_state]);
            /* mass balance at the end: all PK states hold what was dosed */
            double held = 0, dosed = 0;
            for (size_t k = 0; k < m->n_pk; k++)
                held += x[(nt - 1) * m->n_state + k];
            for (size_t k = 0; k < nd; k++)
                if (d[k].t_day < t[nt - 1])
                    dosed += d[k].amount_mg;
            if (fabs(held - dosed) > 1e-8 * dosed)
                fail_msg("mass balance %g vs %g", held, dosed);
            ok_runs++;
        } else {
            /* a solver failure must say when and where */
            if (rc != PK_ESOLVER || !strstr(err.msg, "day") || !strstr(err.msg, "state"))
                fail_msg("unexpected failure %d: %s", rc, err.msg);
            solver_errors++;
        }
        free(d);
    }
}

/* One parameter vector from the priors, inside each admissible range. */
static void draw_prior(const pk_patient *p, gsl_rng *rng, double *theta)
{
    const pk_model *m = p->model;
    for (size_t j = 0; j < m->n_param; j++)
        theta[j] = pk_prior_draw_in(p->param[j].prior, p->param[j].value, p->param[j].spread,
                                    m->param[j].lo, m->param[j].hi, rng);
}

static void prior_space(void **st)
{
    (void)st;
    pk_patient p;
    tu_load_patient("params/patient2.ini", &p);
    const pk_model *m = p.model;
    size_t nt;
    double *t = tu_grid(60, 1, &nt);
    double *x = malloc(nt * m->n_state * sizeof *x);
    pk_err err = {0};
    pk_solver *s = pk_solver_new(m, NULL, &err);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 7);
    double theta[PK_MAX_PARAM];
    for (int draw = 0; draw < 500; draw++) {
        draw_prior(&p, rng, theta);
        check_one(m, s, theta, x, t, nt);
    }
    int extremes = 0;
    for (size_t j = 0; j < m->n_param; j++) {
        const pk_param_setting *ps = &p.param[j];
        if (ps->prior == PK_PRIOR_FIXED || ps->fixed)
            continue;
        for (int sgn = -1; sgn <= 1; sgn += 2) {
            pk_patient_theta(&p, theta);
            theta[j] = pk_prior_from_eta(ps->prior, pk_prior_to_eta(ps->prior, ps->value) +
                                                         3 * sgn * pk_prior_sd(ps->prior, ps->spread));
            /* within the admissible range (f_R0 at +3 SD would be 1) */
            theta[j] = fmin(fmax(theta[j], m->param[j].lo), m->param[j].hi);
            check_one(m, s, theta, x, t, nt);
            extremes++;
        }
    }
    print_message("%d runs succeeded, %d stopped with a solver error (%d vectors at +-3 SD)\n",
                  ok_runs, solver_errors, extremes);
    assert_true(ok_runs + solver_errors == 4 * (500 + extremes));
    assert_true(ok_runs > 0.95 * (ok_runs + solver_errors));
    gsl_rng_free(rng);
    pk_solver_free(s);
    free(x);
    free(t);
    pk_patient_free(&p);
}

/* The whole 221-day course at 400 mg bid for 300 more prior draws: every
 * one must finish (no solver error allowed here).  Pools killed for months
 * fall over hundreds of decades; one such draw once underflowed exp() at
 * day 117. */
static void prior_space_long_course(void **st)
{
    (void)st;
    pk_patient p;
    tu_load_patient("params/patient2.ini", &p);
    const pk_model *m = p.model;
    size_t nt;
    double *t = tu_grid(221, 1, &nt);
    double *x = malloc(nt * m->n_state * sizeof *x);
    pk_err err = {0};
    pk_solver *s = pk_solver_new(m, NULL, &err);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 221);
    pk_regimen reg = {0, 220, 400, 400, 0, 0, 0};
    pk_dose *d;
    size_t nd;
    assert_int_equal(pk_dosing_expand(&reg, 1, &d, &nd, &err), PK_OK);
    double theta[PK_MAX_PARAM], lr_min = INFINITY;
    int lr = pk_model_state_index(m, "Lr");
    assert_true(lr >= 0);
    for (int draw = 0; draw < 300; draw++) {
        draw_prior(&p, rng, theta);
        if (pk_solver_run(s, theta, NAN, d, nd, t, nt, x, &err) != PK_OK)
            fail_msg("draw %d: %s", draw, err.msg);
        for (size_t i = 0; i < nt * m->n_state; i++)
            if (!isfinite(x[i]) || x[i] < 0)
                fail_msg("draw %d: state %s = %g", draw, m->state[i % m->n_state].name, x[i]);
        lr_min = fmin(lr_min, x[(nt - 1) * m->n_state + (size_t)lr]);
    }
    print_message("300 courses of 221 days finished; smallest Lr at day 221: %.3g\n", lr_min);
    free(d);
    gsl_rng_free(rng);
    pk_solver_free(s);
    free(x);
    free(t);
    pk_patient_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(prior_space),
        cmocka_unit_test(prior_space_long_course),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
