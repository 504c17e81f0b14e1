/* Data sets: the CSV reader (libcsv), the NONMEM-style rows made into
 * patients, and the export back, against values worked out by hand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models.h"
#include "pk_export.h"
#include "pk_import.h"
#include "pk_table.h"
#include "test_util.h"

/* RFC 4180 quotes (a comma and a doubled quote inside), CRLF, a '#'
 * header, blank and comment lines, blanks around unquoted fields. */
static void table_reads_quotes_and_lines(void **state)
{
    (void)state;
    const char text[] = "\xEF\xBB\xBF#ID,TIME,NOTE\r\n"
                        "1, 0.5 ,\"a, \"\"b\"\"\"\r\n"
                        "\r\n"
                        "# a comment line\r\n"
                        "2,3,\r\n"
                        "3,4,\"\"";
    pk_table t;
    pk_err err = {0};
    assert_int_equal(pk_table_parse("m.csv", text, sizeof text - 1, &t, &err), PK_OK);
    assert_int_equal(t.n_col, 3);
    assert_string_equal(t.name[0], "ID");
    assert_string_equal(t.name[2], "NOTE");
    assert_int_equal(t.n_row, 3);
    assert_string_equal(pk_table_at(&t, 0, 1), "0.5");
    assert_string_equal(pk_table_at(&t, 0, 2), "a, \"b\"");
    assert_string_equal(pk_table_at(&t, 1, 2), "");
    assert_string_equal(pk_table_at(&t, 2, 0), "3");
    /* lines as an editor counts them: the blank and the comment skipped */
    assert_int_equal(t.line[0], 2);
    assert_int_equal(t.line[1], 5);
    assert_int_equal(t.line[2], 6);
    pk_table_free(&t);
}

