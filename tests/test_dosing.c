/* Regimens: expansion, daily doses, schedule splitting, limits. */
#include <math.h>
#include <stdlib.h>

#include "models.h"
#include "test_util.h"

static void expansion(void **s)
{
    (void)s;
    pk_regimen r[3] = {{0, 2, 400, 400, 0, 0, 0}, {3, 4, 0, 0, 0, 0, 0}, {5, 6, 200, 0, 0, 0, 0}};
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
    pk_regimen ok[4] = {{0, 1, 200, 0, 1, 0, 0}, {2, 3, 400, 200, 2, 0, 0}, {4, 5, 0, 0, 3, 0, 0}, {6, 7, 800, 0, 4, 0, 0}};
    assert_int_equal(pk_dosing_check(m, ok, 4, "f.ini", &err), PK_OK);
    pk_regimen too_much = {0, 1, 600, 400, 9, 0, 0};
    assert_int_equal(pk_dosing_check(m, &too_much, 1, "f.ini", &err), PK_EINPUT);
    assert_string_equal(err.where, "f.ini:9: 0-1");
    assert_string_equal(err.msg, "1000 mg/day is outside 200-800");
    /* the value in the message exactly: %g said "800 mg/day is outside 200-800" */
    pk_err e3 = {0};
    pk_regimen hair = {0, 1, 400.0000001, 400.0000001, 3, 0, 0};
    assert_int_equal(pk_dosing_check(m, &hair, 1, "f.ini", &e3), PK_EINPUT);
    assert_string_equal(e3.msg, "800.0000002 mg/day is outside 200-800");
    /* whole tablets exactly (a 1e-9 tolerance took 200.0000001 mg for one) */
    pk_err e4 = {0};
    pk_regimen part = {0, 1, 200.0000001, 200, 4, 0, 0};
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
    pk_regimen any = {0, 1, 37.5, 12.5, 1, 0, 0};
    assert_int_equal(pk_dosing_check(&model_oral1cpt, &any, 1, "g.ini", &e2), PK_OK);
}

/* A forecast's history: regimens before day 10, the one spanning it cut. */
static void before_a_day(void **state)
{
    (void)state;
    const pk_regimen r[3] = {{0, 6, 400, 400, 1, 0, 0}, {7, 20, 200, 200, 2, 0, 0}, {21, 30, 400, 0, 3, 0, 0}};
    pk_regimen out[3];
    assert_int_equal(pk_dosing_before(r, 3, 10, out, 3), 2);
    assert_int_equal(out[0].last_day, 6);
    assert_int_equal(out[1].first_day, 7);
    assert_int_equal(out[1].last_day, 9);
    assert_int_equal(pk_dosing_before(r, 3, 0, out, 3), 0);
    assert_int_equal(pk_dosing_before(r, 3, 40, out, 2), 2); /* at most cap */
}

/* "DAY = X mg once": decimal days and hours; other values are not once doses. */
static void once_parse(void **s)
{
    (void)s;
    pk_regimen r = {0};
    assert_int_equal(pk_dosing_parse_once("0.0833333333333333", "15 mg once", &r), 0);
    assert_true(r.once);
    assert_float_equal(r.at_day, 0.0833333333333333, 0);
    assert_int_equal(r.first_day, 0);
    assert_int_equal(r.last_day, 0);
    assert_float_equal(r.morning_mg, 15, 0);
    assert_float_equal(r.evening_mg, 0, 0);
    /* 54 h is day 2.25, exactly */
    assert_int_equal(pk_dosing_parse_once("54h", "400 once", &r), 0);
    assert_float_equal(r.at_day, 2.25, 0);
    assert_int_equal(r.first_day, 2);
    assert_float_equal(r.morning_mg, 400, 0);
    assert_int_equal(pk_dosing_parse_once("2h", "15 mg once", &r), 0);
    assert_float_equal(r.at_day, 2.0 / 24.0, 0);
    assert_int_equal(pk_dosing_parse_once("3", "400 mg bid", &r), 1);
    assert_int_equal(pk_dosing_parse_once("-1", "400 mg once", &r), -1);
    assert_int_equal(pk_dosing_parse_once("2hh", "400 mg once", &r), -1);
    assert_int_equal(pk_dosing_parse_once("h", "400 mg once", &r), -1);
    assert_int_equal(pk_dosing_parse_once("0-3", "400 mg once", &r), -1);
    assert_int_equal(pk_dosing_parse_once("100001", "400 mg once", &r), -1);
    assert_int_equal(pk_dosing_parse_once("1", "abc mg once", &r), -2);
    assert_int_equal(pk_dosing_parse_once("1", "400 mg qd once", &r), -2);
}

