/* Sweep read-outs on a hand-made trajectory, against hand-computed values;
 * the sweep's default tolerance against a tight one. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models.h"
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>

#include "pk_prcc.h"
#include "pk_sweep.h"
#include "test_util.h"

#define N_RO_MAX PK_MAX_READOUT

/* Index of a read-out of sorafenib_flt3 (the test fails on a missing one). */
static int ro_ix(const char *name)
{
    int k = pk_model_readout_index(&model_sorafenib_flt3, name);
    assert_true(k >= 0);
    return k;
}

static void readouts_by_hand(void **s)
{
    (void)s;
    const pk_model *m = &model_sorafenib_flt3;
    size_t ns = m->n_state, no = m->n_obs;
    enum { N = 9 };
    /* days 0..8 (1-day steps), horizon 8 */
    double t[N], x[N * PK_MAX_STATE], obs[N * PK_MAX_OBS], ro[N_RO_MAX];
    static const double wbc[N] = {20, 5, 1.5, 0.8, 0.5, 0.9, 1.8, 3, 4};
    static const double pb[N] = {80, 20, 3, 0.5, 0.2, 0.4, 2, 6, 12};
    static const double conc[N] = {0, 0.3, 0.7, 0.9, 1.0, 0.8, 0.5, 0.6, 0.7};
    static const double lr[N] = {1e-6, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.02, 0.03, 0.05};
    int iq = -1, il = -1, ir = -1;
    for (size_t k = 0; k < ns; k++) {
        if (!strcmp(m->state[k].name, "Q"))
            iq = (int)k;
        if (!strcmp(m->state[k].name, "Ls"))
            il = (int)k;
        if (!strcmp(m->state[k].name, "Lr"))
            ir = (int)k;
    }
    memset(x, 0, sizeof x);
    for (int i = 0; i < N; i++) {
        t[i] = i;
        obs[i * no + pk_model_obs_index(m, "wbc")] = wbc[i];
        obs[i * no + pk_model_obs_index(m, "blast_pb_pct")] = pb[i];
        obs[i * no + m->conc_obs] = conc[i];
        x[i * ns + iq] = 0.01;
        x[i * ns + il] = 0.005;
        x[i * ns + ir] = lr[i];
    }
    double theta[PK_MAX_PARAM];
    for (size_t j = 0; j < m->n_param; j++)
        theta[j] = m->param[j].median;
    theta[pk_model_param_index(m, "EC50_mg_per_L")] = 0.0693; /* C90 = 0.6237 mg/L */
    static const double daily[8] = {800, 800, 800, 800, 400, 400, 400, 400};
    pk_course c = {t, N, obs, x, daily, 8, 0, theta};
    m->readouts(m, &c, ro);
    assert_float_equal(ro[ro_ix("hr_day")], 3, 0);          /* first pb < 1: day 3 */
    assert_float_equal(ro[ro_ix("nadir_blast_pb_pct")], 0.2, 0);
    assert_float_equal(ro[ro_ix("relapse_free_days")], 7, 0);    /* pb >= 5 after HR: day 7 */
    assert_float_equal(ro[ro_ix("p_relapse")], 1, 0);
    assert_float_equal(ro[ro_ix("grade4_days")], 3, 0);         /* days 3, 4, 5 below 1.0 */
    assert_float_equal(ro[ro_ix("grade3_days")], 5, 0);         /* days 2-6 below 2.0 */
    assert_float_equal(ro[ro_ix("wbc_nadir")], 0.5, 0);
    assert_float_equal(ro[ro_ix("wbc_nadir_day")], 4, 0);
    assert_float_equal(ro[ro_ix("cum_dose_mg")], 4 * 800 + 4 * 400, 0);
    assert_float_equal(ro[ro_ix("mean_dose_mg_per_day")], 600, 0);
    assert_float_equal(ro[ro_ix("dose_changes")], 1, 0);
    assert_float_equal(ro[ro_ix("frac_inhibition_gt_0.9")], 4.0 / 8, 1e-12); /* days 2-5 above 0.6237 */
    assert_float_equal(ro[ro_ix("resistant_dominance_day")], 6, 0); /* Lr 0.02 > Q + Ls = 0.015 */
    assert_float_equal(ro[ro_ix("LT_end")], 0.065, 1e-15);
    assert_float_equal(ro[ro_ix("log10_LT_cells_end")], log10(0.065e12), 1e-12);
    assert_float_equal(ro[ro_ix("p_hr")], 1, 0);
}

/* Read-out quantiles of a small sweep (patient 2's prior draws, 400 mg
 * bid, 120 days) at rtol `rtol`, into q (n_ro x 3). */
static void small_sweep(double rtol, double *q)
{
    pk_patient p;
    tu_load_patient("params/patient2.ini", &p);
    pk_sweep_opts o = pk_sweep_default_opts();
    o.doses[0] = 400;
    o.n_doses = 1;
    o.qd = 0;
    o.days = 120;
    o.draws = 60;
    o.threads = 1;
    if (rtol > 0)
        o.rtol = rtol;
    pk_sweep_result r;
    memset(&r, 0, sizeof r);
    pk_err err = {0};
    assert_int_equal(pk_sweep_run(&p, &o, &r, &err), PK_OK);
    assert_int_equal(r.n_scen, 1);
    assert_int_equal(r.fails, 0);
    memcpy(q, r.q, r.n_ro * 3 * sizeof *q);
    pk_sweep_result_free(&r);
    pk_patient_free(&p);
}

