/* All six shipped patients fit at the level docs/model.md reports,
 * parameter recovery on virtual patients drawn from the priors, and
 * patient 2's bands and prediction interval. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "pk_fit.h"
#include "pk_fit_bands.h"
#include "pk_lik.h"
#include "pk_prior.h"
#include "test_util.h"

/* Fits path from starts starts; draws posterior draws from 10/3 times as
 * many proposals (0: none). */
static int fit_file(const char *path, int starts, int draws, pk_patient *p, pk_fit_problem *fp,
                    pk_fit_result *res)
{
    pk_err err = {0};
    if (pk_patient_load(path, p, &err))
        fail_msg("%s: %s", err.where, err.msg);
    pk_fit_opts o = pk_fit_default_opts();
    o.starts = starts;
    o.proposals = draws * 10 / 3;
    o.draws = draws;
    if (pk_fit_problem_init(fp, p, &o, &err) || pk_fit_run(fp, res, &err))
        fail_msg("%s: %s", path, err.msg);
    return 0;
}

static const pk_observation *find(const pk_patient *p, double day, const char *obs, size_t *i)
{
    int k = pk_model_obs_index(p->model, obs);
    for (*i = 0; *i < p->n_obs; (*i)++)
        if (p->obs[*i].t_day == day && p->obs[*i].obs == k)
            return &p->obs[*i];
    return NULL;
}

static void six_patients(void **s)
{
    (void)s;
    /* censored outcomes that must have P >= 0.5 (patient, day, observable) */
    static const struct {
        int patient;
        double day;
        const char *obs;
    } events[] = {{1, 211, "blast_pb_pct"}, {3, 60, "blast_bm_pct"}, {5, 14, "blast_bm_pct"},
                  {6, 71, "blast_pb_pct"}};
    double total = 0;
    for (int id = 1; id <= 6; id++) {
        char path[512];
        snprintf(path, sizeof path, "%s/params/patient%d.ini", PKSIM_SOURCE_DIR, id);
        pk_patient p;
        pk_fit_problem fp;
        pk_fit_result res;
        fit_file(path, 8, 0, &p, &fp, &res);
        const pk_model *m = p.model;
        size_t i;
        const pk_observation *w7 = find(&p, 7, "wbc", &i);
        double ratio = res.pred[i] / w7->value;
        char line[256];
        int len = snprintf(line, sizeof line, "patient %d: -2 log posterior %.2f, day-7 wbc "
                           "pred/obs %.3f", id, res.obj, ratio);
        assert_true(ratio > 1 / 1.25 && ratio < 1.25);
        const pk_observation *b7 = find(&p, 7, "blast_pb_pct", &i);
        if (b7) {
            double lo, hi;
            pk_lik_binom_range(pk_lik_cells(&m->obs[b7->obs], b7), res.pred[i], &lo, &hi);
            len += snprintf(line + len, sizeof line - len, ", day-7 blasts %g%% (95%% range "
                            "%g-%g)", b7->value, lo, hi);
            assert_true(b7->value >= lo && b7->value <= hi);
        }
        for (size_t e = 0; e < sizeof events / sizeof *events; e++)
            if (events[e].patient == id) {
                const pk_observation *o = find(&p, events[e].day, events[e].obs, &i);
                double prob = pk_lik_prob(&m->obs[o->obs], o, res.pred[i]);
                len += snprintf(line + len, sizeof line - len, ", P(%s day %g) %.2f",
                                events[e].obs, events[e].day, prob);
                assert_true(prob >= 0.5);
            }
        double zmax = 0;
        for (size_t j = 0; j < fp.n_est; j++)
            zmax = fmax(zmax, fabs(res.eta[j] - fp.eta_med[j]) / fp.eta_sd[j]);
        snprintf(line + len, sizeof line - len, ", max |z| %.2f", zmax);
        print_message("%s\n", line);
        assert_true(zmax <= 3);
        total += res.obj;
        pk_fit_result_free(&res);
        pk_fit_problem_free(&fp);
        pk_patient_free(&p);
    }
    print_message("sum of the six objectives %.2f (docs/model.md reference about 30)\n", total);
    assert_true(total <= 40);
}

/* 50 virtual patients: true Emax_L, m0, delta, WBC0, b0 drawn from the
 * priors, blood counts at days 0, 3, 7 and 14 (WBC with 20% log-normal
 * noise, blasts as binomial counts of 200 cells) on 400 mg bid; each fit
 * from 4 starts.  Coverage of the 95% Laplace intervals, and Emax_L's
 * shrinkage on this design. */