static pk_regimen once_at(double day, double mg, int line)
{
    return (pk_regimen){.first_day = (int)floor(day), .last_day = (int)floor(day),
                        .morning_mg = mg, .line = line, .once = 1, .at_day = day};
}

/* Once doses between regimens: every dose at its time, the day's total in
 * its day. */
static void once_expand(void **s)
{
    (void)s;
    pk_regimen r[4] = {{0, 1, 400, 400, 1, 0, 0}, once_at(2, 200, 2), once_at(2.5, 400, 3),
                       {3, 4, 200, 0, 4, 0, 0}};
    pk_err err = {0};
    assert_int_equal(pk_dosing_check(&model_sorafenib_flt3, r, 4, "f.ini", &err), PK_OK);
    pk_dose *d;
    size_t n;
    assert_int_equal(pk_dosing_expand(r, 4, &d, &n, &err), PK_OK);
    /* 0, 0.5, 1, 1.5 (400 each), 2 (200), 2.5 (400), 3, 4 (200 each): 12 h apart at least */
    const double t[8] = {0, 0.5, 1, 1.5, 2, 2.5, 3, 4}, mg[8] = {400, 400, 400, 400, 200, 400, 200, 200};
    assert_int_equal(n, 8);
    for (size_t i = 0; i < 8; i++) {
        assert_float_equal(d[i].t_day, t[i], 0);
        assert_float_equal(d[i].amount_mg, mg[i], 0);
    }
    free(d);
    assert_float_equal(pk_dosing_daily_mg(r, 4, 1.9), 800, 0);
    assert_float_equal(pk_dosing_daily_mg(r, 4, 2.0), 600, 0); /* 200 + 400 */
    assert_float_equal(pk_dosing_daily_mg(r, 4, 2.99), 600, 0);
    assert_float_equal(pk_dosing_daily_mg(r, 4, 3.1), 200, 0);
    assert_float_equal(pk_dosing_daily_mg(r, 4, 5), 0, 0);
    /* a forecast from day 3 keeps the once doses of day 2 */
    pk_regimen out[4];
    assert_int_equal(pk_dosing_before(r, 4, 3, out, 4), 3);
    assert_float_equal(out[2].at_day, 2.5, 0);
}

/* The model's rules hold for once doses: whole tablets, the day's total,
 * the shortest interval, order, no overlap with a FIRST-LAST regimen. */
