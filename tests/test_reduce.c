/* Fixed-memory reducers against exact order statistics (GSL) of the same
 * values. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>

#include "pk_reduce.h"
#include "pk_text.h"
#include "test_util.h"

enum { N = 20000, FIRST = 128 };

/* 20,000 log-normal values spread over about 8 decades (sd 3 in ln), 5%
 * zeros; the range comes from the first 128.  Quantiles within 2% of the
 * exact ones, and none outside the range. */
static void test_loghist_lognormal(void **state)
{
    (void)state;
    double *x = malloc(N * sizeof *x), *sorted = malloc(N * sizeof *sorted);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 11);
    for (size_t i = 0; i < N; i++)
        x[i] = gsl_rng_uniform(rng) < 0.05 ? 0.0 : exp(gsl_ran_gaussian(rng, 3.0));
    pk_loghist h;
    pk_loghist_init(&h, x, FIRST, 1);
    for (size_t i = 0; i < N; i++)
        pk_loghist_add(&h, x[i]);
    for (size_t i = 0; i < N; i++)
        sorted[i] = x[i];
    qsort(sorted, N, sizeof *sorted, pk_text_cmp_double);
    static const double p[] = {0.05, 0.1, 0.5, 0.9, 0.95};
    long clipped = 0;
    for (size_t k = 0; k < sizeof p / sizeof *p; k++) {
        double exact = gsl_stats_quantile_from_sorted_data(sorted, 1, N, p[k]);
        double got = pk_loghist_quantile(&h, p[k], &clipped);
        if (p[k] == 0.05) /* 5% zeros: the 5% quantile sits at their edge */
            assert_true(got >= 0 && got <= 1.02 * exact);
        else
            assert_true(fabs(got / exact - 1) < 0.02);
    }
    assert_int_equal(clipped, 0);
    gsl_rng_free(rng);
    free(x);
    free(sorted);
}

/* Hand-made cases: no values; zeros only; a constant; a range that the
 * later values leave (the quantile is the edge, and it is reported). */
static void test_loghist_edges(void **state)
{
    (void)state;
    pk_loghist h;
    long clipped = 0;
    pk_loghist_init(&h, NULL, 0, 1);
    assert_true(pk_loghist_quantile(&h, 0.5, &clipped) == 0);
    for (int i = 0; i < 10; i++)
        pk_loghist_add(&h, 0.0);
    pk_loghist_add(&h, NAN);
    assert_true(pk_loghist_quantile(&h, 0.95, &clipped) == 0);
    double c = 7.25;
    pk_loghist_init(&h, &c, 1, 1);
    for (int i = 0; i < 5; i++)
        pk_loghist_add(&h, c);
    /* one bin holds them: within its width (ln range 2 ln 10 / bins) */
    assert_true(fabs(log(pk_loghist_quantile(&h, 0.5, &clipped) / c)) < 2 * 2.3026 / PK_LOGHIST_BINS);
    assert_int_equal(clipped, 0);
    for (int i = 0; i < 100; i++)
        pk_loghist_add(&h, 1e6);
    assert_true(fabs(pk_loghist_quantile(&h, 0.95, &clipped) / (c * 10) - 1) < 1e-12);
    assert_int_equal(clipped, 1);
}

/* Medians of daily doses against gsl_stats_median_from_sorted_data. */
static void test_tally(void **state)
{
    (void)state;
    pk_tally t = {0};
    assert_true(pk_tally_median(&t) == 0);
    static const double a[] = {400, 800, 400, 0, 200, 400, 800, 0, 200, 400, 600};
    double s[sizeof a / sizeof *a];
    for (size_t n = 1; n <= sizeof a / sizeof *a; n++) {
        pk_tally_add(&t, a[n - 1]);
        for (size_t i = 0; i < n; i++)
            s[i] = a[i];
        qsort(s, n, sizeof *s, pk_text_cmp_double);
        assert_true(pk_tally_median(&t) == gsl_stats_median_from_sorted_data(s, 1, n));
    }
    pk_tally u = {0};
    for (int i = 0; i < PK_TALLY_MAX; i++)
        assert_int_equal(pk_tally_add(&u, i), 0);
    assert_int_equal(pk_tally_add(&u, 3), 0);
    assert_int_equal(pk_tally_add(&u, 99), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loghist_lognormal),
        cmocka_unit_test(test_loghist_edges),
        cmocka_unit_test(test_tally),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
