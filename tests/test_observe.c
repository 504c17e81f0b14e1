/* pk_observe against a stand-in model whose observables are simple sums
 * and products of its states, worked out by hand here, and which counts
 * its calls (a run of equal rows is observed once). */
#include "pk_observe.h"
#include "test_util.h"

/* cmocka's tests run one at a time: the count needs no lock. */
static int n_calls;

/* states (a, b), derived (f): outputs a, f b, a + b */
static void observe3(const double *x, const double *d, double *o)
{
    n_calls++;
    o[0] = x[0];
    o[1] = d[0] * x[1];
    o[2] = x[0] + x[1];
}

static const pk_model stand_in = {.name = "stand_in", .n_state = 2, .n_obs = 3,
                                  .observe = observe3};

/* four rows of states (a, b) */
static const double x4[] = {1, 10, 2, 20, 3, 30, 4, 40};
static const double f2[] = {2};

static void rows_all_columns(void **state)
{
    (void)state;
    double out[12];
    n_calls = 0;
    pk_observe_rows(&stand_in, f2, x4, NULL, 4, NULL, 3, out);
    static const double want[] = {1, 20, 11, 2, 40, 22, 3, 60, 33, 4, 80, 44};
    assert_memory_equal(out, want, sizeof want);
    assert_int_equal(n_calls, 4);
}

static void rows_chosen_rows_and_columns(void **state)
{
    (void)state;
    static const size_t rows[] = {3, 0, 0};
    static const int cols[] = {2, 1};
    double out[6];
    pk_observe_rows(&stand_in, f2, x4, rows, 3, cols, 2, out);
    static const double want[] = {44, 80, 11, 20, 11, 20};
    assert_memory_equal(out, want, sizeof want);
    float outf[6];
    pk_observe_rows_float(&stand_in, f2, x4, rows, 3, cols, 2, outf);
    for (int i = 0; i < 6; i++)
        assert_true(outf[i] == (float)want[i]);
}

/* Observations at rows 1, 1, 2, 1: three calls (rows 1, 2, 1), each value
 * from its own column. */
static void pairs_observe_runs_once(void **state)
{
    (void)state;
    static const size_t rows[] = {1, 1, 2, 1};
    static const int cols[] = {0, 2, 1, 1};
    double out[4];
    n_calls = 0;
    pk_observe_pairs(&stand_in, f2, x4, rows, cols, 4, out);
    static const double want[] = {2, 22, 60, 40};
    assert_memory_equal(out, want, sizeof want);
    assert_int_equal(n_calls, 3);
    n_calls = 0;
    pk_observe_pairs(&stand_in, f2, x4, rows, cols, 0, out);
    assert_int_equal(n_calls, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rows_all_columns),
        cmocka_unit_test(rows_chosen_rows_and_columns),
        cmocka_unit_test(pairs_observe_runs_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
