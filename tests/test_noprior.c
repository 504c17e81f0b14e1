/* Maximum likelihood (--no-priors) posterior draws on R's Theoph data
 * (tests/data/theoph, model oral1cpt, additive conc error a = 0.05 mg/L).
 *
 * The Laplace intervals profile the error SD out (nls's residual variance
 * RSS/(n - p), 0.2-1.1 mg/L on these subjects); the SIR weights must use
 * the same likelihood.  The old weights used the model's a = 0.05 mg/L,
 * a likelihood 4-22 times narrower than the proposal built from the
 * profiled covariance: effective sample sizes of 1.6-154 of 5000, and
 * draws far narrower than the intervals the summary reports. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_math.h>

#include "pk_fit.h"
#include "test_util.h"

#define N_SUBJ 12

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void fit_subject(int subj, int proposals, int draws, pk_patient *p, pk_fit_problem *fp,
                        pk_fit_result *res)
{
    char rel_path[256];
    snprintf(rel_path, sizeof rel_path, "tests/data/theoph/theoph_%02d_mg.ini", subj);
    tu_load_patient(rel_path, p);
    pk_fit_opts o = tu_ml_opts();
    o.starts = 4;
    o.proposals = proposals;
    o.draws = draws;
    tu_fit_run(fp, p, &o, res);
}

/* 5%, 50% and 95% of the draws of parameter j (eta scale). */
static void draw_q3(const pk_fit_result *res, size_t j, double *q)
{
    size_t n = res->n_draws, p = res->n_est;
    double *d = malloc(n * sizeof *d);
    for (size_t i = 0; i < n; i++)
        d[i] = res->draws[i * p + j];
    qsort(d, n, sizeof *d, cmp_double);
    q[0] = d[(size_t)(0.05 * (double)(n - 1))];
    q[1] = d[(size_t)(0.5 * (double)(n - 1))];
    q[2] = d[(size_t)(0.95 * (double)(n - 1))];
    free(d);
}

/* Every subject but 9: the effective sample size is most of the 5000
 * proposals (a t proposal around a near-normal likelihood), the
 * summary's labels say maximum likelihood, the error SD the weights
 * used is nls's residual standard error sqrt(RSS/(n - p)), and the
 * profiled -2 log likelihood is R's -2 logLik. */
static void theoph_ess(void **s)
{
    (void)s;
    double ess_min = INFINITY, ess_max = 0;
    for (int subj = 1; subj <= N_SUBJ; subj++) {
        pk_patient p;
        pk_fit_problem fp;
        pk_fit_result res = {0};
        fit_subject(subj, 5000, 1000, &p, &fp, &res);
        double n = (double)fp.n_res_obs, rss = res.obj * 0.05 * 0.05;
        print_message("subject %2d: ESS %7.1f of 5000, error SD %.4f mg/L (model %.2f), %s %.4f\n",
                      subj, res.ess, 0.05 * res.err_scale, 0.05, res.obj_name, res.obj);
        assert_float_equal(0.05 * res.err_scale, sqrt(rss / (n - 3)), 1e-12);
        assert_string_equal(res.obj_name, "-2 log likelihood");
        if (subj == 1) /* R: -2 * logLik(nls fit), RSS 4.2860090243 on 11 points */
            assert_float_equal(res.m2ll_profiled, 11 * (log(2 * M_PI * 4.2860090243 / 11) + 1),
                               1e-6);
        if (subj == 9) {
            /* ka 8.9/h: absorption is over before the first sample but
             * one, the likelihood flattens out as ka grows, and the
             * draws' ka runs to +5.6 sd; the t proposal around the MAP
             * fits it poorly (old weights: ESS 12.9) */
            assert_true(res.ess > 40);
        } else {
            ess_min = fmin(ess_min, res.ess);
            ess_max = fmax(ess_max, res.ess);
        }
        pk_fit_result_free(&res);
        pk_fit_problem_free(&fp);
        pk_patient_free(&p);
    }
    print_message("ESS %.1f-%.1f of 5000 but subject 9\n", ess_min, ess_max);
    assert_true(ess_min > 4000);
}

/* A near-Gaussian case, subject 11 (error SD 0.23 mg/L): the 5% and 95%
 * of 4000 draws of each parameter are the Laplace interval's eta -+ 1.645
 * sd (the summary's intervals at 90%) within 0.15 sd: Monte Carlo error
 * about sqrt(0.05 * 0.95 / 4000) / phi(1.645) sd = 0.034 sd, plus the
 * posterior's own skew (the quadrature below).  The old draws' 90%
 * ranges were a fifth to a tenth of the intervals'. */
static void theoph_draws_match_laplace(void **s)
{
    (void)s;
    pk_patient p;
    pk_fit_problem fp;
    pk_fit_result res = {0};
    fit_subject(11, 20000, 4000, &p, &fp, &res);
    size_t np = fp.n_est;
    double worst = 0;
    for (size_t j = 0; j < np; j++) {
        double sd = sqrt(res.cov[j * np + j]), q[3];
        draw_q3(&res, j, q);
        double z05 = (q[0] - res.eta[j]) / sd, z95 = (q[2] - res.eta[j]) / sd;
        print_message("%-10s draws 5%% %+.3f sd, 95%% %+.3f sd (Laplace -+1.645), ESS %.0f\n",
                      p.model->param[fp.est[j]].name, z05, z95, res.ess);
        worst = fmax(worst, fmax(fabs(z05 + 1.645), fabs(z95 - 1.645)));
    }
    assert_true(worst < 0.15);
    pk_fit_result_free(&res);
    pk_fit_problem_free(&fp);
    pk_patient_free(&p);
}

