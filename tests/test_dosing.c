/* Regimens: expansion, daily doses, schedule splitting, limits. */
#include <math.h>
#include <stdlib.h>

#include "models.h"
#include "test_util.h"

static void expansion(void **s)
{
    (void)s;
    pk_regimen r[3] = {{0, 2, 400, 400, 0}, {3, 4, 0, 0, 0}, {5, 6, 200, 0, 0}};
    pk_dose *d;
    size_t n;
    pk_err err = {0};
    assert_int_equal(pk_dosing_expand(r, 3, &d, &n, &err), PK_OK);
    assert_int_equal(n, 8); /* 3 days x 2, a pause, 2 days x 1 */
    assert_float_equal(d[1].t_day, 0.5, 0);
    assert_float_equal(d[5].t_day, 2.5, 0);
    assert_float_equal(d[6].t_day, 5, 0);
    assert_float_equal(d[7].amount_mg, 200, 0);
    assert_float_equal(pk_dosing_daily_mg(r, 3, 1.75), 800, 0);
    assert_float_equal(pk_dosing_daily_mg(r, 3, 3.5), 0, 0);
    assert_float_equal(pk_dosing_daily_mg(r, 3, 9), 0, 0);
    free(d);
}

static void schedule_split(void **s)
{
    (void)s;
    const pk_model *m = &model_sorafenib_flt3;
    double am, pm;
    pk_err err = {0};
    assert_int_equal(pk_dosing_split(m, 600, "bid", &am, &pm, &err), PK_OK);
    assert_float_equal(am, 400, 0);
    assert_float_equal(pm, 200, 0);
    assert_int_equal(pk_dosing_split(m, 800, "bid", &am, &pm, &err), PK_OK);
    assert_float_equal(am, 400, 0);
    assert_float_equal(pm, 400, 0);
    assert_int_equal(pk_dosing_split(m, 600, "qd", &am, &pm, &err), PK_OK);
    assert_float_equal(am, 600, 0);
    assert_float_equal(pm, 0, 0);
    assert_int_equal(pk_dosing_split(m, 600, "tid", &am, &pm, &err), PK_EINPUT);
    assert_string_equal(err.msg, "'tid' is not qd or bid");
}

static void limits(void **s)
{
    (void)s;
    const pk_model *m = &model_sorafenib_flt3;
    pk_err err = {0};
    pk_regimen ok[4] = {{0, 1, 200, 0, 1}, {2, 3, 400, 200, 2}, {4, 5, 0, 0, 3}, {6, 7, 800, 0, 4}};
    assert_int_equal(pk_dosing_check(m, ok, 4, "f.ini", &err), PK_OK);
    pk_regimen too_much = {0, 1, 600, 400, 9};
    assert_int_equal(pk_dosing_check(m, &too_much, 1, "f.ini", &err), PK_EINPUT);
    assert_string_equal(err.where, "f.ini:9: 0-1");
    assert_string_equal(err.msg, "1000 mg/day is outside 200-800");
    /* the value in the message exactly: %g said "800 mg/day is outside 200-800" */
    pk_err e3 = {0};
    pk_regimen hair = {0, 1, 400.0000001, 400.0000001, 3};
    assert_int_equal(pk_dosing_check(m, &hair, 1, "f.ini", &e3), PK_EINPUT);
    assert_string_equal(e3.msg, "800.0000002 mg/day is outside 200-800");
    /* whole tablets exactly (a 1e-9 tolerance took 200.0000001 mg for one) */
    pk_err e4 = {0};
    pk_regimen part = {0, 1, 200.0000001, 200, 4};
    assert_int_equal(pk_dosing_check(m, &part, 1, "f.ini", &e4), PK_EINPUT);
    assert_string_equal(e4.msg, "each dose must be a multiple of the 200 mg tablet (got "
                                "200.0000001 + 200 mg)");
    /* hexadecimal is not a dose ("0x190" was 400 mg) */
    double am = -1, pm = -1;
    assert_int_equal(pk_dosing_parse_dose("0x190 mg bid", &am, &pm), -1);
    assert_int_equal(pk_dosing_parse_dose("400 + 0x0 mg", &am, &pm), -1);
    assert_int_equal(pk_dosing_parse_dose("400 mg bid", &am, &pm), 0);
    assert_float_equal(am, 400, 0);
    /* oral1cpt takes any positive amount */
    pk_err e2 = {0};
    pk_regimen any = {0, 1, 37.5, 12.5, 1};
    assert_int_equal(pk_dosing_check(&model_oral1cpt, &any, 1, "g.ini", &e2), PK_OK);
}

/* A forecast's history: regimens before day 10, the one spanning it cut. */
static void before_a_day(void **state)
{
    (void)state;
    const pk_regimen r[3] = {{0, 6, 400, 400, 1}, {7, 20, 200, 200, 2}, {21, 30, 400, 0, 3}};
    pk_regimen out[3];
    assert_int_equal(pk_dosing_before(r, 3, 10, out, 3), 2);
    assert_int_equal(out[0].last_day, 6);
    assert_int_equal(out[1].first_day, 7);
    assert_int_equal(out[1].last_day, 9);
    assert_int_equal(pk_dosing_before(r, 3, 0, out, 3), 0);
    assert_int_equal(pk_dosing_before(r, 3, 40, out, 2), 2); /* at most cap */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(before_a_day),
        cmocka_unit_test(expansion),
        cmocka_unit_test(schedule_split),
        cmocka_unit_test(limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
