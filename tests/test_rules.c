/* Rule-based dosing: hand-built count histories with known outcomes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models.h"
#include "pk_rules.h"
#include "test_util.h"

static const pk_model *M = &model_sorafenib_flt3;

static void load(const char *text, pk_rules *r)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/pksim_rules_%d.ini", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    pk_err err = {0};
    if (pk_rules_load(path, M, r, &err))
        fail_msg("%s: %s", err.where, err.msg);
    remove(path);
}

/* one count per entry: day and wbc, blasts at 0.5% */
static size_t history(const double *days, const double *wbc, size_t n, double *ht, double *ho)
{
    for (size_t i = 0; i < n; i++) {
        ht[i] = days[i];
        memset(ho + i * M->n_obs, 0, M->n_obs * sizeof(double));
        ho[i * M->n_obs + pk_model_obs_index(M, "wbc")] = wbc[i];
        ho[i * M->n_obs + pk_model_obs_index(M, "blast_pb_pct")] = 0.5;
    }
    return n;
}

static void reduce_pause_resume(void **s)
{
    (void)s;
    pk_rules r;
    load("[rules]\nstart = 400 mg bid\nrule low = wbc < 1.0 -> reduce 200\n"
         "rule back = wbc >= 2.0 for 7 days -> resume\n", &r);
    assert_float_equal(r.start_mg_per_day, 800, 0);
    double ht[8], ho[8 * PK_MAX_OBS];
    pk_rule_state st = {800, 800, 0};
    /* WBC below 1.0 on day 10: 600 mg/day from that day's doses */
    static const double d1[] = {0, 3, 7, 10}, w1[] = {20, 5, 1.5, 0.8};
    size_t n = history(d1, w1, 4, ht, ho);
    assert_int_equal(pk_rules_apply(&r, M, ht, ho, n, &st), 0);
    assert_float_equal(st.daily_mg, 600, 0);
    /* again at 600, 400: then 400 - 200 = 200 is still allowed */
    assert_int_equal(pk_rules_apply(&r, M, ht, ho, n, &st), 0);
    assert_int_equal(pk_rules_apply(&r, M, ht, ho, n, &st), 0);
    assert_float_equal(st.daily_mg, 200, 0);
    /* a reduction below 200 pauses instead */
    assert_int_equal(pk_rules_apply(&r, M, ht, ho, n, &st), 0);
    assert_float_equal(st.daily_mg, 0, 0);
    assert_float_equal(st.last_mg, 200, 0);
    /* paused: "reduce" changes nothing, so nothing fires */
    assert_int_equal(pk_rules_apply(&r, M, ht, ho, n, &st), -1);
    /* resume needs wbc >= 2 at every count day of the last 7 days */
    static const double d2[] = {0, 3, 7, 10, 14, 17}, w2[] = {20, 5, 1.5, 0.8, 2.5, 2.2};
    n = history(d2, w2, 6, ht, ho);
    assert_int_equal(pk_rules_apply(&r, M, ht, ho, n, &st), -1); /* day 10 (0.8) in window */
    static const double d3[] = {0, 3, 7, 10, 14, 17, 21}, w3[] = {20, 5, 1.5, 0.8, 2.5, 2.2, 3};
    n = history(d3, w3, 7, ht, ho);
    assert_int_equal(pk_rules_apply(&r, M, ht, ho, n, &st), 1);
    assert_float_equal(st.daily_mg, 200, 0); /* the last dose before the pause */
}

static void increase_caps_and_stop(void **s)
{
    (void)s;
    pk_rules r;
    load("[rules]\nstart = 600 mg qd\ncount_days = 1\n"
         "rule rise = blast_pb_pct >= 5 -> increase 400\nrule end = wbc > 100 -> stop\n", &r);
    assert_int_equal(r.bid, 0);
    assert_int_equal(r.count_mod[1], 1);
    assert_int_equal(r.count_mod[0], 0);
    double ht[2] = {0, 8}, ho[2 * PK_MAX_OBS] = {0};
    ho[M->n_obs + pk_model_obs_index(M, "blast_pb_pct")] = 7;
    ho[M->n_obs + pk_model_obs_index(M, "wbc")] = 5;
    pk_rule_state st = {600, 600, 0};
    assert_int_equal(pk_rules_apply(&r, M, ht, ho, 2, &st), 0);
    assert_float_equal(st.daily_mg, 800, 0); /* capped at the maximum */
    assert_int_equal(pk_rules_apply(&r, M, ht, ho, 2, &st), -1); /* already at 800 */
    ho[M->n_obs + pk_model_obs_index(M, "wbc")] = 150;
    assert_int_equal(pk_rules_apply(&r, M, ht, ho, 2, &st), 1);
    assert_int_equal(st.stopped, 1);
    assert_float_equal(st.daily_mg, 0, 0);
    assert_int_equal(pk_rules_apply(&r, M, ht, ho, 2, &st), -1); /* stopped for good */
}

static void malformed(void **s)
{
    (void)s;
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"[rules]\nstart = 450 mg bid\n", "900 mg/day is outside 200-800"},
        {"[rules]\nrule a = wbc < 1 -> pause\n", "[rules] has no start regimen"},
        {"[rules]\nstart = 400 mg bid\nrule a = wbc < 1 pause\n",
         "expected 'CONDITION -> ACTION' (e.g. 'wbc < 1.0 -> pause')"},
        {"[rules]\nstart = 400 mg bid\nrule a = platelets < 1 -> pause\n",
         "unknown observable 'platelets'"},
        {"[rules]\nstart = 400 mg bid\nrule a = wbc << 1 -> pause\n", "'<<' is not one of < <= >= >"},
        {"[rules]\nstart = 400 mg bid\nrule a = wbc < 1 -> reduce 300\n",
         "'300': give mg/day in whole tablets"},
        {"[rules]\nstart = 400 mg bid\nrule a = wbc < 1 -> pause 200\n",
         "action 'pause' takes no amount"},
        {"[rules]\nstart = 400 mg bid\nrule a = wbc < 1 -> halve\n",
         "action 'halve': use reduce MG, increase MG, pause, resume, stop or set MG"},
        {"[rules]\nstart = 400 mg bid\nrule a = wbc < 1 -> set 1000\n",
         "set 1000 mg/day is outside the dose range"},
        {"[rules]\nstart = 400 mg bid\ncount_days = 0, 9\n", "'9': give weekdays 0-6 (day mod 7)"},
        {"[rules]\nstart = 400 mg bid\nwhen = 3\n",
         "unknown key in [rules] (start, count_days, rule NAME)"},
        {"[rules]\nstart = 400 mg bid\nrule a = wbc < 1 for 0 days -> pause\n",
         "'for 0 days': give 1-365 days"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char path[64];
        snprintf(path, sizeof path, "/tmp/pksim_rules_bad_%d.ini", (int)getpid());
        FILE *f = fopen(path, "w");
        fputs(cases[k].text, f);
        fclose(f);
        pk_rules r;
        pk_err err = {0};
        assert_int_equal(pk_rules_load(path, M, &r, &err), PK_EINPUT);
        remove(path);
        if (strcmp(err.msg, cases[k].msg) != 0)
            fail_msg("case %zu: '%s' != '%s'", k, err.msg, cases[k].msg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reduce_pause_resume),
        cmocka_unit_test(increase_caps_and_stop),
        cmocka_unit_test(malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
