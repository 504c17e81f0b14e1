/* The fit: Jacobian by sensitivities against finite differences, the
 * objective against a hand-assembled one, maximum likelihood against R's
 * nls, and SIR draws against the exact posterior by quadrature. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_integration.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_erf.h>

#include "pk_fit.h"
#include "pk_lik.h"
#include "pk_prior.h"
#include "test_util.h"

/* Sensitivity Jacobian at the fit's tolerance vs central differences of
 * re-simulations at rtol 1e-12, at a point away from the prior medians.
 * (Differences of solutions at the fit's own tolerance would carry its
 * step-selection noise, about 1e-3.) */
static void jacobian_matches_fd(const char *file)
{
    pk_fit_opts o = pk_fit_default_opts();
    pk_patient p;
    pk_fit_problem fp;
    tu_load_patient(file, &p);
    tu_fit_init(&fp, &p, &o);
    pk_solver_opts so = pk_solver_default_opts();
    so.rtol = o.rtol;
    pk_err err = {0};
    pk_solver *s = pk_solver_new(p.model, &so, &err);
    so.rtol = 1e-12;
    pk_solver *ref = pk_solver_new(p.model, &so, &err);
    double eta[PK_MAX_PARAM];
    for (size_t j = 0; j < fp.n_est; j++)
        eta[j] = fp.eta_med[j] + 0.3 * fp.eta_sd[j] * (j % 2 ? -1 : 1);
    size_t n = fp.n_res, np = fp.n_est;
    double *r1 = malloc(n * sizeof *r1), *r2 = malloc(n * sizeof *r2);
    double *J1 = malloc(n * np * sizeof *J1), *J2 = malloc(n * np * sizeof *J2);
    if (pk_fit_jacobian(&fp, s, eta, r1, J1, PK_JAC_SENS, &err))
        fail_msg("sens: %s", err.msg);
    assert_int_equal(pk_fit_jacobian(&fp, ref, eta, r2, J2, PK_JAC_FD, &err), PK_OK);
    double worst = 0;
    for (size_t j = 0; j < np; j++) {
        double scale = 0, diff = 0;
        for (size_t i = 0; i < n; i++) {
            scale = fmax(scale, fabs(J2[i * np + j]));
            diff = fmax(diff, fabs(J1[i * np + j] - J2[i * np + j]));
        }
        worst = fmax(worst, diff / scale);
    }
    for (size_t i = 0; i < n; i++)
        assert_float_equal(r1[i], r2[i], 1e-4 * (1 + fabs(r2[i])));
    print_message("%s: sensitivities vs finite differences, max rel. column error %.2g\n", file,
                  worst);
    assert_true(worst < 1e-4);
    free(r1);
    free(r2);
    free(J1);
    free(J2);
    pk_solver_free(s);
    pk_solver_free(ref);
    pk_fit_problem_free(&fp);
    pk_patient_free(&p);
}

static void jacobian_patient5(void **s)
{
    (void)s;
    jacobian_matches_fd("params/patient5.ini");
}

static void jacobian_patient6(void **s)
{
    (void)s;
    jacobian_matches_fd("params/patient6.ini"); /* f_R0 and a censored relapse */
}

/* -2 log posterior assembled by hand from a plain simulation. */
static void objective_by_hand(void **s)
{
    (void)s;
    pk_fit_opts o = pk_fit_default_opts();
    pk_patient p;
    pk_fit_problem fp;
    tu_load_patient("params/patient5.ini", &p);
    tu_fit_init(&fp, &p, &o);
    const pk_model *m = p.model;
    double eta[PK_MAX_PARAM], theta[PK_MAX_PARAM];
    for (size_t j = 0; j < fp.n_est; j++)
        eta[j] = fp.eta_med[j] + 0.5 * fp.eta_sd[j];
    pk_fit_theta(&fp, eta, theta);
    double t[3] = {0, 7, 14}, x[3 * PK_MAX_STATE], obs[3 * PK_MAX_OBS];
    pk_solver_opts so = pk_solver_default_opts();
    so.rtol = o.rtol;
    tu_run(m, &so, theta, NAN, fp.doses, fp.n_doses, t, 3, x);
    tu_observe(m, theta, NAN, x, 3, obs);
    int iw = pk_model_obs_index(m, "wbc"), ip = pk_model_obs_index(m, "blast_pb_pct"),
        ib = pk_model_obs_index(m, "blast_bm_pct");
    double wbc0 = obs[iw], pb0 = obs[ip] / 100, wbc7 = obs[m->n_obs + iw],
           pb7 = obs[m->n_obs + ip] / 100, pb14 = obs[2 * m->n_obs + ip] / 100,
           bm14 = obs[2 * m->n_obs + ib] / 100;
    /* patient 5: wbc 36.2, 94% of 100; wbc 0.6, 40% of 100; < 1% of 100; > 50% of 200 */
    double want = pow(log(36.2 / wbc0) / 0.2, 2) + pow(log(0.6 / wbc7) / 0.2, 2);
    want += 2 * (94 * log(94 / (100 * pb0)) + 6 * log(6 / (100 * (1 - pb0))));
    want += 2 * (40 * log(40 / (100 * pb7)) + 60 * log(60 / (100 * (1 - pb7))));
    want += -2 * log(pow(1 - pb14, 100)) + 1e-6;
    double tail = 0; /* P(K >= 101 | 200, bm14) */
    for (int k = 101; k <= 200; k++)
        tail += exp(lgamma(201) - lgamma(k + 1) - lgamma(201 - k) + k * log(bm14) +
                    (200 - k) * log1p(-bm14));
    want += -2 * log(tail) + 1e-6;
    for (size_t j = 0; j < fp.n_est; j++)
        want += 0.25; /* each prior term (0.5 sd)^2 */
    pk_err err = {0};
    pk_solver *sv = pk_solver_new(m, &so, &err);
    double r[32], got;
    assert_int_equal(tu_fit_objective(&fp, sv, eta, r, &got, &err), PK_OK);
    print_message("objective %.10f, by hand %.10f\n", got, want);
    assert_float_equal(got, want, 1e-9 * want);
    pk_solver_free(sv);
    pk_fit_problem_free(&fp);
    pk_patient_free(&p);
}