/* The exact posterior the weights target, by quadrature: subject 1 (error
 * SD 0.73 mg/L, visibly skewed: the draws' CL 5% is -1.9 sd), likelihood
 * at the profiled SD a * err_scale, flat on eta.  For parameter j, a grid
 * eta = eta_hat + L z over z in [-6, 6]^3 (step 0.375), L the Cholesky
 * factor of the covariance with j ordered first, so that eta_j depends on
 * z_0 only: its marginal density is the sum over z_1, z_2, and its CDF
 * the trapezoid integral of that.  The CDF there of the draws' 5%, 50%
 * and 95% must be 0.05, 0.5, 0.95 within 4 Monte Carlo SDs. */
#define QN 33
#define QH 0.375

static double objective(const pk_fit_problem *fp, pk_solver *s, const double *eta, double *r)
{
    pk_err err = {0};
    double sum;
    tu_fit_objective(fp, s, eta, r, &sum, &err);
    return sum;
}

static void theoph_draws_match_quadrature(void **s)
{
    (void)s;
    pk_patient p;
    pk_fit_problem fp;
    pk_fit_result res = {0};
    fit_subject(1, 20000, 4000, &p, &fp, &res);
    size_t np = fp.n_est;
    assert_int_equal(np, 3);
    pk_err err = {0};
    pk_solver_opts so = pk_solver_default_opts();
    so.rtol = 1e-8;
    pk_solver *sv = pk_solver_new(p.model, &so, &err);
    assert_non_null(sv);
    double *r = malloc(fp.n_res * sizeof *r), e2 = res.err_scale * res.err_scale;
    double neff = 1 / (1 / (double)res.n_draws + 1 / res.ess), worst = 0;
    for (size_t j = 0; j < np; j++) {
        /* covariance with j first, its Cholesky factor */
        size_t ord[3] = {j, (j + 1) % 3, (j + 2) % 3};
        gsl_matrix *L = gsl_matrix_alloc(3, 3);
        for (size_t a = 0; a < 3; a++)
            for (size_t b = 0; b < 3; b++)
                gsl_matrix_set(L, a, b, res.cov[ord[a] * np + ord[b]]);
        assert_int_equal(gsl_linalg_cholesky_decomp1(L), GSL_SUCCESS);
        double g[QN] = {0}, sd = gsl_matrix_get(L, 0, 0);
        for (int i0 = 0; i0 < QN; i0++)
            for (int i1 = 0; i1 < QN; i1++)
                for (int i2 = 0; i2 < QN; i2++) {
                    double z[3] = {(i0 - QN / 2) * QH, (i1 - QN / 2) * QH, (i2 - QN / 2) * QH};
                    double eta[PK_MAX_PARAM];
                    for (size_t a = 0; a < 3; a++) {
                        double v = res.eta[ord[a]];
                        for (size_t b = 0; b <= a; b++)
                            v += gsl_matrix_get(L, a, b) * z[b];
                        eta[ord[a]] = v;
                    }
                    double obj = objective(&fp, sv, eta, r);
                    if (isfinite(obj))
                        g[i0] += exp(-0.5 * (obj - res.obj) / e2);
                }
        /* cumulative trapezoid, normalised */
        double c[QN];
        c[0] = 0;
        for (int i = 1; i < QN; i++)
            c[i] = c[i - 1] + 0.5 * (g[i - 1] + g[i]);
        /* the grid's ends carry no mass that matters */
        print_message("%-10s density at -+6 sd: %.2g, %.2g of the total\n",
                      p.model->param[fp.est[j]].name, g[0] / c[QN - 1], g[QN - 1] / c[QN - 1]);
        assert_true(g[0] < 1e-4 * c[QN - 1] && g[QN - 1] < 1e-4 * c[QN - 1]);
        static const double probs[3] = {0.05, 0.5, 0.95};
        double q[3];
        draw_q3(&res, j, q);
        for (int k = 0; k < 3; k++) {
            /* CDF at the draw quantile: g linear between grid points */
            double x = (q[k] - res.eta[j]) / sd / QH + QN / 2;
            assert_true(x > 0 && x < QN - 1);
            int i = (int)floor(x);
            double t = x - i, gi = g[i] + t * (g[i + 1] - g[i]);
            double cdf = (c[i] + 0.5 * t * (g[i] + gi)) / c[QN - 1];
            double tol = 4 * sqrt(probs[k] * (1 - probs[k]) / neff);
            print_message("%-10s draws' %.2f at %+.3f sd: exact CDF %.4f (+- %.4f)\n",
                          p.model->param[fp.est[j]].name, probs[k], (q[k] - res.eta[j]) / sd, cdf,
                          tol);
            worst = fmax(worst, fabs(cdf - probs[k]) / tol);
        }
        gsl_matrix_free(L);
    }
    print_message("ESS %.0f of 20000; worst |CDF - p| %.2f of the tolerance\n", res.ess, worst);
    assert_true(worst < 1);
    free(r);
    pk_solver_free(sv);
    pk_fit_result_free(&res);
    pk_fit_problem_free(&fp);
    pk_patient_free(&p);
}

