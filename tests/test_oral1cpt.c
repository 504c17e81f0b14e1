/* oral1cpt against its closed form: superposed Bateman functions. */
#include <math.h>
#include <stdlib.h>

#include "models.h"
#include "test_util.h"

/* C(t) for doses (mg) at times (days) with ka, k (1/day), V (L), lag. */
static double bateman(const pk_dose *d, size_t n, double ka, double k, double v, double lag,
                      double t)
{
    double c = 0;
    for (size_t i = 0; i < n; i++) {
        double s = t - d[i].t_day - lag;
        if (s > 0)
            c += d[i].amount_mg * ka / (v * (ka - k)) * (exp(-k * s) - exp(-ka * s));
    }
    return c;
}

/* 30 days: 100 mg bid, then 250 mg bid (a change), a 5-day pause, then
 * 150 mg qd. */
static pk_dose *history(size_t *n)
{
    pk_dose *d = malloc(64 * sizeof *d);
    size_t k = 0;
    for (int day = 0; day < 30; day++) {
        if (day < 10) {
            d[k++] = (pk_dose){day, 100};
            d[k++] = (pk_dose){day + 0.5, 100};
        } else if (day < 20) {
            d[k++] = (pk_dose){day, 250};
            d[k++] = (pk_dose){day + 0.5, 250};
        } else if (day >= 25) {
            d[k++] = (pk_dose){day, 150};
        }
    }
    *n = k;
    return d;
}

static void check(double lag_h, int coupled, double rtol, double tol)
{
    const pk_model *m = &model_oral1cpt;
    double theta[4] = {1.3, 4.0, 60.0, lag_h}; /* ka 1/h, CL L/h, V L, tlag h */
    double ka = 24 * 1.3, k = 24 * 4.0 / 60.0, v = 60.0, lag = lag_h / 24;
    size_t nd, nt;
    pk_dose *d = history(&nd);
    double *t = tu_grid(30, 0.25 / 6, &nt); /* finer than the metric's grid */
    double *x = malloc(nt * m->n_state * sizeof *x);
    pk_solver_opts o = pk_solver_default_opts();
    o.coupled = coupled;
    o.method = coupled ? PK_BDF : PK_ADAMS;
    o.rtol = rtol;
    o.pk_rtol = 1e-11;
    tu_run(m, &o, theta, 80, d, nd, t, nt, x);
    double worst = 0, total = 0;
    for (size_t i = 0; i < nt; i++) {
        double ref = bateman(d, nd, ka, k, v, lag, t[i]);
        double c = x[i * m->n_state + 1] / v;
        if (fabs(ref) >= 1e-6)
            worst = fmax(worst, fabs(c - ref) / ref);
    }
    for (size_t i = 0; i < nd; i++)
        total += d[i].amount_mg;
    /* mass balance at the end: depot + central + eliminated = all doses
     * (none given after the last output) */
    double *xe = x + (nt - 1) * m->n_state;
    double mass = xe[0] + xe[1] + xe[2];
    print_message("lag %.1f h %s: max rel error %.3g, mass balance %.3g\n", lag_h,
                  coupled ? "coupled" : "split", worst, fabs(mass - total) / total);
    assert_true(worst < tol);
    assert_true(fabs(mass - total) / total < 1e-8);
    free(d);
    free(t);
    free(x);
}

static void split_engine(void **state)
{
    (void)state;
    check(0, 0, 1e-8, 1e-6);
}

static void split_engine_with_lag(void **state)
{
    (void)state;
    check(0.75, 0, 1e-8, 1e-6);
}

static void coupled_engine(void **state)
{
    (void)state;
    check(0, 1, 1e-10, 1e-6);
}

static void coupled_engine_with_lag(void **state)
{
    (void)state;
    check(0.75, 1, 1e-10, 1e-6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(split_engine),
        cmocka_unit_test(split_engine_with_lag),
        cmocka_unit_test(coupled_engine),
        cmocka_unit_test(coupled_engine_with_lag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
