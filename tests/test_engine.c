/* The split engine (PK propagator + CVODE on the PD) against the coupled
 * reference at rtol 1e-10: patient 2 at prior medians, 221 days of 400 mg
 * bid, by the project's metric on a 0.25-day grid. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

static const char *const outputs[] = {"conc", "wbc", "blast_pb_pct", "blast_bm_pct", "LT"};

static void split_matches_coupled(void **state)
{
    (void)state;
    pk_patient p;
    tu_load_patient("params/patient2.ini", &p);
    const pk_model *m = p.model;
    double theta[PK_MAX_PARAM];
    pk_patient_theta(&p, theta);
    size_t nd, nt;
    pk_dose *d = tu_doses(&p, &nd);
    assert_int_equal(nd, 442);
    double *t = tu_grid(221, 0.25, &nt);
    double *xa = malloc(nt * m->n_state * sizeof *xa), *xb = malloc(nt * m->n_state * sizeof *xb);
    double *oa = malloc(nt * m->n_obs * sizeof *oa), *ob = malloc(nt * m->n_obs * sizeof *ob);
    pk_solver_opts ref = pk_solver_default_opts();
    ref.coupled = 1;
    ref.method = PK_BDF;
    ref.rtol = 1e-10;
    tu_run(m, &ref, theta, p.weight_kg, d, nd, t, nt, xb);
    pk_solver_opts split = pk_solver_default_opts();
    tu_run(m, &split, theta, p.weight_kg, d, nd, t, nt, xa);
    tu_observe(m, theta, p.weight_kg, xa, nt, oa);
    tu_observe(m, theta, p.weight_kg, xb, nt, ob);
    double worst = 0;
    for (size_t k = 0; k < sizeof outputs / sizeof *outputs; k++) {
        int j = pk_model_obs_index(m, outputs[k]);
        double e = tu_rel_metric(oa, ob, nt, m->n_obs, (size_t)j);
        print_message("%-13s max rel error %.3g\n", outputs[k], e);
        worst = fmax(worst, e);
    }
    assert_true(worst < 1e-4);
    free(t);
    free(xa);
    free(xb);
    free(oa);
    free(ob);
    free(d);
    pk_patient_free(&p);
}

/* The propagator is built once per PK parameter set: a second run with
 * other PD parameters reuses it and a PK change rebuilds it; reuse gives
 * bit-identical PK. */
static void propagator_cache(void **state)
{
    (void)state;
    pk_patient p;
    tu_load_patient("params/patient2.ini", &p);
    const pk_model *m = p.model;
    double theta[PK_MAX_PARAM];
    pk_patient_theta(&p, theta);
    size_t nd, nt;
    pk_dose *d = tu_doses(&p, &nd);
    double *t = tu_grid(30, 0.5, &nt);
    double *x1 = malloc(nt * m->n_state * sizeof *x1), *x2 = malloc(nt * m->n_state * sizeof *x2);
    pk_err err = {0};
    pk_solver *s = pk_solver_new(m, NULL, &err);
    assert_non_null(s);
    assert_int_equal(pk_solver_run(s, theta, NAN, d, nd, t, nt, x1, &err), PK_OK);
    theta[pk_model_param_index(m, "Emax_L_per_day")] *= 2;
    assert_int_equal(pk_solver_run(s, theta, NAN, d, nd, t, nt, x2, &err), PK_OK);
    assert_int_equal(pk_solver_get_stats(s).prop_builds, 1);
    for (size_t i = 0; i < nt; i++)
        for (size_t k = 0; k < m->n_pk; k++)
            assert_true(x1[i * m->n_state + k] == x2[i * m->n_state + k]);
    theta[pk_model_param_index(m, "CL_L_per_h")] *= 1.5;
    assert_int_equal(pk_solver_run(s, theta, NAN, d, nd, t, nt, x2, &err), PK_OK);
    assert_int_equal(pk_solver_get_stats(s).prop_builds, 2);
    pk_solver_free(s);
    free(t);
    free(x1);
    free(x2);
    free(d);
    pk_patient_free(&p);
}

/* A solver failure is an error naming the time and a state, not a crash. */
static void solver_failure_is_reported(void **state)
{
    (void)state;
    pk_patient p;
    tu_load_patient("params/patient2.ini", &p);
    const pk_model *m = p.model;
    double theta[PK_MAX_PARAM];
    pk_patient_theta(&p, theta);
    size_t nd, nt;
    pk_dose *d = tu_doses(&p, &nd);
    double *t = tu_grid(30, 1, &nt);
    double *x = malloc(nt * m->n_state * sizeof *x);
    pk_solver_opts o = pk_solver_default_opts();
    o.max_steps = 5; /* far too few: CVODE must give up */
    pk_err err = {0};
    pk_solver *s = pk_solver_new(m, &o, &err);
    assert_non_null(s);
    assert_int_equal(pk_solver_run(s, theta, NAN, d, nd, t, nt, x, &err), PK_ESOLVER);
    assert_non_null(strstr(err.msg, "solver failed at day"));
    assert_non_null(strstr(err.msg, "CV_TOO_MUCH_WORK"));
    assert_non_null(strstr(err.msg, "largest error in state"));
    pk_solver_free(s);
    free(t);
    free(x);
    free(d);
    pk_patient_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(split_matches_coupled),
        cmocka_unit_test(propagator_cache),
        cmocka_unit_test(solver_failure_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