static void parameter_recovery(void **s)
{
    (void)s;
    enum { REPS = 50 };
    static const char *const names[] = {"Emax_L_per_day", "WBC0", "b0"};
    int covered[3] = {0, 0, 0}, valid = 0;
    double shrink_sum = 0;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 424242);
    char path[64];
    snprintf(path, sizeof path, "/tmp/pksim_recovery_%d.ini", (int)getpid());
    pk_patient tmpl;
    tu_load_patient("params/patient2.ini", &tmpl);
    const pk_model *m = tmpl.model;
    for (int rep = 0; rep < REPS; rep++) {
        /* truth: the estimated parameters from their priors around a
         * typical presentation (WBC 40, 80% blasts) */
        double theta[PK_MAX_PARAM];
        pk_patient_theta(&tmpl, theta);
        static const char *const est[] = {"Emax_L_per_day", "m0", "delta", "WBC0", "b0"};
        double truth[5];
        for (int j = 0; j < 5; j++) {
            int k = pk_model_param_index(m, est[j]);
            double med = strcmp(est[j], "WBC0") == 0 ? 40 : strcmp(est[j], "b0") == 0 ? 0.8
                                                                                    : theta[k];
            truth[j] = theta[k] = pk_prior_draw(m->param[k].prior, med, m->param[k].spread, rng);
        }
        double t[4] = {0, 3, 7, 14}, x[4 * PK_MAX_STATE], obs[4 * PK_MAX_OBS];
        pk_regimen reg = {0, 13, 400, 400, 0, 0, 0};
        pk_dose *d;
        size_t nd;
        pk_err err = {0};
        pk_dosing_expand(&reg, 1, &d, &nd, &err);
        pk_solver_opts so = pk_solver_default_opts();
        tu_run(m, &so, theta, NAN, d, nd, t, 4, x);
        free(d);
        tu_observe(m, theta, NAN, x, 4, obs);
        FILE *f = fopen(path, "w");
        fprintf(f, "[patient]\nid = virtual\nmodel = sorafenib_flt3\n[dosing]\n0-13 = 400 mg bid\n"
                   "[observations]\n");
        for (int i = 0; i < 4; i++) {
            double w = obs[i * m->n_obs + pk_model_obs_index(m, "wbc")];
            double pb = obs[i * m->n_obs + pk_model_obs_index(m, "blast_pb_pct")];
            fprintf(f, "%g wbc = %.6g\n", t[i], w * exp(gsl_ran_gaussian(rng, 0.2)));
            unsigned k = gsl_ran_binomial(rng, fmin(fmax(pb / 100, 0), 1), 200);
            fprintf(f, "%g blast_pb_pct = %.6g n=200\n", t[i], 100.0 * k / 200);
        }
        fprintf(f, "[parameters]\n");
        /* the fit uses the same priors the truth came from */
        fprintf(f, "WBC0 = 40 cv 100%%\nb0 = 0.8 sd 2\n");
        fprintf(f, "[fit]\nestimate = Emax_L_per_day, m0, delta, WBC0, b0\n");
        fclose(f);
        pk_patient p;
        pk_fit_problem fp;
        pk_fit_result res;
        fit_file(path, 4, 0, &p, &fp, &res);
        valid++;
        for (int c = 0; c < 3; c++) {
            int k = pk_model_param_index(m, names[c]);
            size_t j = 0;
            while (fp.est[j] != k)
                j++;
            double sd = sqrt(res.cov[j * fp.n_est + j]);
            double eta_true = pk_prior_to_eta(fp.kind[j], truth[c == 0 ? 0 : c == 1 ? 3 : 4]);
            covered[c] += fabs(eta_true - res.eta[j]) <= 1.959964 * sd;
            if (c == 0)
                shrink_sum += 1 - sd / fp.eta_sd[j];
        }
        pk_fit_result_free(&res);
        pk_fit_problem_free(&fp);
        pk_patient_free(&p);
    }
    remove(path);
    gsl_rng_free(rng);
    pk_patient_free(&tmpl);
    for (int c = 0; c < 3; c++) {
        double cov = 100.0 * covered[c] / valid;
        print_message("%-15s 95%% interval coverage %.0f%% of %d\n", names[c], cov, valid);
        assert_true(cov >= 85 && cov <= 100);
    }
    /* shrinkage = 1 - posterior sd / prior sd: the design informs Emax_L
     * when the posterior sd is under half the prior's */
    print_message("Emax_L_per_day mean shrinkage %.2f (posterior sd %.2f of the prior's)\n",
                  shrink_sum / valid, 1 - shrink_sum / valid);
    assert_true(1 - shrink_sum / valid < 0.5);
}

