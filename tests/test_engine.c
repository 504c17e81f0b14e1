/* The split engine (PK propagator + CVODE on the PD) against the coupled
 * reference at rtol 1e-10: patient 2 at prior medians, 221 days of 400 mg
 * bid, by the project's metric on a 0.25-day grid.  The model's PD
 * integration aids: the exposure shift is a change of variables (exact),
 * and it survives a re-dose. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

static const char *const outputs[] = {"conc", "wbc", "blast_pb_pct", "blast_bm_pct", "LT"};

/* Patient 2 at its file's values (prior medians). */
static const pk_model *patient2(pk_patient *p, double *theta)
{
    tu_load_patient("params/patient2.ini", p);
    pk_patient_theta(p, theta);
    return p->model;
}

static void split_matches_coupled(void **state)
{
    (void)state;
    pk_patient p;
    double theta[PK_MAX_PARAM];
    const pk_model *m = patient2(&p, theta);
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

/* Worst relative difference of the outputs between two runs of n_t rows,
 * by the project's metric. */
static double worst_diff(const pk_model *m, const double *theta, const double *xa,
                         const double *xb, size_t nt)
{
    double *oa = malloc(nt * m->n_obs * sizeof *oa), *ob = malloc(nt * m->n_obs * sizeof *ob);
    tu_observe(m, theta, NAN, xa, nt, oa);
    tu_observe(m, theta, NAN, xb, nt, ob);
    double worst = 0;
    for (size_t k = 0; k < sizeof outputs / sizeof *outputs; k++)
        worst = fmax(worst, tu_rel_metric(oa, ob, nt, m->n_obs,
                                          (size_t)pk_model_obs_index(m, outputs[k])));
    free(oa);
    free(ob);
    return worst;
}

/* ln Lr + a AUC(t) and ln P + a AUC(t) are a change of variables: at
 * rtol 1e-10 the engine with and without the aids agrees to the
 * tolerance's order (measured 9e-8, most of it the loosened Ls weight,
 * 1000 rtol), over a course with a pause (different AUC slopes).  And the
 * shift is on: at rtol 1e-6, LT (late, the resistant clone) is ten times
 * closer to that solution with the aids than without (asserted: five). */
static void exposure_shift_is_exact(void **state)
{
    (void)state;
    pk_patient p;
    double theta[PK_MAX_PARAM];
    const pk_model *m = patient2(&p, theta);
    pk_regimen reg[2] = {{0, 59, 400, 400, 0, 0, 0}, {90, 180, 800, 0, 0, 0, 0}};
    pk_dose *d;
    size_t nd, nt;
    pk_err err = {0};
    assert_int_equal(pk_dosing_expand(reg, 2, &d, &nd, &err), PK_OK);
    double *t = tu_grid(181, 0.5, &nt);
    double *xa = malloc(nt * m->n_state * sizeof *xa), *xb = malloc(nt * m->n_state * sizeof *xb);
    pk_solver_opts o = pk_solver_default_opts();
    o.rtol = 1e-10;
    tu_run(m, &o, theta, NAN, d, nd, t, nt, xa);
    o.plain_pd = 1;
    tu_run(m, &o, theta, NAN, d, nd, t, nt, xb);
    double w = worst_diff(m, theta, xa, xb, nt);
    print_message("with and without the PD aids at rtol 1e-10: %.3g\n", w);
    assert_true(w < 3e-7);
    double *oa = malloc(nt * m->n_obs * sizeof *oa), *ob = malloc(nt * m->n_obs * sizeof *ob);
    size_t lt = (size_t)pk_model_obs_index(m, "LT");
    tu_observe(m, theta, NAN, xa, nt, oa);
    o.rtol = 1e-6;
    tu_run(m, &o, theta, NAN, d, nd, t, nt, xb); /* still plain */
    tu_observe(m, theta, NAN, xb, nt, ob);
    double e_plain = tu_rel_metric(ob, oa, nt, m->n_obs, lt);
    o.plain_pd = 0;
    tu_run(m, &o, theta, NAN, d, nd, t, nt, xb);
    tu_observe(m, theta, NAN, xb, nt, ob);
    double e_aids = tu_rel_metric(ob, oa, nt, m->n_obs, lt);
    print_message("LT at rtol 1e-6: %.3g with the aids, %.3g without\n", e_aids, e_plain);
    assert_true(e_aids < 0.2 * e_plain);
    free(oa);
    free(ob);
    free(t);
    free(xa);
    free(xb);
    free(d);
    pk_patient_free(&p);
}

/* A resumable run re-dosed at day 40 (400 mg bid, then 800 mg qd from day
 * 41) equals one run of the combined schedule: the shifted states' AUC
 * carries on across the re-dose, summed from day 0 over the same past
 * doses.  The two runs take their shift slopes from different schedules
 * and step differently, so they differ by the engine's error at rtol 1e-9
 * (about 1e-6, mostly the loosened Ls weight; 4e-8 without the aids).  An
 * AUC off by 10 mg day/L (0.6%) at the re-dose gives 0.07. */
static void redose_carries_exposure(void **state)
{
    (void)state;
    pk_patient p;
    double theta[PK_MAX_PARAM];
    const pk_model *m = patient2(&p, theta);
    pk_regimen first = {0, 90, 400, 400, 0, 0, 0}, both[2] = {{0, 40, 400, 400, 0, 0, 0}, {41, 90, 800, 0, 0, 0, 0}};
    pk_dose *d1, *d2;
    size_t n1, n2, nt;
    pk_err err = {0};
    assert_int_equal(pk_dosing_expand(&first, 1, &d1, &n1, &err), PK_OK);
    assert_int_equal(pk_dosing_expand(both, 2, &d2, &n2, &err), PK_OK);
    double *t = tu_grid(90, 0.5, &nt);
    size_t ns = m->n_state, half = 81; /* t[80] = day 40 */
    double *xa = malloc(nt * ns * sizeof *xa), *xb = malloc(nt * ns * sizeof *xb);
    pk_solver_opts o = pk_solver_default_opts();
    o.rtol = 1e-9;
    tu_run(m, &o, theta, NAN, d2, n2, t, nt, xb);
    pk_solver *s = pk_solver_new(m, &o, &err);
    assert_int_equal(pk_solver_start(s, theta, NAN, d1, n1, 90, &err), PK_OK);
    assert_int_equal(pk_solver_advance(s, t, half, xa, &err), PK_OK);
    assert_int_equal(pk_solver_redose(s, d2, n2, &err), PK_OK);
    assert_int_equal(pk_solver_advance(s, t + half, nt - half, xa + half * ns, &err), PK_OK);
    double w = worst_diff(m, theta, xa, xb, nt);
    print_message("re-dosed at day 40 vs one run: %.3g\n", w);
    assert_true(w < 5e-6);
    pk_solver_free(s);
    free(t);
    free(xa);
    free(xb);
    free(d1);
    free(d2);
    pk_patient_free(&p);
}

/* The propagator is built once per PK parameter set: a second run with
 * other PD parameters reuses it and a PK change rebuilds it; reuse gives
 * bit-identical PK. */
static void propagator_cache(void **state)
{
    (void)state;
    pk_patient p;
    double theta[PK_MAX_PARAM];
    const pk_model *m = patient2(&p, theta);
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
    double theta[PK_MAX_PARAM];
    const pk_model *m = patient2(&p, theta);
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

/* A parameter that is not a number never reaches a model or the
 * propagator, in either engine or in pin_pk. */
static void nonfinite_parameters_refused(void **state)
{
    (void)state;
    pk_patient p;
    double theta[PK_MAX_PARAM];
    const pk_model *m = patient2(&p, theta);
    size_t nd, nt;
    pk_dose *d = tu_doses(&p, &nd);
    double *t = tu_grid(10, 1, &nt);
    double *x = malloc(nt * m->n_state * sizeof *x);
    int k = pk_model_param_index(m, "g_per_day");
    for (int coupled = 0; coupled <= 1; coupled++) {
        pk_solver_opts o = pk_solver_default_opts();
        o.coupled = coupled;
        pk_err err = {0};
        pk_solver *s = pk_solver_new(m, &o, &err);
        double keep = theta[k];
        theta[k] = NAN;
        assert_int_equal(pk_solver_run(s, theta, NAN, d, nd, t, nt, x, &err), PK_EINPUT);
        assert_string_equal(err.msg, "g_per_day is nan: not a number a model can take");
        pk_err e2 = {0};
        theta[k] = INFINITY;
        assert_int_equal(pk_solver_pin_pk(s, theta, NAN, 10, NULL, 0, &e2),
                         coupled ? PK_OK : PK_EINPUT);
        theta[k] = keep;
        pk_err e3 = {0};
        assert_int_equal(pk_solver_run(s, theta, NAN, d, nd, t, nt, x, &e3), PK_OK);
        pk_solver_free(s);
    }
    free(t);
    free(x);
    free(d);
    pk_patient_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(split_matches_coupled),
        cmocka_unit_test(exposure_shift_is_exact),
        cmocka_unit_test(redose_carries_exposure),
        cmocka_unit_test(propagator_cache),
        cmocka_unit_test(solver_failure_is_reported),
        cmocka_unit_test(nonfinite_parameters_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
