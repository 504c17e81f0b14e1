/* Every error path of the patient loader: the exact one-line message
 * "pksim: FILE:LINE: KEY: what is wrong". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"

static char dir[] = "/tmp/pksim_test_ini_XXXXXX";

static const char *write_file(const char *name, const char *text, size_t len)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(text, 1, len, f);
    fclose(f);
    return path;
}

/* Loads text and checks the message after "pksim: PATH". */
static void expect(const char *text, const char *suffix)
{
    const char *path = write_file("p.ini", text, strlen(text));
    pk_patient p;
    pk_err err = {0};
    int rc = pk_patient_load(path, &p, &err);
    pk_patient_free(&p);
    char got[1200], want[1200];
    pk_err_format(&err, got, sizeof got);
    snprintf(want, sizeof want, "pksim: %s%s", path, suffix);
    if (rc != PK_EINPUT || strcmp(got, want) != 0)
        fail_msg("rc %d\n got: %s\nwant: %s", rc, got, want);
}

#define HEAD "[patient]\nid = p1\nmodel = sorafenib_flt3\n"
#define OBS0 "[observations]\n0 wbc = 10\n0 blast_pb_pct = 50\n"

static void text_level(void **s)
{
    (void)s;
    expect("", ": file is empty");
    expect("[patient]\nid p1\n", ":2: expected 'key = value', '[section]' or a comment");
    expect(HEAD "[patient]\n", ":4: duplicate section [patient] (first on line 1)");
    expect("[patient]\nid = a\nid = b\n", ":3: id: duplicate key in [patient] (first on line 2)");
    expect("id = a\n[patient]\n", ":1: id: key outside any section");
    char longline[400];
    memset(longline, 'x', sizeof longline);
    memcpy(longline, "[patient]\nnotes = ", 18);
    strcpy(longline + 300, "\n");
    expect(longline, ":2: line longer than 198 characters");
    expect(HEAD "[dosing\n", ":4: expected 'key = value', '[section]' or a comment");
    expect(HEAD "[plot]\n", ":4: unknown section [plot] (patient, dosing, observations, "
                            "parameters, fit, solver, estimate, sweep)");
}

/* n observation lines: HEAD, "[observations]" on line 4, then day
 * d's count on line 5 + d, and after them what tail adds. */
static char *many_observations(int n, const char *tail)
{
    size_t cap = (size_t)n * 24 + strlen(tail) + 64;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t len = (size_t)snprintf(text, cap, HEAD "[observations]\n");
    for (int d = 0; d < n; d++)
        len += (size_t)snprintf(text + len, cap - len, "%d wbc = %d\n", d, 1 + d % 50);
    snprintf(text + len, cap - len, "%s", tail);
    return text;
}

/* Duplicates are found in time linear in the file: comparing each key
 * with all earlier ones took about 150 s for these files, so the alarm
 * fails the test; linear loading takes a fraction of a second (ASan too). */
static void many_keys(void **s)
{
    (void)s;
    enum { n = 200000 };
    alarm(20);
    char *text = many_observations(n, "");
    const char *path = write_file("many.ini", text, strlen(text));
    pk_patient p;
    pk_err err = {0};
    assert_int_equal(pk_patient_load(path, &p, &err), PK_OK);
    assert_int_equal(p.n_obs, n);
    assert_float_equal(p.obs[n - 1].t_day, n - 1, 0);
    assert_float_equal(p.obs[n - 1].value, 1 + (n - 1) % 50, 0);
    pk_patient_free(&p);
    free(text);

    /* two keys repeated: the message names the earlier repeat and its
     * first occurrence */
    text = many_observations(n, "9 wbc = 1\n8 wbc = 1\n");
    char want[128];
    snprintf(want, sizeof want, ":%d: 9 wbc: duplicate key in [observations] (first on line 14)",
             5 + n);
    expect(text, want);
    free(text);
    text = many_observations(n, "[dosing]\n0 = pause\n[observations]\n");
    snprintf(want, sizeof want, ":%d: duplicate section [observations] (first on line 4)", 7 + n);
    expect(text, want);
    free(text);
    alarm(0);
}