/* Patient 2 without priors: five residuals for five parameters leave
 * maximum likelihood no degree of freedom; refused before optimising. */
static void patient2_ml_refused(void **s)
{
    (void)s;
    pk_patient p;
    tu_load_patient("params/patient2.ini", &p);
    pk_fit_opts o = pk_fit_default_opts();
    o.use_priors = 0;
    pk_fit_problem fp;
    pk_err err = {0};
    assert_int_equal(p.n_estimate, 5);
    assert_int_equal(pk_fit_problem_init(&fp, &p, &o, &err), PK_EINPUT);
    assert_non_null(strstr(err.msg, "5 fitted residuals for 5 estimates"));
    pk_fit_problem_free(&fp);
    pk_patient_free(&p);
}

/* Patient 2 without priors, its first four estimates, fitted from one
 * start without SIR. */
static void patient2_ml4(pk_patient *p, pk_fit_problem *fp, pk_fit_result *res)
{
    tu_load_patient("params/patient2.ini", p);
    p->n_estimate = 4;
    pk_fit_opts o = tu_ml_opts();
    o.starts = 1;
    tu_fit_run(fp, p, &o, res);
}

/* Patient 2 without priors, its first four estimates: five residuals for
 * four parameters, and a perfect fit of "blasts 0 of 100 at day 7" only as Emax reaches its
 * bound, where the PD is stiff (50-400 thousand CVODE steps a solve,
 * against 6 thousand at the prior medians).  The old optimiser crept
 * along the bound for all its 100 iterations, the last two thirds gaining
 * 1e-4 in all; it now stops there (PK_FIT_STALL), at the same objective
 * within 1e-3. */
static void patient2_ml_stops(void **s)
{
    (void)s;
    pk_patient p;
    pk_fit_problem fp;
    pk_fit_result res = {0};
    patient2_ml4(&p, &fp, &res);
    double emax = res.theta[fp.est[0]];
    print_message("start 0: %d iterations, %ld solver runs, objective %.6f, %s %.4g/day\n",
                  res.start_iter[0], res.n_sims, res.obj, p.model->param[fp.est[0]].name, emax);
    assert_string_equal(p.model->param[fp.est[0]].name, "Emax_L_per_day");
    assert_true(emax > 99); /* at its admissible bound, 100 */
    assert_true(res.obj < 0.0052); /* the old 100 iterations: 0.005115 */
    assert_true(res.start_iter[0] < 50);
    assert_string_equal(res.obj_name, "-2 log likelihood");
    assert_true(isnan(res.m2ll_profiled)); /* lognormal and binomial: nothing profiled */
    pk_fit_result_free(&res);
    pk_fit_problem_free(&fp);
    pk_patient_free(&p);
}

/* And its SIR: the Laplace SD of log Emax at the bound is 28, so most
 * proposals have Emax far beyond its admissible 100/day (up to e^76),
 * where each solve ran to CVODE's 500,000-step limit before failing.  A
 * proposal outside the optimiser's box now has weight 0 unsolved: the
 * solver runs are the proposals inside it, and every draw is inside. */
static void patient2_ml_sir_skips_outside(void **s)
{
    (void)s;
    pk_patient p;
    pk_fit_problem fp;
    pk_fit_result res = {0};
    patient2_ml4(&p, &fp, &res);
    pk_err err = {0};
    long opt_sims = res.n_sims;
    pk_fit_result_free(&res);
    fp.o.proposals = 200;
    fp.o.draws = 100;
    int rc = pk_fit_run(&fp, &res, &err);
    long sir_sims = res.n_sims - opt_sims;
    print_message("SIR: %ld of 200 proposals solved (%s)\n", sir_sims, rc ? err.msg : "ok");
    assert_true(sir_sims < 200);
    if (rc == PK_OK)
        for (size_t i = 0; i < res.n_draws; i++)
            for (size_t j = 0; j < fp.n_est; j++) {
                assert_true(res.draws[i * fp.n_est + j] >= fp.eta_lo[j]);
                assert_true(res.draws[i * fp.n_est + j] <= fp.eta_hi[j]);
            }
    pk_fit_result_free(&res);
    pk_fit_problem_free(&fp);
    pk_patient_free(&p);
}

int main(void)
{
    gsl_set_error_handler_off(); /* as pksim: J^T J may be singular (covariance) */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(theoph_ess),
        cmocka_unit_test(patient2_ml_refused),
        cmocka_unit_test(theoph_draws_match_laplace),
        cmocka_unit_test(theoph_draws_match_quadrature),
        cmocka_unit_test(patient2_ml_stops),
        cmocka_unit_test(patient2_ml_sir_skips_outside),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
