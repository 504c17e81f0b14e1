/* Observation likelihood: deviance residuals against hand-computed values
 * (explicit binomial sums and erfc, not the incomplete beta the code uses). */
#include <math.h>

#include "models.h"
#include "pk_lik.h"
#include "test_util.h"

static const pk_obs_def *obs(const char *name)
{
    return &model_sorafenib_flt3.obs[pk_model_obs_index(&model_sorafenib_flt3, name)];
}

static double choose(int n, int k)
{
    return exp(lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0));
}

/* P(K <= kmax) for Binomial(n, p) by summing the mass function. */
static double binom_cdf(int kmax, int n, double p)
{
    double s = 0;
    for (int k = 0; k <= kmax; k++)
        s += choose(n, k) * pow(p, k) * pow(1 - p, n - k);
    return s;
}

static double censored_r(double prob)
{
    return sqrt(-2 * log(prob) + 1e-6);
}

static void exact_counts(void **s)
{
    (void)s;
    double r[2];
    /* 0 of 100 cells at a predicted 1%: deviance 2*100*ln(1/0.99) */
    pk_observation zero = {.t_day = 7, .value = 0};
    pk_lik_residuals(obs("blast_pb_pct"), &zero, 1.0, r);
    assert_float_equal(r[0], -sqrt(200 * log(1 / 0.99)), 1e-12);
    /* 14 of 100 at 10%: 2[14 ln(14/10) + 86 ln(86/90)] */
    pk_observation k14 = {.value = 14};
    pk_lik_residuals(obs("blast_pb_pct"), &k14, 10.0, r);
    assert_float_equal(r[0], sqrt(2 * (14 * log(1.4) + 86 * log(86.0 / 90))), 1e-12);
    /* the marrow default is 200 cells: 80% observed at 75% */
    pk_observation bm = {.value = 80};
    pk_lik_residuals(obs("blast_bm_pct"), &bm, 75.0, r);
    assert_float_equal(r[0], sqrt(2 * (160 * log(160 / 150.0) + 40 * log(40 / 50.0))), 1e-12);
    /* n= overrides it */
    pk_observation bm50 = {.value = 80, .n_cells = 50};
    pk_lik_residuals(obs("blast_bm_pct"), &bm50, 75.0, r);
    assert_float_equal(r[0], sqrt(2 * (40 * log(40 / 37.5) + 10 * log(10 / 12.5))), 1e-12);
    /* a perfect prediction has residual 0 */
    pk_lik_residuals(obs("blast_pb_pct"), &k14, 14.0, r);
    assert_float_equal(r[0], 0, 1e-12);
}

static void censored_counts(void **s)
{
    (void)s;
    double r[2];
    /* "< 5%" of 100 cells: K <= 4 */
    pk_observation lt5 = {.value = 5, .censor = -1};
    pk_lik_residuals(obs("blast_pb_pct"), &lt5, 2.0, r);
    assert_float_equal(r[0], censored_r(binom_cdf(4, 100, 0.02)), 1e-9);
    assert_float_equal(pk_lik_prob(obs("blast_pb_pct"), &lt5, 2.0), binom_cdf(4, 100, 0.02), 1e-12);
    /* "> 5%": K >= 6 */
    pk_observation gt5 = {.value = 5, .censor = 1};
    pk_lik_residuals(obs("blast_pb_pct"), &gt5, 9.277, r);
    assert_float_equal(r[0], censored_r(1 - binom_cdf(5, 100, 0.09277)), 1e-9);
    /* "< 1%": K = 0 only, (1-p)^100 */
    pk_observation lt1 = {.value = 1, .censor = -1};
    pk_lik_residuals(obs("blast_pb_pct"), &lt1, 1.374, r);
    assert_float_equal(r[0], censored_r(pow(1 - 0.01374, 100)), 1e-9);
    /* marrow "> 50%" of 200 cells: K >= 101 */
    pk_observation gt50 = {.value = 50, .censor = 1};
    pk_lik_residuals(obs("blast_bm_pct"), &gt50, 53.44, r);
    assert_float_equal(r[0], censored_r(1 - binom_cdf(100, 200, 0.5344)), 1e-9);
    /* far in the tail the log stays finite and large (no log(0)) */
    pk_lik_residuals(obs("blast_bm_pct"), &gt50, 1.0, r);
    assert_true(isfinite(r[0]) && r[0] > 20);
    /* certain region: P -> 1 leaves only the 1e-6 */
    pk_lik_residuals(obs("blast_pb_pct"), &lt5, 1e-9, r);
    assert_float_equal(r[0], 1e-3, 1e-9);
}

static void white_cells(void **s)
{
    (void)s;
    double r[2];
    pk_observation w = {.value = 2.45};
    pk_lik_residuals(obs("wbc"), &w, 2.598, r);
    assert_float_equal(r[0], log(2.45 / 2.598) / 0.2, 1e-12);
    /* "< 1.0" at 1.5: Phi((ln 1 - ln 1.5)/0.2) */
    pk_observation lt = {.value = 1.0, .censor = -1};
    double z = (log(1.0) - log(1.5)) / 0.2;
    pk_lik_residuals(obs("wbc"), &lt, 1.5, r);
    assert_float_equal(r[0], censored_r(0.5 * erfc(-z / sqrt(2))), 1e-9);
    pk_observation gt = {.value = 1.0, .censor = 1};
    pk_lik_residuals(obs("wbc"), &gt, 1.5, r);
    assert_float_equal(r[0], censored_r(0.5 * erfc(z / sqrt(2))), 1e-9);
}

static void concentrations(void **s)
{
    (void)s;
    double r[2];
    /* proportional 51.4% + additive 0.001 mg/L: sd = sqrt(a^2 + (b mu)^2) */
    pk_observation c = {.value = 5};
    double sd = sqrt(0.001 * 0.001 + 0.514 * 0.514 * 16);
    pk_lik_residuals(obs("conc"), &c, 4.0, r);
    assert_float_equal(r[0], 1 / sd, 1e-12);
    assert_float_equal(r[1], sqrt(2 * log(sd / 0.001)), 1e-12);
    /* the sum of squares is -2 log likelihood up to a constant */
    double m2ll = pow((5 - 4) / sd, 2) + 2 * log(sd);
    assert_float_equal(r[0] * r[0] + r[1] * r[1], m2ll - 2 * log(0.001), 1e-9);
    /* additive (oral1cpt): (y - mu)/a */
    const pk_obs_def *add = &model_oral1cpt.obs[0];
    pk_lik_residuals(add, &c, 4.9, r);
    assert_float_equal(r[0], 0.1 / add->a, 1e-12);
    assert_int_equal(pk_lik_n_residuals(add), 1);
    assert_int_equal(pk_lik_n_residuals(obs("conc")), 2);
}

static void binomial_range(void **s)
{
    (void)s;
    double lo, hi;
    /* Binomial(100, 0.1738%): the 95% range of counts is 0-1 */
    pk_lik_binom_range(100, 0.1738, &lo, &hi);
    assert_float_equal(lo, 0, 0);
    assert_float_equal(hi, 1, 0);
    pk_lik_binom_range(100, 13.66, &lo, &hi);
    assert_true(lo <= 14 && hi >= 14 && lo >= 6 && hi <= 22);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_counts), cmocka_unit_test(censored_counts),
        cmocka_unit_test(white_cells),  cmocka_unit_test(concentrations),
        cmocka_unit_test(binomial_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
