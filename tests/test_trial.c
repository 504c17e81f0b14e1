/* pk_trial: the population draw against its distribution, the streaming
 * summaries against direct computation, and refused inputs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pk_prior.h"
#include "pk_trial.h"
#include "test_util.h"

#define SRC PKSIM_SOURCE_DIR "/tests/data/trial/"

/* 10^5 patients from the Theoph population: the log of each parameter
 * has mean ln(typical) and SD sqrt(omega^2 + SE^2) (typical value drawn
 * from its uncertainty, then the random effect), within Monte Carlo
 * error (4 SE of the mean; the SD within 1.5%, 4 of its SEs). */
static void test_population_draw(void **state)
{
    (void)state;
    pk_trial_pop pop;
    pk_err err = {0};
    assert_int_equal(pk_trial_pop_load(SRC "theoph_popfit.ini", NULL, &pop, &err), PK_OK);
    const pk_model *m = pop.tmpl.model;
    static const char *const names[] = {"ka_per_h", "CL_L_per_h", "V_L"};
    /* the file's numbers, written out: typical value, omega (log), SE */
    static const double typ[] = {1.589532817, 2.7528274, 36.81738565};
    static const double omega[] = {0.661461, 0.254165, 0.135072};
    static const double se[] = {0.19938686, 0.081201421, 0.045809327};
    enum { N = 100000 };
    double s1[3] = {0}, s2[3] = {0}, th[PK_MAX_PARAM];
    int idx[3];
    for (int k = 0; k < 3; k++)
        assert_true((idx[k] = pk_model_param_index(m, names[k])) >= 0);
    for (size_t i = 0; i < N; i++) {
        pk_trial_pop_draw(&pop, 7, i, th);
        for (int k = 0; k < 3; k++) {
            double l = log(th[idx[k]]);
            s1[k] += l;
            s2[k] += l * l;
        }
    }
    for (int k = 0; k < 3; k++) {
        double mean = s1[k] / N, sd = sqrt((s2[k] - N * mean * mean) / (N - 1));
        double want = sqrt(omega[k] * omega[k] + se[k] * se[k]);
        assert_true(fabs(pop.omega[idx[k]] / omega[k] - 1) < 1e-5);
        assert_true(fabs(mean - log(typ[k])) < 4 * want / sqrt(N));
        assert_true(fabs(sd / want - 1) < 4 / sqrt(2.0 * N));
    }
    /* patient i is the same whatever was drawn before it */
    double a[PK_MAX_PARAM], b[PK_MAX_PARAM];
    pk_trial_pop_draw(&pop, 7, 12345, a);
    pk_trial_pop_draw(&pop, 7, 3, b);
    pk_trial_pop_draw(&pop, 7, 12345, b);
    assert_memory_equal(a, b, m->n_param * sizeof *a);
    pk_trial_pop_free(&pop);
}

/* The example sorafenib population: its correlation between the random
 * effects of Emax (log) and m0 (logit) comes back in 10^5 patients; the
 * parameters it leaves out vary by their priors. */
static void test_population_correlation(void **state)
{
    (void)state;
    pk_trial_pop pop;
    pk_err err = {0};
    assert_int_equal(pk_trial_pop_load(SRC "sorafenib_example_popfit.ini", NULL, &pop, &err),
                     PK_OK);
    const pk_model *m = pop.tmpl.model;
    int je = pk_model_param_index(m, "Emax_L_per_day"), jm = pk_model_param_index(m, "m0");
    assert_int_equal(pop.n_re, 4);
    enum { N = 100000 };
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, th[PK_MAX_PARAM];
    for (size_t i = 0; i < N; i++) {
        pk_trial_pop_draw(&pop, 3, i, th);
        double x = log(th[je]), y = log(th[jm] / (1 - th[jm]));
        sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
    }
    double cxy = sxy / N - sx / N * sy / N, vx = sxx / N - sx / N * sx / N;
    double vy = syy / N - sy / N * sy / N;
    double we = sqrt(log(1 + 0.6 * 0.6)), wm = 1.0;
    /* the SEs add independent spread to each: r * we * wm over the total SDs */
    double want = -0.3 * we * wm / sqrt((we * we + 0.04) * (wm * wm + 0.09));
    assert_true(fabs(cxy / sqrt(vx * vy) - want) < 0.01);
    pk_trial_pop_free(&pop);
}

/* Two read-outs (a probability and a value) of one regimen in blocks of
 * 3 and 2 patients, one failed: counts, mean, SD, SE and the event curve
 * as computed by hand. */