static void binary_and_missing(void **s)
{
    (void)s;
    static const char bin[] = "[patient]\nid = \0\x01\x02garbage\n";
    const char *path = write_file("bin.ini", bin, sizeof bin - 1);
    pk_patient p;
    pk_err err = {0};
    assert_int_equal(pk_patient_load(path, &p, &err), PK_EINPUT);
    pk_patient_free(&p);
    assert_string_equal(err.msg, "binary data (not a text file)");
    assert_non_null(strstr(err.where, ":2"));

    memset(&err, 0, sizeof err);
    char missing[600];
    snprintf(missing, sizeof missing, "%s/none.ini", dir);
    assert_int_equal(pk_patient_load(missing, &p, &err), PK_EINPUT);
    pk_patient_free(&p);
    assert_string_equal(err.msg, "cannot open: No such file or directory");

    memset(&err, 0, sizeof err);
    assert_int_equal(pk_patient_load(dir, &p, &err), PK_EINPUT);
    pk_patient_free(&p);
    assert_string_equal(err.msg, "is a directory, not an INI file");
}

/* Only regular files are read: /dev/zero was read until memory ran out
 * and opening a FIFO waited for a writer (the alarm fails the test then).
 * A regular file is read no further than one line: 4 GiB of zeros (a
 * sparse file, no disk) stop at the first line. */
static void special_files(void **s)
{
    (void)s;
    alarm(20);
    pk_patient p;
    pk_err err = {0};
    char got[1200], want[1200], path[600];
    assert_int_equal(pk_patient_load("/dev/zero", &p, &err), PK_EINPUT);
    pk_patient_free(&p);
    pk_err_format(&err, got, sizeof got);
    assert_string_equal(got, "pksim: /dev/zero: is a character device, not an INI file");

    snprintf(path, sizeof path, "%s/fifo.ini", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    memset(&err, 0, sizeof err);
    assert_int_equal(pk_patient_load(path, &p, &err), PK_EINPUT);
    pk_patient_free(&p);
    pk_err_format(&err, got, sizeof got);
    snprintf(want, sizeof want, "pksim: %s: is a FIFO, not an INI file", path);
    assert_string_equal(got, want);

    snprintf(path, sizeof path, "%s/zeros.ini", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), 4LL << 30), 0);
    fclose(f);
    memset(&err, 0, sizeof err);
    assert_int_equal(pk_patient_load(path, &p, &err), PK_EINPUT);
    pk_patient_free(&p);
    pk_err_format(&err, got, sizeof got);
    snprintf(want, sizeof want, "pksim: %s:1: binary data (not a text file)", path);
    assert_string_equal(got, want);
    unlink(path);
    alarm(0);
}

static void patient_section(void **s)
{
    (void)s;
    expect("[dosing]\n0 = pause\n", ": no [patient] section");
    expect("[patient]\nmodel = sorafenib_flt3\n", ":1: [patient] has no id");
    expect("[patient]\nid = a\n", ":1: [patient] has no model");
    expect("[patient]\nid = a/b\n", ":2: id: 'a/b': use letters, digits, '_' and '-' only "
                                    "(it names the results folder)");
    expect("[patient]\nid = a\nmodel = pkpd9\n",
           ":3: model: unknown model 'pkpd9' (see 'pksim models')");
    expect(HEAD "weight_kg = heavy\n", ":4: weight_kg: 'heavy' is not a body weight in kg (0.3-300)");
    expect(HEAD "weight_kg = 0.2\n", ":4: weight_kg: '0.2' is not a body weight in kg (0.3-300)");
    expect(HEAD "weight_kg = 0x50\n", ":4: weight_kg: '0x50' is not a body weight in kg (0.3-300)");
    expect(HEAD "age = 40\n", ":4: age: unknown key in [patient] (id, model, weight_kg, notes)");
}

static void dosing_section(void **s)
{
    (void)s;
    expect(HEAD "[dosing]\n0-220 = 450 mg bid\n", ":5: 0-220: 900 mg/day is outside 200-800");
    expect(HEAD "[dosing]\n0-6 = 100 mg qd\n", ":5: 0-6: 100 mg/day is outside 200-800");
    expect(HEAD "[dosing]\n0-6 = 300 + 300 mg\n",
           ":5: 0-6: each dose must be a multiple of the 200 mg tablet (got 300 + 300 mg)");
    expect(HEAD "[dosing]\n0-6 = 400 mg tid\n",
           ":5: 0-6: '400 mg tid': expected e.g. '400 mg bid', '400 mg qd', '400 + 200 mg' or "
           "'pause'");
    expect(HEAD "[dosing]\n6-0 = 400 mg bid\n",
           ":5: 6-0: expected days as FIRST-LAST (e.g. 0-27) or one day");
    expect(HEAD "[dosing]\nday1 = 400 mg bid\n",
           ":5: day1: expected days as FIRST-LAST (e.g. 0-27) or one day");
    expect(HEAD "[dosing]\n0-10 = 400 mg bid\n5-20 = 200 mg qd\n",
           ":6: 5-20: overlaps or precedes the regimen ending on day 10 (list them in order of "
           "days)");
    expect(HEAD "[dosing]\n0-10 = -200 mg qd\n",
           ":5: 0-10: doses must be finite and non-negative (mg)");
    /* the real value, not "800 mg/day is outside 200-800" */
    expect(HEAD "[dosing]\n0-220 = 400.0000001 mg bid\n",
           ":5: 0-220: 800.0000002 mg/day is outside 200-800");
    /* whole tablets exactly: 200.0000001 mg was taken for one tablet */
    expect(HEAD "[dosing]\n0-6 = 200.0000001 + 200 mg\n",
           ":5: 0-6: each dose must be a multiple of the 200 mg tablet (got 200.0000001 + 200 "
           "mg)");
    /* hexadecimal was read as 400 mg */
    expect(HEAD "[dosing]\n0-220 = 0x190 mg bid\n",
           ":5: 0-220: '0x190 mg bid': write doses in decimal mg (e.g. '400 mg bid')");
    expect(HEAD "[dosing]\n0-220 = 400 mg + 0X0 mg\n",
           ":5: 0-220: '400 mg + 0X0 mg': write doses in decimal mg (e.g. '400 mg bid')");
}