/* Largest relative difference over the read-out quantiles. */
static double worst_readout(const double *a, const double *b)
{
    double w = 0;
    for (size_t k = 0; k < model_sorafenib_flt3.n_readout * 3; k++) {
        if (!isfinite(a[k]) || !isfinite(b[k]))
            return INFINITY; /* fmax would drop a NaN */
        if (a[k] != b[k])
            w = fmax(w, fabs(a[k] - b[k]) / fmax(fabs(b[k]), 1e-300));
    }
    return w;
}

/* The sweep solves at rtol 1e-5 (pk_sweep_default_opts): its read-outs
 * stay within 1e-3 of the same sweep at rtol 1e-9, far inside their Monte
 * Carlo error, with every day-based read-out and probability equal.  At
 * rtol 1e-3 (the loosest --rtol) they do not. */
static void tolerance_keeps_readouts(void **s)
{
    (void)s;
    double ref[N_RO_MAX * 3], q[N_RO_MAX * 3], loose[N_RO_MAX * 3];
    small_sweep(1e-9, ref);
    small_sweep(0, q);
    small_sweep(1e-3, loose);
    double w = worst_readout(q, ref), wl = worst_readout(loose, ref);
    print_message("read-outs at the default rtol vs 1e-9: %.2g; at rtol 1e-3: %.2g\n", w, wl);
    assert_true(w < 1e-3);
    assert_true(wl > 1e-3);
    static const char *const exact[] = {"hr_day", "relapse_free_days", "grade4_days",
                                        "grade3_days", "wbc_nadir_day", "resistant_dominance_day",
                                        "p_hr", "p_relapse", "p_resistant_dominance"};
    for (size_t i = 0; i < sizeof exact / sizeof *exact; i++)
        for (int j = 0; j < 3; j++)
            assert_float_equal(q[ro_ix(exact[i]) * 3 + j], ref[ro_ix(exact[i]) * 3 + j], 0);
}

/* Ranks 1..n (no ties in continuous draws). */
static void rank_of(const double *v, size_t stride, size_t n, double *r)
{
    for (size_t i = 0; i < n; i++) {
        size_t below = 0;
        for (size_t k = 0; k < n; k++)
            below += v[k * stride] < v[i * stride];
        r[i] = (double)below + 1;
    }
}

/* PRCC the textbook way: residuals of rank(x_j) and of rank(y) after
 * least squares on the ranks of the other inputs (with an intercept),
 * then their correlation. */
static double prcc_direct(const double *x, size_t n, size_t m, const double *y, size_t j)
{
    double *rx = malloc(n * m * sizeof *rx), *ry = malloc(n * sizeof *ry);
    for (size_t a = 0; a < m; a++)
        rank_of(x + a, m, n, rx + a * n);
    rank_of(y, 1, n, ry);
    gsl_matrix *X = gsl_matrix_alloc(n, m), *cov = gsl_matrix_alloc(m, m);
    gsl_vector *c = gsl_vector_alloc(m), *res_x = gsl_vector_alloc(n), *res_y = gsl_vector_alloc(n);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(n, m);
    for (size_t i = 0; i < n; i++) {
        gsl_matrix_set(X, i, 0, 1.0);
        for (size_t a = 0, col = 1; a < m; a++)
            if (a != j)
                gsl_matrix_set(X, i, col++, rx[a * n + i]);
    }
    double chisq;
    gsl_vector_view vx = gsl_vector_view_array(rx + j * n, n), vy = gsl_vector_view_array(ry, n);
    gsl_multifit_linear(X, &vx.vector, c, cov, &chisq, w);
    gsl_multifit_linear_residuals(X, &vx.vector, c, res_x);
    gsl_multifit_linear(X, &vy.vector, c, cov, &chisq, w);
    gsl_multifit_linear_residuals(X, &vy.vector, c, res_y);
    double r = gsl_stats_correlation(res_x->data, 1, res_y->data, 1, n);
    gsl_multifit_linear_free(w);
    gsl_matrix_free(X);
    gsl_matrix_free(cov);
    gsl_vector_free(c);
    gsl_vector_free(res_x);
    gsl_vector_free(res_y);
    free(rx);
    free(ry);
    return r;
}

/* pk_prcc against the direct computation on 200 synthetic draws of three
 * inputs: y rises with x0, less with x1, falls with x2 through exp, and
 * ignores x3. */
static void prcc_matches_direct(void **s)
{
    (void)s;
    enum { N = 200, M = 4 };
    static double x[N * M], y[N];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 7);
    for (size_t i = 0; i < N; i++) {
        for (size_t a = 0; a < M; a++)
            x[i * M + a] = gsl_rng_uniform(rng);
        y[i] = x[i * M] + 0.4 * x[i * M + 1] + exp(-3 * x[i * M + 2]) +
               gsl_ran_gaussian(rng, 0.1);
    }
    gsl_rng_free(rng);
    double p[M];
    assert_int_equal(pk_prcc(x, N, M, M, y, p), 0);
    for (size_t j = 0; j < M; j++) {
        double d = prcc_direct(x, N, M, y, j);
        print_message("PRCC x%zu: %.6f, direct %.6f\n", j, p[j], d);
        assert_float_equal(p[j], d, 1e-9);
    }
    assert_true(p[0] > 0.8 && p[1] > 0.3 && p[2] < -0.8 && fabs(p[3]) < 0.25); /* x3: 0 within 3.5 SE (1/sqrt(N)) */
    /* a constant output has no rank correlation */
    double c[N];
    for (size_t i = 0; i < N; i++)
        c[i] = 1;
    assert_int_equal(pk_prcc(x, N, M, M, c, p), 0);
    assert_true(isnan(p[0]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(readouts_by_hand),
        cmocka_unit_test(tolerance_keeps_readouts),
        cmocka_unit_test(prcc_matches_direct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