static void table_refuses(void **state)
{
    (void)state;
    struct {
        const char *text, *where, *msg;
    } bad[] = {
        {"ID,TIME\n1,2\n1,\0013\n", "m.csv:3", "binary data (byte 0x01): not a CSV text file"},
        {"ID,TIME\n1,\"2\n3\"\n", "m.csv:2",
         "a quoted field is not closed on its line (line breaks inside fields are not accepted)"},
        {"ID,TIME\r1,2\n", "m.csv:1", "a carriage return inside a line (line ends are LF or CRLF)"},
        {"ID,TIME\n1,a\"b\"\n", "m.csv:2",
         "malformed quotes (RFC 4180: a quote inside an unquoted field, or text after a closing "
         "quote)"},
        {"ID,TIME\n1,2,3\n", "m.csv:2", "3 fields where the header (line 1) has 2"},
        {"\n\n", "m.csv", "is empty: no header row"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        pk_table t;
        pk_err err = {0};
        assert_int_equal(pk_table_parse("m.csv", bad[i].text, strlen(bad[i].text), &t, &err),
                         PK_EINPUT);
        assert_string_equal(err.where, bad[i].where);
        assert_string_equal(err.msg, bad[i].msg);
        pk_table_free(&t);
    }
}

/* Two subjects of oral1cpt: II/ADDL, censoring by CENS (DV the limit; a
 * LIMIT above DV the limit instead), missing values, WT, an ID written
 * "01", EVID 2 and MDV 1 rows dropped. */
static const char theo[] =
    "ID,TIME,AMT,DV,EVID,MDV,CMT,CENS,LIMIT,II,ADDL,WT,SITE\n"
    "01,0,320,.,1,1,1,0,.,12,2,79.6,x\n"  /* doses at 0, 12, 24 h */
    "01,0.25,.,2.84,0,0,2,0,.,.,.,.,x\n"
    "01,6,.,.,2,1,.,.,.,.,.,79.6,x\n"     /* other event: no row */
    "01,30,.,0.1,0,0,2,1,.,.,.,79.6,x\n"  /* < 0.1 */
    "01,36,.,.,0,1,2,0,.,.,.,79.6,x\n"    /* MDV 1: no observation */
    "01,54,.,0.05,0,0,2,1,0.2,.,.,.,x\n"  /* < 0.2 (LIMIT) */
    "B 2,2,15,.,1,1,.,.,.,.,.,.,\n"
    "B 2,3,.,12,0,0,2,-1,.,.,.,.,\n";      /* > 12 */

static pk_import_opts oral_opts(void)
{
    pk_import_opts o = {.model = &model_oral1cpt, .dir = "out"};
    return o;
}

static void import_two_subjects(void **state)
{
    (void)state;
    pk_import_opts o = oral_opts();
    pk_import_set set;
    pk_err err = {0};
    assert_int_equal(pk_import_parse("theo.csv", theo, sizeof theo - 1, &o, &set, &err), PK_OK);
    assert_int_equal(set.n, 2);
    const pk_patient *a = &set.s[0].patient, *b = &set.s[1].patient;
    assert_string_equal(set.s[0].path, "out/1.ini"); /* "01" is ID 1 */
    assert_string_equal(a->id, "1");
    assert_float_equal(a->weight_kg, 79.6, 0);
    assert_int_equal(a->n_regimen, 3);
    const double t_day[3] = {0, 0.5, 1};
    for (size_t i = 0; i < 3; i++) {
        assert_true(a->regimen[i].once);
        assert_float_equal(a->regimen[i].at_day, t_day[i], 0);
        assert_float_equal(a->regimen[i].morning_mg, 320, 0);
    }
    assert_int_equal(a->n_obs, 3);
    assert_float_equal(a->obs[0].t_day, 0.25 / 24.0, 0);
    assert_float_equal(a->obs[0].value, 2.84, 0);
    assert_int_equal(a->obs[0].censor, 0);
    assert_float_equal(a->obs[1].t_day, 1.25, 0);
    assert_float_equal(a->obs[1].value, 0.1, 0);
    assert_int_equal(a->obs[1].censor, -1);
    assert_float_equal(a->obs[2].t_day, 2.25, 0);
    assert_float_equal(a->obs[2].value, 0.2, 0);
    assert_int_equal(a->obs[2].censor, -1);
    /* the file names the rows: ADDL doses the record's */
    assert_non_null(strstr(set.s[0].ini, "0.5 = 320 mg once ; row 2, ADDL 1 of 2\n"));
    assert_non_null(strstr(set.s[0].ini, "2.25 conc = < 0.2 ; row 7\n"));
    assert_string_equal(b->id, "B_2");
    assert_true(b->weight_kg != b->weight_kg); /* NAN: no WT */
    assert_float_equal(b->regimen[0].at_day, 2.0 / 24.0, 0);
    assert_float_equal(b->obs[0].t_day, 3.0 / 24.0, 0);
    assert_int_equal(b->obs[0].censor, 1);
    assert_non_null(strstr(set.s[1].ini, "id = B_2 ; ID 'B 2', row 8\n"));
    pk_import_set_free(&set);
}

/* DVID numbers mapped with --obs, DVID 1 the concentration by default;
 * the patient loader's checks told back as rows and columns. */
static void import_maps_and_model_rules(void **state)
{
    (void)state;
    const char text[] = "ID,TIME,AMT,DV,DVID\n"
                        "7,0,400,.,.\n"
                        "7,0,.,40,2\n"
                        "7,0,.,50,3\n"
                        "7,12,400,.,.\n"
                        "7,24,.,1.5,1\n";
    pk_import_opts o = {.model = &model_sorafenib_flt3, .obs_spec = {"2=wbc", "3=blast_pb_pct"},
                        .n_obs_spec = 2};
    pk_import_set set;
    pk_err err = {0};
    assert_int_equal(pk_import_parse("s.csv", text, sizeof text - 1, &o, &set, &err), PK_OK);
    const pk_patient *p = &set.s[0].patient;
    assert_string_equal(set.s[0].path, "7.ini");
    assert_int_equal(p->n_obs, 3);
    assert_int_equal(p->obs[0].obs, pk_model_obs_index(p->model, "wbc"));
    assert_int_equal(p->obs[1].obs, pk_model_obs_index(p->model, "blast_pb_pct"));
    assert_int_equal(p->obs[2].obs, p->model->conc_obs);
    assert_float_equal(pk_dosing_daily_mg(p->regimen, p->n_regimen, 0.7), 800, 0);
    pk_import_set_free(&set);

    struct {
        const char *text, *where, *msg;
    } bad[] = {
        {"ID,TIME,AMT,DV,DVID\n7,0,.,40,2\n7,0,400,.,.\n7,6,400,.,.\n", "s.csv:4: TIME",
         "6 h after the dose at day 0: dosing intervals under 8 h are refused"},
        {"ID,TIME,AMT,DV,DVID\n7,0,.,40,2\n7,0,400,.,.\n7,12,600,.,.\n", "s.csv:4: AMT",
         "1000 mg/day on day 0 is outside 200-800"},
        {"ID,TIME,AMT,DV,DVID\n7,0,.,40,2\n7,0,.,-1,1\n", "s.csv:3: DV",
         "-1 mg/L: must not be negative"},
        {"ID,TIME,AMT,DV,DVID\n7,0,.,40,2\n7,0,.,1,4\n", "s.csv:3: DVID",
         "DVID 4 names no observable (DVID 1 is conc; map others with --obs 4=NAME: model "
         "sorafenib_flt3 has wbc, blast_pb_pct, blast_bm_pct, conc)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        pk_err e = {0};
        assert_int_equal(pk_import_parse("s.csv", bad[i].text, strlen(bad[i].text), &o, &set, &e),
                         PK_EINPUT);
        assert_string_equal(e.where, bad[i].where);
        assert_string_equal(e.msg, bad[i].msg);
        pk_import_set_free(&set);
    }
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Export: every dose of a regimen, the observations with DVID, CENS and
 * the fit's predictions joined on patient, day (as fit_obs.csv writes it,
 * to 10 digits) and observable. */
static void export_with_results(void **state)
{
    (void)state;
    char dir[] = "/tmp/pksim_test_export.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char ini[300], res[300], csv[300], obs[300];
    snprintf(ini, sizeof ini, "%s/p.ini", dir);
    snprintf(res, sizeof res, "%s/fit", dir);
    snprintf(obs, sizeof obs, "%s/fit/fit_obs.csv", dir);
    snprintf(csv, sizeof csv, "%s/out.csv", dir);
    put(ini, "[patient]\nid = 12\nmodel = oral1cpt\nweight_kg = 70\n[dosing]\n0-1 = 100 mg bid\n"
             "2.25 = 50 mg once\n[observations]\n0.0104166666666666661 conc = 2.5\n"
             "1 conc = < 0.1\n3 conc = 4\n");
    assert_int_equal(mkdir(res, 0777), 0);
    put(obs, "patient,day,observable,dv,censoring,check,n_cells,pred_prior_median,ipred_map,"
             "residual,pi05_residual,pi95_residual\n"
             "12,0.01041666667,conc,2.5,none,0,0,1.5,2.25,0.5,2,3\n"
             "12,3,conc,4,none,0,0,3.5,4.5,-1.25,4,5\n"
             "other,3,conc,4,none,0,0,9,9,9,9,9\n");
    const char *files[1] = {ini};
    pk_export_opts o = {.results = {res}, .n_results = 1, .out = csv};
    size_t rows = 0;
    pk_err err = {0};
    assert_int_equal(pk_export_run(files, 1, &o, &rows, &err), PK_OK);
    assert_int_equal(rows, 8); /* 4 + 1 doses, 3 observations */
    assert_string_equal(slurp(csv),
        "ID,TIME,AMT,DV,EVID,MDV,CMT,DVID,OBS,CENS,LIMIT,WT,PATIENT,PRED,IPRED,RES\n"
        "12,0,100,.,1,1,1,.,.,.,.,70,12,.,.,.\n"
        "12,0.25,.,2.5,0,0,2,1,conc,0,.,70,12,1.5,2.25,0.5\n"
        "12,12,100,.,1,1,1,.,.,.,.,70,12,.,.,.\n"
        "12,24,100,.,1,1,1,.,.,.,.,70,12,.,.,.\n"
        "12,24,.,0.1,0,0,2,1,conc,1,.,70,12,.,.,.\n"
        "12,36,100,.,1,1,1,.,.,.,.,70,12,.,.,.\n"
        "12,54,50,.,1,1,1,.,.,.,.,70,12,.,.,.\n"
        "12,72,.,4,0,0,2,1,conc,0,.,70,12,3.5,4.5,-1.25\n");
    /* never over an input */
    pk_export_opts over = {.out = ini};
    pk_err e2 = {0};
    assert_int_equal(pk_export_run(files, 1, &over, &rows, &e2), PK_EINPUT);
    assert_non_null(strstr(e2.msg, "is an input"));
    unlink(obs);
    rmdir(res);
    unlink(csv);
    unlink(ini);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_reads_quotes_and_lines),
        cmocka_unit_test(table_refuses),
        cmocka_unit_test(import_two_subjects),
        cmocka_unit_test(import_maps_and_model_rules),
        cmocka_unit_test(export_with_results),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