static void observations_section(void **s)
{
    (void)s;
    expect(HEAD "[observations]\nx wbc = 10\n", ":5: x wbc: expected 'DAY OBSERVABLE' (e.g. '7 wbc')");
    expect(HEAD "[observations]\n7 platelets = 10\n",
           ":5: 7 platelets: unknown observable 'platelets' (model sorafenib_flt3 has wbc, "
           "blast_pb_pct, blast_bm_pct, conc)");
    expect(HEAD "[observations]\n7 wbc = ten\n", ":5: 7 wbc: 'ten' is not a number");
    expect(HEAD "[observations]\n7 blast_pb_pct = 120\n", ":5: 7 blast_pb_pct: 120% is outside 0-100");
    expect(HEAD "[observations]\n7 blast_pb_pct = 100.0000001\n",
           ":5: 7 blast_pb_pct: 100.0000001% is outside 0-100");
    expect(HEAD "[observations]\n7 wbc = 0x1p1\n", ":5: 7 wbc: '0x1p1' is not a number");
    expect(HEAD "[observations]\n7 wbc = 2\n0 wbc = 10\n",
           ":6: 0 wbc: day 0 comes after day 7: list observations in order of days");
    expect(HEAD "[observations]\n7 wbc = 2 n=100\n",
           ":5: 7 wbc: n= (cells counted) applies to blast counts only");
    expect(HEAD "[observations]\n7 blast_pb_pct = 2 n=1.5\n",
           ":5: 7 blast_pb_pct: '1.5': cells counted must be a whole number 1-1000000");
    expect(HEAD "[observations]\n7 blast_pb_pct = 2 ignore\n",
           ":5: 7 blast_pb_pct: 'ignore' is not understood (expected n=CELLS or check)");
    expect(HEAD "[observations]\n7 wbc = 0\n",
           ":5: 7 wbc: 0 10^9/L: a log-normal observation must be positive");
    expect(HEAD "[observations]\n7 blast_pb_pct = < 0\n",
           ":5: 7 blast_pb_pct: a censored count must leave some room (< 0%)");
    expect(HEAD "[observations]\n7 LT = 0.5\n", ":5: 7 LT: LT is a model output, not an observable");
    expect(HEAD "[observations]\n7 conc = -1\n", ":5: 7 conc: -1 mg/L: must not be negative");
    expect(HEAD "[observations]\n7 wbc =\n", ":5: 7 wbc: no value");
}