/* Maximum likelihood (--no-priors) on oral1cpt reproduces R nls. */
static void oral1cpt_matches_nls(void **s)
{
    (void)s;
    pk_fit_opts o = tu_ml_opts();
    o.starts = 4;
    pk_patient p;
    pk_fit_problem fp;
    pk_fit_result res;
    tu_load_patient("tests/data/oral1cpt_nls.ini", &p);
    tu_fit_run(&fp, &p, &o, &res);
    /* R 4.2.2 nls, Gauss-Newton with the exact gradient (tests/data file) */
    static const double ref[3] = {1.28220845086, 5.05668607381, 50.7337150847};
    static const double se[3] = {0.05760806706, 0.06598443444, 0.8837389791};
    for (int j = 0; j < 3; j++) {
        double est = exp(res.eta[j]);
        double se_est = est * sqrt(res.cov[j * 3 + j]); /* delta method from the log scale */
        print_message("%-10s %.8g (nls %.8g), SE %.5g (nls %.5g)\n",
                      p.model->param[fp.est[j]].name, est, ref[j], se_est, se[j]);
        assert_true(fabs(est - ref[j]) / ref[j] < 5e-5); /* 4 significant digits */
        assert_true(fabs(se_est - se[j]) / se[j] < 5e-3);
    }
    assert_float_equal(res.obj * 0.05 * 0.05, 0.0118100912833, 5e-5 * 0.0118);
    assert_float_equal(res.sd_scale * 0.05, 0.02904441338, 5e-5 * 0.029);
    pk_fit_result_free(&res);
    pk_fit_problem_free(&fp);
    pk_patient_free(&p);
}

/* One parameter, one censored count: b0 with its logit-normal prior and
 * "blasts > 80% of 100 cells at day 0" (blast_pb_pct = 100*b0 there). */
typedef struct {
    double mu, sd;
} post1;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double log_post(double eta, const post1 *q)
{
    double b = 1 / (1 + exp(-eta));
    double tail = 0;
    for (int k = 81; k <= 100; k++)
        tail += exp(lgamma(101) - lgamma(k + 1) - lgamma(101 - k) + k * log(b) +
                    (100 - k) * log1p(-b));
    return log(tail) - 0.5 * pow((eta - q->mu) / q->sd, 2);
}

static double post_density(double eta, void *v)
{
    return exp(log_post(eta, v) - log_post(((post1 *)v)->mu, v));
}