static void once_limits(void **s)
{
    (void)s;
    const pk_model *m = &model_sorafenib_flt3;
    struct {
        pk_regimen r[2];
        size_t n;
        const char *where, *msg;
    } bad[] = {
        {{once_at(1.5, 300, 7)}, 1, "f.ini:7: 1.5",
         "each dose must be a multiple of the 200 mg tablet (got 300 mg)"},
        {{once_at(2, 400, 3), once_at(2.5, 600, 4)}, 2, "f.ini:4: 2.5",
         "1000 mg/day on day 2 is outside 200-800"},
        {{once_at(0.5, 1000, 3)}, 1, "f.ini:3: 0.5", "1000 mg/day on day 0 is outside 200-800"},
        {{once_at(2, 400, 3), once_at(2.25, 200, 4)}, 2, "f.ini:4: 2.25",
         "6 h after the dose at day 2: dosing intervals under 8 h are refused"},
        {{once_at(2.9, 200, 3), {3, 4, 200, 0, 4, 0, 0}}, 2, "f.ini:4: 3-4",
         "2.4 h after the dose at day 2.9: dosing intervals under 8 h are refused"},
        {{{0, 2, 400, 0, 3, 0, 0}, once_at(2.5, 200, 4)}, 2, "f.ini:4: 2.5",
         "overlaps or precedes the regimen ending on day 2 (list them in order of days)"},
        {{once_at(3.5, 200, 3), once_at(3.25, 200, 4)}, 2, "f.ini:4: 3.25",
         "comes at or before the once dose at day 3.5 (list doses in order of time)"},
        {{once_at(1, 0, 5)}, 1, "f.ini:5: 1", "a once dose must be a positive amount (mg)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        pk_err err = {0};
        assert_int_equal(pk_dosing_check(m, bad[i].r, bad[i].n, "f.ini", &err), PK_EINPUT);
        assert_string_equal(err.where, bad[i].where);
        assert_string_equal(err.msg, bad[i].msg);
    }
    /* a pause before a once dose is no dose: nothing to be 8 h from */
    pk_err err = {0};
    pk_regimen ok[3] = {{0, 1, 400, 400, 1, 0, 0}, {2, 2, 0, 0, 2, 0, 0}, once_at(3.1, 200, 3)};
    assert_int_equal(pk_dosing_check(m, ok, 3, "f.ini", &err), PK_OK);
    /* oral1cpt: any positive amount, any interval, any daily total */
    pk_regimen any[3] = {once_at(0, 37.5, 1), once_at(0.001, 12.5, 2), once_at(0.002, 5000, 3)};
    assert_int_equal(pk_dosing_check(&model_oral1cpt, any, 3, "g.ini", &err), PK_OK);
}

/* A patient file with once doses, read from memory: the doses at their
 * hours, the day's total in the simulation's dose column, no gap warnings. */
static void once_in_a_patient_file(void **s)
{
    (void)s;
    const char text[] = "[patient]\nid = o\nmodel = oral1cpt\n[dosing]\n"
                        "0.0833333333333333 = 15 mg once ; row 2\n"
                        "6h = 15 mg once\n"
                        "3 = 20 mg qd\n"
                        "7.5 = 10 mg once\n"
                        "[observations]\n1 conc = 0.5\n";
    pk_patient p;
    pk_err err = {0};
    assert_int_equal(pk_patient_load_mem("mem.ini", text, sizeof text - 1, &p, &err), PK_OK);
    assert_int_equal(p.n_regimen, 4);
    assert_true(p.regimen[0].once && p.regimen[1].once && !p.regimen[2].once);
    assert_float_equal(p.regimen[1].at_day, 0.25, 0);
    assert_float_equal(pk_patient_last_day(&p), 7.5, 0);
    assert_float_equal(pk_dosing_daily_mg(p.regimen, p.n_regimen, 0.5), 30, 0);
    pk_patient_free(&p);
    /* an hours key on a regimen is no day range */
    const char bad[] = "[patient]\nid = o\nmodel = oral1cpt\n[dosing]\n2h = 15 mg qd\n";
    pk_err e2 = {0};
    assert_int_equal(pk_patient_load_mem("mem.ini", bad, sizeof bad - 1, &p, &e2), PK_EINPUT);
    assert_string_equal(e2.where, "mem.ini:5: 2h");
    pk_patient_free(&p);
    const char bad2[] = "[patient]\nid = o\nmodel = oral1cpt\n[dosing]\n-2h = 15 mg once\n";
    pk_err e3 = {0};
    assert_int_equal(pk_patient_load_mem("mem.ini", bad2, sizeof bad2 - 1, &p, &e3), PK_EINPUT);
    assert_string_equal(e3.msg, "expected the time of a once dose as a day (e.g. 2.25) or hours "
                                "(e.g. 54h), 0-100000 days");
    pk_patient_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(before_a_day),
        cmocka_unit_test(expansion),
        cmocka_unit_test(schedule_split),
        cmocka_unit_test(limits),
        cmocka_unit_test(once_parse),
        cmocka_unit_test(once_expand),
        cmocka_unit_test(once_limits),
        cmocka_unit_test(once_in_a_patient_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