static void parameter_section(void **s)
{
    (void)s;
    expect(HEAD OBS0 "[parameters]\nEC50 = 1\n",
           ":8: EC50: unknown parameter of model sorafenib_flt3 (see 'pksim models')");
    expect(HEAD OBS0 "[parameters]\nrho = lots\n", ":8: rho: 'lots' is not a number");
    /* no dimensionless unit in the message ("1.5 1 is outside"), the value exactly */
    expect(HEAD OBS0 "[parameters]\nm0 = 1.5\n", ":8: m0: 1.5 is outside 0-1");
    expect(HEAD OBS0 "[parameters]\nf_R0 = 1\n", ":8: f_R0: 1 is outside 1e-20-0.5");
    expect(HEAD OBS0 "[parameters]\nf_R0 = 0.5000001\n",
           ":8: f_R0: 0.5000001 is outside 1e-20-0.5");
    expect(HEAD OBS0 "[parameters]\nV_L = 1e6\n", ":8: V_L: 1e+06 L is outside 0.01-100000");
    /* decimal only: strtod would read 0x10 as 16 */
    expect(HEAD OBS0 "[parameters]\nrho = 0x10\n", ":8: rho: '0x10' is not a number");
    expect(HEAD OBS0 "[parameters]\nm0 = 1\n", ":8: m0: 1 must lie strictly between 0 and 1");
    expect(HEAD OBS0 "[parameters]\nrho = 3000 cv 50\n",
           ":8: rho: write the CV as a percentage, e.g. 'cv 50%'");
    expect(HEAD OBS0 "[parameters]\nrho = 3000 sd 1\n",
           ":8: rho: 'sd' is for logit- and log10-normal priors; rho is log-normal: use 'cv PCT%'");
    expect(HEAD OBS0 "[parameters]\nrho = 3000 wide\n",
           ":8: rho: expected 'VALUE', 'VALUE fixed', 'VALUE cv PCT%' or 'VALUE sd X'");
    expect(HEAD "[observations]\n0 blast_pb_pct = 50\n",
           ": WBC0: no value (its median comes from a day-0 observation the file lacks): set it "
           "in [parameters]");
}

static void fit_and_solver_sections(void **s)
{
    (void)s;
    expect(HEAD OBS0 "[fit]\nestimate = Emax_L_per_day, EC50\n",
           ":8: estimate: unknown parameter 'EC50' of model sorafenib_flt3");
    expect(HEAD OBS0 "[fit]\nestimate = hill\n",
           ":8: estimate: hill is fixed: give it a prior in [parameters] first");
    expect(HEAD OBS0 "[parameters]\nm0 = 0.5 fixed\n[fit]\nestimate = m0\n",
           ":10: estimate: m0 is fixed: give it a prior in [parameters] first");
    expect(HEAD OBS0 "[fit]\nestimate = m0, m0\n", ":8: estimate: m0 is listed twice");
    expect(HEAD OBS0 "[fit]\nstarts = 4\n", ":8: starts: unknown key in [fit] (estimate)");
    expect(HEAD OBS0 "[solver]\nrtol = 0.1\n",
           ":8: rtol: '0.1': give a relative tolerance in 1e-14..1e-3");
    expect(HEAD OBS0 "[solver]\nengine = rk4\n", ":8: engine: 'rk4': engine is split or coupled");
}

/* A valid file with every feature parses to the expected values. */
static void full_example(void **s)
{
    (void)s;
    const char *text = HEAD "weight_kg = 70\n"
                            "[dosing]\n0-13 = 400 mg bid\n14-20 = pause\n21-27 = 400 + 200 mg\n"
                            "28 = 200 mg qd\n"
                            "[observations]\n0 wbc = 36.2\n0 blast_pb_pct = 94\n"
                            "7 blast_pb_pct = 0 n=200\n14 blast_bm_pct = > 50 check\n"
                            "14 blast_pb_pct = <1\n"
                            "[parameters]\nrho = 1000 cv 80%\nphi = 0.2 sd 0.5\nhill = 1.5 fixed\n"
                            "D50_mg = inf\n"
                            "[fit]\nestimate = Emax_L_per_day, rho\n[solver]\nrtol = 1e-9\n";
    const char *path = write_file("ok.ini", text, strlen(text));
    pk_patient p;
    pk_err err = {0};
    assert_int_equal(pk_patient_load(path, &p, &err), PK_OK);
    const pk_model *m = p.model;
    assert_float_equal(p.weight_kg, 70, 0);
    assert_int_equal(p.n_regimen, 4);
    assert_float_equal(p.regimen[2].morning_mg, 400, 0);
    assert_float_equal(p.regimen[2].evening_mg, 200, 0);
    assert_int_equal(p.regimen[3].first_day, 28);
    assert_int_equal(p.regimen[3].last_day, 28);
    assert_int_equal(p.n_obs, 5);
    assert_int_equal(p.obs[2].n_cells, 200);
    assert_int_equal(p.obs[3].censor, 1);
    assert_int_equal(p.obs[3].check, 1);
    assert_int_equal(p.obs[4].censor, -1);
    assert_float_equal(p.obs[4].value, 1, 0);
    int rho = pk_model_param_index(m, "rho"), phi = pk_model_param_index(m, "phi");
    assert_float_equal(p.param[rho].spread, 0.8, 1e-15);
    assert_float_equal(p.param[phi].spread, 0.5, 0);
    assert_int_equal(p.param[pk_model_param_index(m, "hill")].fixed, 1);
    /* data-derived medians: WBC0 = day-0 count, b0 = 94/100 */
    assert_float_equal(p.param[pk_model_param_index(m, "WBC0")].value, 36.2, 0);
    assert_float_equal(p.param[pk_model_param_index(m, "b0")].value, 0.94, 1e-15);
    assert_int_equal(p.n_estimate, 2);
    assert_float_equal(p.rtol, 1e-9, 0);
    pk_patient_free(&p);
}