static void sir_matches_quadrature(void **s)
{
    (void)s;
    const char *dir = "/tmp/pksim_test_sir";
    char path[256];
    snprintf(path, sizeof path, "%s.ini", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "[patient]\nid = sir\nmodel = sorafenib_flt3\n[observations]\n0 wbc = 10 check\n"
               "0 blast_pb_pct = > 80\n[parameters]\nb0 = 0.6 sd 1.5\n[fit]\nestimate = b0\n");
    fclose(f);
    pk_patient p;
    pk_err err = {0};
    assert_int_equal(pk_patient_load(path, &p, &err), PK_OK);
    remove(path);
    pk_fit_opts o = pk_fit_default_opts();
    o.starts = 2;
    o.proposals = 40000;
    o.draws = 20000;
    o.seed = 11;
    pk_fit_problem fp;
    pk_fit_result res;
    tu_fit_run(&fp, &p, &o, &res);
    post1 q = {log(0.6 / 0.4), 1.5};
    /* the exact CDF by adaptive quadrature */
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
    gsl_function F = {post_density, &q};
    double total, e;
    double lo = q.mu - 15 * q.sd, hi = q.mu + 15 * q.sd;
    gsl_integration_qags(&F, lo, hi, 1e-12, 1e-10, 1000, w, &total, &e);
    double *d = malloc(res.n_draws * sizeof *d);
    for (size_t i = 0; i < res.n_draws; i++)
        d[i] = res.draws[i];
    qsort(d, res.n_draws, sizeof *d, cmp_double);
    double neff = fmin(res.ess, (double)res.n_draws);
    static const double probs[] = {0.05, 0.25, 0.5, 0.75, 0.95};
    for (int k = 0; k < 5; k++) {
        double qk = d[(size_t)(probs[k] * (res.n_draws - 1))], cdf;
        gsl_integration_qags(&F, lo, qk, 1e-12, 1e-10, 1000, w, &cdf, &e);
        cdf /= total;
        double tol = 4 * sqrt(probs[k] * (1 - probs[k]) / neff);
        print_message("q%.2f: draw %.4f, exact CDF there %.4f (+- %.4f), ESS %.0f\n", probs[k],
                      qk, cdf, tol, res.ess);
        assert_true(fabs(cdf - probs[k]) < tol);
    }
    gsl_integration_workspace_free(w);
    free(d);
    pk_fit_result_free(&res);
    pk_fit_problem_free(&fp);
    pk_patient_free(&p);
}

/* SIR solves its proposals at sir_rtol, looser than the optimisation's
 * rtol.  Its weights exp(-objective/2) need the objective to ~0.01: at
 * points drawn from patient 2's Laplace posterior (the SIR proposals'
 * neighbourhood) that carry weight (objective within 20 of the MAP), it
 * must stay within 0.02 of the rtol-1e-9 objective (measured: within
 * 0.006 over 1,000 posterior draws).  Far out, where the weights vanish,
 * it may differ by ~0.1 at objectives of ~300. */
static double objective(const pk_fit_problem *fp, pk_solver *s, const double *eta)
{
    double r[64], sum;
    pk_err err = {0};
    assert_true(fp->n_res <= 64);
    if (tu_fit_objective(fp, s, eta, r, &sum, &err))
        fail_msg("%s", err.msg);
    return sum;
}

static void sir_tolerance_keeps_weights(void **s)
{
    (void)s;
    pk_fit_opts o = pk_fit_default_opts();
    o.starts = 2;
    o.proposals = 1;
    o.draws = 1;
    pk_patient p;
    pk_fit_problem fp;
    pk_fit_result res;
    tu_load_patient("params/patient2.ini", &p);
    tu_fit_run(&fp, &p, &o, &res);
    pk_err err = {0};
    pk_solver_opts so = pk_solver_default_opts();
    so.rtol = o.sir_rtol;
    pk_solver *loose = pk_solver_new(p.model, &so, &err);
    so.rtol = 1e-9;
    pk_solver *tight = pk_solver_new(p.model, &so, &err);
    size_t np = fp.n_est;
    gsl_matrix *L = gsl_matrix_alloc(np, np);
    for (size_t i = 0; i < np * np; i++)
        L->data[i] = res.cov[i];
    assert_int_equal(gsl_linalg_cholesky_decomp1(L), GSL_SUCCESS);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 5);
    gsl_vector_view mu = gsl_vector_view_array(res.eta, np);
    double worst = 0, eta[PK_MAX_PARAM];
    int used = 0;
    for (int k = 0; k < 40; k++) {
        gsl_vector_view e = gsl_vector_view_array(eta, np);
        gsl_ran_multivariate_gaussian(rng, &mu.vector, L, &e.vector);
        double ref = objective(&fp, tight, eta);
        /* beyond 20 above the MAP a point's weight is below e^-10 */
        if (ref < res.obj + 20) {
            worst = fmax(worst, fabs(objective(&fp, loose, eta) - ref));
            used++;
        }
    }
    print_message("SIR at rtol %.0e: objective within %.2g of rtol 1e-9 at %d points\n",
                  o.sir_rtol, worst, used);
    assert_true(used >= 20);
    assert_true(worst < 0.02);
    assert_true(worst > 0); /* the two tolerances are really different solves */
    gsl_rng_free(rng);
    gsl_matrix_free(L);
    pk_solver_free(loose);
    pk_solver_free(tight);
    pk_fit_result_free(&res);
    pk_fit_problem_free(&fp);
    pk_patient_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(jacobian_patient5),    cmocka_unit_test(jacobian_patient6),
        cmocka_unit_test(objective_by_hand),    cmocka_unit_test(oral1cpt_matches_nls),
        cmocka_unit_test(sir_matches_quadrature), cmocka_unit_test(sir_tolerance_keeps_weights),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