/* The band grid's row of day (the first at or after it). */
static size_t row_at(const pk_fit_bands *b, double day)
{
    size_t i = 0;
    while (i + 1 < b->n_time && b->t[i] < day)
        i++;
    return i;
}

/* 5-95% width of output col at day (q: 3 quantiles per row and output). */
static double width_at(const pk_fit_bands *b, const double *q, size_t col, double day)
{
    size_t i = row_at(b, day);
    return q[(i * b->n_col + col) * 3 + 2] - q[(i * b->n_col + col) * 3];
}

/* Patient 2 (a small fit: 4 starts, 1000 proposals, 300 draws): the 90%
 * prediction interval at day 7 holds the observed WBC (2.45), at the
 * observation and on the figure's grid; after day 30, where two WBC
 * values inform little, the band over every uncertain parameter is wider
 * than the estimated parameters' alone at each of days 31-60. */
static void patient2_bands(void **s)
{
    (void)s;
    pk_err err = {0};
    pk_patient p;
    pk_fit_problem fp;
    pk_fit_result res;
    char path[512];
    snprintf(path, sizeof path, "%s/params/patient2.ini", PKSIM_SOURCE_DIR);
    fit_file(path, 4, 300, &p, &fp, &res);
    pk_fit_bands all, est;
    pk_fit_bands_opts bo = pk_fit_bands_default_opts();
    assert_int_equal(pk_fit_bands_run(&fp, &res, &bo, &all, &err), PK_OK);
    bo.params = PK_BANDS_ESTIMATED;
    assert_int_equal(pk_fit_bands_run(&fp, &res, &bo, &est, &err), PK_OK);
    assert_null(est.q_all);
    assert_int_equal(all.n_sim, 300);
    /* sorafenib_flt3: 25 parameters with a prior spread, 5 of them estimated */
    assert_int_equal(all.n_prior, 20);
    size_t w7 = 0, cw = 0;
    int kw = pk_model_obs_index(p.model, "wbc");
    while (!(p.obs[w7].t_day == 7 && p.obs[w7].obs == kw))
        w7++;
    while (all.col[cw] != kw)
        cw++;
    double y = p.obs[w7].value, lo = all.obs_pi[w7 * 2], hi = all.obs_pi[w7 * 2 + 1];
    const double *g7 = all.pi + (row_at(&all, 7) * all.n_col + cw) * 2;
    assert_true(all.t[row_at(&all, 7)] == 7);
    print_message("patient 2 day-7 WBC observed %g, 90%% PI %.2f-%.2f (grid %.2f-%.2f; "
                  "estimated parameters only %.2f-%.2f), MAP %.2f\n", y, lo, hi, g7[0], g7[1],
                  est.obs_pi[w7 * 2], est.obs_pi[w7 * 2 + 1], res.pred[w7]);
    assert_true(lo < y && y < hi);
    assert_true(g7[0] < y && y < g7[1]);
    assert_true(est.obs_pi[w7 * 2] < y && y < est.obs_pi[w7 * 2 + 1]);
    /* residual error alone (sigma 0.2) already spans x0.72-1.39 of IPRED */
    assert_true(lo < res.pred[w7] * 0.75 && hi > res.pred[w7] * 1.35);
    for (int day = 31; day <= 60; day++) {
        double wa = width_at(&all, all.q_all, cw, day), we = width_at(&all, all.q, cw, day);
        if (day % 10 == 1 || day == 60)
            print_message("day %d: WBC 5-95%% width %.2f all parameters, %.2f estimated only\n",
                          day, wa, we);
        assert_true(wa > we);
    }
    assert_true(width_at(&all, all.q_all, cw, 45) > 3 * width_at(&all, all.q, cw, 45));
    pk_fit_bands_free(&all);
    pk_fit_bands_free(&est);
    pk_fit_result_free(&res);
    pk_fit_problem_free(&fp);
    pk_patient_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(patient2_bands),
        cmocka_unit_test(six_patients),
        cmocka_unit_test(parameter_recovery),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