/* b0's median is clamped to [0.5/n, 1 - 0.5/n]; 0.5 without a blood count. */
static void b0_median(void **s)
{
    (void)s;
    const char *a = HEAD "[observations]\n0 wbc = 8\n0 blast_pb_pct = 100 n=50\n";
    const char *b = HEAD "[observations]\n0 wbc = 8\n0 blast_bm_pct = 80\n";
    pk_patient p;
    pk_err err = {0};
    assert_int_equal(pk_patient_load(write_file("a.ini", a, strlen(a)), &p, &err), PK_OK);
    assert_float_equal(p.param[pk_model_param_index(p.model, "b0")].value, 0.99, 1e-15);
    pk_patient_free(&p);
    assert_int_equal(pk_patient_load(write_file("b.ini", b, strlen(b)), &p, &err), PK_OK);
    assert_float_equal(p.param[pk_model_param_index(p.model, "b0")].value, 0.5, 0);
    pk_patient_free(&p);
}

/* A UTF-8 byte order mark before "[patient]" is ignored (it hid the
 * section: "no [patient] section"), on line 1 only; line 1's limit does
 * not count it. */
static void byte_order_mark(void **s)
{
    (void)s;
    const char *text = "\xEF\xBB\xBF" HEAD OBS0;
    pk_patient p;
    pk_err err = {0};
    assert_int_equal(pk_patient_load(write_file("bom.ini", text, strlen(text)), &p, &err), PK_OK);
    assert_string_equal(p.id, "p1");
    assert_string_equal(p.model->name, "sorafenib_flt3");
    assert_int_equal(p.n_obs, 2);
    assert_float_equal(p.obs[1].value, 50, 0);
    pk_patient_free(&p);
    expect("\xEF\xBB\xBF[patient]\n[patient]\n",
           ":2: duplicate section [patient] (first on line 1)");
    char line1[300] = "\xEF\xBB\xBF# ";
    memset(line1 + 5, 'x', 196);
    strcpy(line1 + 201, "\n" HEAD OBS0);
    assert_int_equal(pk_patient_load(write_file("bom.ini", line1, strlen(line1)), &p, &err), PK_OK);
    pk_patient_free(&p);
    expect(HEAD "\xEF\xBB\xBF[dosing]\n",
           ":4: expected 'key = value', '[section]' or a comment");
}

/* inih appends an indented line after a key to that key's value, which
 * read as "duplicate key" on the line above.  Indenting is fine where
 * inih does not continue: a section header or the first key after one,
 * blank and comment lines. */
static void indented_lines(void **s)
{
    (void)s;
    expect("[patient]\nid = p1\n  model = sorafenib_flt3\n",
           ":3: indented continuation lines are not allowed");
    expect(HEAD "\tweight_kg = 70\n", ":4: indented continuation lines are not allowed");
    expect(HEAD OBS0 "   [dosing]\n0-6 = 400 mg bid\n",
           ":7: indented continuation lines are not allowed");
    expect(HEAD "\n  \n  # a comment\n  ; another\n  x\n",
           ":8: indented continuation lines are not allowed");
    const char *text = "  [patient]\n  id = p1\n\t# the model:\nmodel = sorafenib_flt3\n \n"
                       "[observations]\n  0 wbc = 10\n0 blast_pb_pct = 50\n";
    pk_patient p;
    pk_err err = {0};
    assert_int_equal(pk_patient_load(write_file("indent.ini", text, strlen(text)), &p, &err),
                     PK_OK);
    assert_string_equal(p.id, "p1");
    assert_int_equal(p.n_obs, 2);
    assert_float_equal(p.obs[0].value, 10, 0);
    pk_patient_free(&p);
}

static int setup(void **s)
{
    (void)s;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **s)
{
    (void)s;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_level),        cmocka_unit_test(many_keys),
        cmocka_unit_test(binary_and_missing), cmocka_unit_test(special_files),
        cmocka_unit_test(patient_section),   cmocka_unit_test(dosing_section),
        cmocka_unit_test(observations_section), cmocka_unit_test(parameter_section),
        cmocka_unit_test(fit_and_solver_sections), cmocka_unit_test(full_example),
        cmocka_unit_test(b0_median),         cmocka_unit_test(byte_order_mark),
        cmocka_unit_test(indented_lines),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
