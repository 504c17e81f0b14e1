/* iv1cpt against its closed form: superposed exponential decays after IV
 * boluses, C(t) = sum over doses D_i at t_i of D_i / V exp(-k (t - t_i)),
 * V = V_L_per_kg * weight, k = CL_L_per_h_per_kg / V_L_per_kg. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models.h"
#include "test_util.h"

/* C(t) (mg/L) for doses (mg) at times (days), k in 1/day, V in L; a dose
 * at t itself is not yet in (the engine's outputs are pre-dose). */
static double bolus_sum(const pk_dose *d, size_t n, double k, double v, double t)
{
    double c = 0;
    for (size_t i = 0; i < n; i++)
        if (t > d[i].t_day)
            c += d[i].amount_mg / v * exp(-k * (t - d[i].t_day));
    return c;
}

static double conc_at(const pk_model *m, const double *x, const double *theta, double w)
{
    double o[PK_MAX_OBS];
    double d[PK_MAX_DERIVED];
    pk_err err = {0};
    assert_int_equal(m->derive(theta, w, d, &err), PK_OK);
    m->observe(x, d, o);
    return o[m->conc_obs];
}

/* The patient file's "0 = 100 mg bid" at CL 0.05 L/h/kg, V 0.7 L/kg,
 * 25 kg: C = 100/17.5 (exp(-k t) + exp(-k (t - 12 h))), k = 1/14 per hour.
 * The values below were worked out by hand from that formula (12 digits);
 * at 12 h the output is the one just before the second bolus. */
static void two_boluses_from_patient_file(void **state)
{
    (void)state;
    pk_patient p = {0};
    tu_load_patient("tests/data/iv1cpt_two_boluses.ini", &p);
    const pk_model *m = p.model;
    assert_ptr_equal(m, &model_iv1cpt);
    double theta[PK_MAX_PARAM];
    pk_patient_theta(&p, theta);
    assert_true(theta[0] == 0.05 && theta[1] == 0.7 && p.weight_kg == 25);
    size_t nd;
    pk_dose *d = tu_doses(&p, &nd);
    assert_int_equal(nd, 2);
    assert_true(d[0].t_day == 0 && d[1].t_day == 0.5);
    assert_true(d[0].amount_mg == 100 && d[1].amount_mg == 100);

    static const double hours[] = {6, 12, 18, 30, 48};
    static const double by_hand[] = {3.72250890018, 2.42498768958, 5.3022405952, 2.25012692985,
                                     0.62205444506};
    enum { NT = sizeof hours / sizeof hours[0] };
    double t[NT], x[NT * 2];
    for (int i = 0; i < NT; i++)
        t[i] = hours[i] / 24;
    for (int coupled = 0; coupled <= 1; coupled++) {
        pk_solver_opts o = pk_solver_default_opts();
        o.coupled = coupled;
        o.method = coupled ? PK_BDF : PK_ADAMS;
        o.rtol = coupled ? 1e-10 : 1e-8;
        o.pk_rtol = 1e-11;
        tu_run(m, &o, theta, p.weight_kg, d, nd, t, NT, x);
        for (int i = 0; i < NT; i++) {
            double c = conc_at(m, x + 2 * i, theta, p.weight_kg);
            double ref = bolus_sum(d, nd, 24 * 0.05 / 0.7, 0.7 * 25, t[i]);
            print_message("%s engine, %g h: %.12g mg/L (by hand %.12g, formula %.12g)\n",
                          coupled ? "coupled" : "split", hours[i], c, by_hand[i], ref);
            assert_true(fabs(ref - by_hand[i]) < 1e-10 * by_hand[i]);
            assert_true(fabs(c - by_hand[i]) < 1e-7 * by_hand[i]);
            /* mass balance: central + eliminated = the doses given so far */
            double given = (t[i] > 0) * 100.0 + (t[i] > 0.5) * 100.0;
            assert_true(fabs(x[2 * i] + x[2 * i + 1] - given) < 1e-8 * given);
        }
    }
    free(d);
    pk_patient_free(&p);
}

/* A 1.4 kg neonate (Phenobarb subject 1's loading and maintenance doses;
 * no patient file takes that weight) over 5 days on a fine grid. */
static void neonate_history(void **state)
{
    (void)state;
    const pk_model *m = &model_iv1cpt;
    double theta[2] = {0.0047, 0.96}, w = 1.4;
    pk_dose d[10];
    size_t nd = 0;
    d[nd++] = (pk_dose){0, 25};
    for (int i = 1; i < 10; i++)
        d[nd++] = (pk_dose){0.5 * i + 0.02, 3.5};
    size_t nt;
    double *t = tu_grid(5, 0.25 / 6, &nt);
    double *x = malloc(nt * 2 * sizeof *x);
    pk_solver_opts o = pk_solver_default_opts();
    o.pk_rtol = 1e-11;
    tu_run(m, &o, theta, w, d, nd, t, nt, x);
    double worst = 0;
    for (size_t i = 0; i < nt; i++) {
        double ref = bolus_sum(d, nd, 24 * 0.0047 / 0.96, 0.96 * w, t[i]);
        if (ref >= 1e-6)
            worst = fmax(worst, fabs(conc_at(m, x + 2 * i, theta, w) - ref) / ref);
    }
    print_message("neonate: max rel error %.3g\n", worst);
    assert_true(worst < 1e-7);
    free(t);
    free(x);
}

/* CL and V are per kg: a missing (or non-positive) weight is refused with
 * the key to add, not replaced by a default. */
static void weight_required(void **state)
{
    (void)state;
    const pk_model *m = &model_iv1cpt;
    double theta[2] = {0.0047, 0.96}, d[PK_MAX_DERIVED];
    double bad[] = {NAN, 0, -1, INFINITY};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pk_err err = {0};
        assert_int_equal(m->derive(theta, bad[i], d, &err), PK_EINPUT);
        assert_non_null(strstr(err.msg, "weight_kg"));
    }
    pk_err err = {0};
    assert_int_equal(m->derive(theta, 3.2, d, &err), PK_OK);
    theta[0] = 0; /* outside 1e-6..10 */
    assert_int_equal(m->derive(theta, 3.2, d, &err), PK_EINPUT);
    assert_non_null(strstr(err.msg, "CL_L_per_h_per_kg"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_boluses_from_patient_file),
        cmocka_unit_test(neonate_history),
        cmocka_unit_test(weight_required),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