static void test_reducer(void **state)
{
    (void)state;
    const pk_model *m = pk_model_find("sorafenib_flt3");
    pk_trial_reducer rd;
    assert_int_equal(pk_trial_reducer_init(&rd, m, 1, 10), 0);
    size_t nro = m->n_readout;
    int kp = pk_model_readout_index(m, "p_hr"), kd = pk_model_readout_index(m, "hr_day");
    double *ro = malloc(5 * nro * sizeof *ro);
    static const double p[5] = {1, 0, 1, 1, 0}, day[5] = {2.5, 10, 4, 7, 10};
    for (size_t i = 0; i < 5; i++)
        for (size_t k = 0; k < nro; k++)
            ro[i * nro + k] = (int)k == kp ? p[i] : (int)k == kd ? day[i] : 1.0;
    for (size_t k = 0; k < nro; k++)
        ro[3 * nro + k] = NAN; /* patient 4 failed */
    pk_trial_reducer_add(&rd, ro, 3);
    pk_trial_reducer_add(&rd, ro + 3 * nro, 2);
    assert_int_equal(rd.fails[0], 1);
    long clipped = 0;
    pk_trial_summary a = pk_trial_reducer_summary(&rd, 0, (size_t)kp, &clipped);
    assert_int_equal(a.n, 4);
    assert_true(fabs(a.mean - 0.5) < 1e-15 && fabs(a.se - sqrt(0.25 / 4)) < 1e-15);
    pk_trial_summary b = pk_trial_reducer_summary(&rd, 0, (size_t)kd, &clipped);
    double mean = (2.5 + 10 + 4 + 10) / 4, ss = 0;
    for (int i = 0; i < 5; i++)
        ss += i == 3 ? 0 : (day[i] - mean) * (day[i] - mean);
    assert_true(fabs(b.mean - mean) < 1e-13 && fabs(b.sd - sqrt(ss / 3)) < 1e-13);
    assert_true(fabs(b.se - b.sd / 2) < 1e-13);
    assert_true(b.q[0] >= 2.5 && b.q[2] <= 10); /* quantiles inside the values */
    /* hr: desired, reached by day 3 (2.5 -> day 3) by 1 of 4, by day 4 by 2 */
    size_t e = 1;
    assert_string_equal(m->events[e][0], "hr");
    double se;
    assert_true(fabs(pk_trial_event(&rd, 0, e, 2, &se) - 0) < 1e-15);
    assert_true(fabs(pk_trial_event(&rd, 0, e, 3, &se) - 0.25) < 1e-15);
    assert_true(fabs(pk_trial_event(&rd, 0, e, 4, &se) - 0.5) < 1e-15);
    assert_true(fabs(se - sqrt(0.25 / 4)) < 1e-15);
    free(ro);
    pk_trial_reducer_free(&rd);
}

/* Refused populations: one line naming FILE:LINE: KEY. */
static void expect_refused(const char *text, const char *want)
{
    char path[] = "/tmp/pksim_trial_test_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    pk_trial_pop pop;
    pk_err err = {0};
    assert_int_equal(pk_trial_pop_load(path, NULL, &pop, &err), PK_EINPUT);
    char line[1200];
    pk_err_format(&err, line, sizeof line);
    if (!strstr(line, want))
        fail_msg("got '%s', want '%s'", line, want);
    pk_trial_pop_free(&pop);
    remove(path);
}

static void test_refused(void **state)
{
    (void)state;
    expect_refused("[population]\nmodel = nosuch\n", ":2: model: unknown model 'nosuch'");
    expect_refused("[parameters]\nV_L = 30\n", "no [population] model");
    expect_refused("[population]\nmodel = oral1cpt\n[parameters]\nV_L = 30 cv 10%\n"
                   "[uncertainty]\nka_per_h = 0.1\n",
                   ":6: ka_per_h: ka_per_h is not a parameter of the population's");
    expect_refused("[population]\nmodel = oral1cpt\n[parameters]\nV_L = 30 cv 10%\n"
                   "[uncertainty]\nV_L = -1\n", ":6: V_L: '-1' is not a standard error");
    expect_refused("[population]\nmodel = sorafenib_flt3\n[parameters]\nm0 = 0.5 sd 1\n",
                   "WBC0: no value");
    expect_refused("[population]\nmodel = oral1cpt\n[parameters]\nV_L = 30 cv 10%\n"
                   "CL_L_per_h = 3 cv 20%\n[correlation]\nV_L,CL_L_per_h = 1.5\n",
                   ":7: V_L,CL_L_per_h:");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_population_draw),
        cmocka_unit_test(test_population_correlation),
        cmocka_unit_test(test_reducer),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
