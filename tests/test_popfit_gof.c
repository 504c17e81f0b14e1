/* A population fit's curves (popfit_traj.csv) and figures, on Theoph
 * (12 subjects, oral1cpt), fitted once for the group:
 *   - popfit_traj.csv at each observation's day equals popfit_obs.csv's
 *     PRED and IPRED (computed along another path, the per-observation
 *     table);
 *   - on the whole grid it equals oral1cpt's closed form, the Bateman
 *     function of the one dose, at the typical values and at each
 *     subject's mode; the grid covers each subject's span densely;
 *   - `pksim plot DIR` draws popfit_gof, popfit_res and popfit_ind_1 with
 *     their scripts, which gnuplot redraws by hand beside the CSVs; an
 *     earlier run's extra page goes;
 *   - ids and observable names with quotes and gnuplot code, planted in
 *     a directory's CSVs, reach the scripts only inside literals: no
 *     command runs (no MARKER file), and outside the literals the scripts
 *     hold none of that text. */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw */

#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pk_csv.h"
#include "pk_gnuplot.h"
#include "pk_plot.h"
#include "pk_popfit.h"
#include "pk_popfit_out.h"
#include "pk_prior.h"
#include "test_util.h"

#define N_SUB 12

typedef struct fixture {
    char dir[64];                /* a temporary directory with popfit's files */
    pk_patient pt[N_SUB];
    pk_popfit pf;
    pk_popfit_result res;
    pk_csv_text obs, traj;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/pksim_gof_XXXXXX");
    if (!fx || !mkdtemp(fx->dir))
        return -1;
    for (int i = 0; i < N_SUB; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "tests/data/theoph/theoph_%02d_mg.ini", i + 1);
        tu_load_patient(rel, &fx->pt[i]);
    }
    pk_popfit_opts o = pk_popfit_default_opts();
    pk_err err = {0};
    char obs[128], traj[128];
    snprintf(obs, sizeof obs, "%s/popfit_obs.csv", fx->dir);
    snprintf(traj, sizeof traj, "%s/popfit_traj.csv", fx->dir);
    if (pk_popfit_resolve(&fx->pt[0], "ka_per_h,CL_L_per_h,V_L", NULL, 0, &o, &err) ||
        pk_popfit_init(&fx->pf, fx->pt, N_SUB, &o, &err) || pk_popfit_run(&fx->pf, &fx->res, &err) ||
        pk_popfit_write(fx->dir, &fx->pf, &fx->res, &err) || pk_csv_read_text(obs, &fx->obs, &err) ||
        pk_csv_read_text(traj, &fx->traj, &err)) {
        fprintf(stderr, "setup: %s: %s\n", err.where, err.msg);
        return -1;
    }
    *state = fx;
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int teardown(void **state)
{
    fixture *fx = *state;
    nftw(fx->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    pk_csv_text_free(&fx->obs);
    pk_csv_text_free(&fx->traj);
    pk_popfit_result_free(&fx->res);
    pk_popfit_free(&fx->pf);
    for (int i = 0; i < N_SUB; i++)
        pk_patient_free(&fx->pt[i]);
    free(fx);
    return 0;
}

static const char *field(const pk_csv_text *t, size_t r, const char *col)
{
    int c = pk_csv_text_col(t, col);
    if (c < 0)
        fail_msg("no column %s", col);
    return t->s[r * t->n_col + (size_t)c];
}

static double num(const pk_csv_text *t, size_t r, const char *col)
{
    return strtod(field(t, r, col), NULL);
}

/* a and b agree to what %.8g prints, or within abs of each other */
static void near(double a, double b, double abs, const char *what, size_t row)
{
    if (!(fabs(a - b) <= 1e-7 * fabs(b) + abs))
        fail_msg("%s, row %zu: %.10g against %.10g", what, row + 2, a, b);
}

/* Each observation's PRED and IPRED are the curves' at its day (the same
 * day, as both files print it). */
static void traj_passes_through_obs(void **state)
{
    fixture *fx = *state;
    assert_int_equal(fx->obs.n_row, 132);
    for (size_t r = 0; r < fx->obs.n_row; r++) {
        size_t k = 0;
        while (k < fx->traj.n_row &&
               (strcmp(field(&fx->traj, k, "patient"), field(&fx->obs, r, "patient")) ||
                strcmp(field(&fx->traj, k, "observable"), field(&fx->obs, r, "observable")) ||
                strcmp(field(&fx->traj, k, "day"), field(&fx->obs, r, "day"))))
            k++;
        if (k == fx->traj.n_row)
            fail_msg("popfit_obs.csv row %zu: its day is not on the curves' grid", r + 2);
        near(num(&fx->traj, k, "pred"), num(&fx->obs, r, "pred"), 1e-12, "PRED", r);
        near(num(&fx->traj, k, "ipred"), num(&fx->obs, r, "ipred"), 1e-12, "IPRED", r);
    }
}

/* One oral dose of dose_mg at day 0: the Bateman function (mg/L) at t_day
 * with ka (1/h), CL (L/h), V (L at 80 kg, scaled by weight). */
static double bateman(double dose_mg, double ka_per_h, double cl_L_per_h, double v80_L,
                      double weight_kg, double t_day)
{
    double v_L = v80_L * weight_kg / 80.0, k_per_h = cl_L_per_h / v_L, t_h = 24.0 * t_day;
    return dose_mg * ka_per_h / (v_L * (ka_per_h - k_per_h)) *
           (exp(-k_per_h * t_h) - exp(-ka_per_h * t_h));
}

/* Every point of the curves against the closed form; each subject's grid
 * ascending, from its dose to its last observation, 200 points or more. */
static void traj_is_the_closed_form(void **state)
{
    fixture *fx = *state;
    const pk_popfit_result *res = &fx->res;
    size_t r = 0;
    for (size_t i = 0; i < N_SUB; i++) {
        const pk_patient *p = &fx->pt[i];
        const pk_fit_problem *fp = &fx->pf.fp[i];
        assert_int_equal(fp->n_doses, 1);
        assert_true(fp->doses[0].t_day == 0);
        double typ[3], ebe[3];
        for (int j = 0; j < 3; j++) {
            assert_int_equal(fx->pf.kind[j], PK_PRIOR_LOGNORMAL);
            typ[j] = exp(res->mu[j]);
            ebe[j] = exp(res->ebe[i * res->p + (size_t)j]);
        }
        size_t first = r;
        double last = -1;
        for (; r < fx->traj.n_row && !strcmp(field(&fx->traj, r, "patient"), p->id); r++) {
            double t = num(&fx->traj, r, "day");
            assert_true(t > last);
            last = t;
            double d = fp->doses[0].amount_mg, w = p->weight_kg;
            near(num(&fx->traj, r, "pred"), bateman(d, typ[0], typ[1], typ[2], w, t), 1e-7,
                 "PRED against the Bateman function", r);
            near(num(&fx->traj, r, "ipred"), bateman(d, ebe[0], ebe[1], ebe[2], w, t), 1e-7,
                 "IPRED against the Bateman function", r);
        }
        assert_true(r - first >= PK_POPFIT_TRAJ_POINTS);
        assert_true(num(&fx->traj, first, "day") == 0);
        assert_true(fabs(last - p->obs[p->n_obs - 1].t_day) < 1e-9); /* as %.10g prints it */
    }
    assert_int_equal(r, fx->traj.n_row);
}

/* ---- the figures ---- */

static int exists(const char *dir, const char *name)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 && st.st_size > 0;
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *s = calloc((size_t)n + 1, 1);
    if (fread(s, 1, (size_t)n, f) != (size_t)n)
        fail_msg("cannot read %s", path);
    fclose(f);
    *len = (size_t)n;
    return s;
}

/* The script's code with its single-quoted literals cut out (each must
 * end on its line): gnuplot runs no text of the inputs when none of it is
 * here, and a backquote (a shell command) is nowhere outside them. */
static void script_clean(const char *dir, const char *name, const char *const *words)
{
    size_t len;
    char *s = slurp(dir, name, &len), *code = calloc(len + 1, 1);
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\'') {
            code[k++] = s[i];
            continue;
        }
        for (i++;; i++) {
            if (i >= len || s[i] == '\n')
                fail_msg("%s: a literal does not end on its line", name);
            if (s[i] == '\'' && i + 1 < len && s[i + 1] == '\'')
                i++;
            else if (s[i] == '\'')
                break;
        }
        code[k++] = 'L';
    }
    for (const char *const *w = words; *w; w++)
        if (strstr(code, *w))
            fail_msg("%s: '%s' outside a literal", name, *w);
    if (strchr(code, '`'))
        fail_msg("%s: a backquote outside a literal", name);
    free(code);
    free(s);
}

static pk_plot_opts small_opts(void)
{
    pk_plot_opts o = pk_plot_default_opts();
    o.width = 800;
    o.height = 600;
    return o;
}

static void figures_and_scripts(void **state)
{
    fixture *fx = *state;
    if (!pk_gp_available())
        skip();
    char stale[128];
    snprintf(stale, sizeof stale, "%s/popfit_ind_7.png", fx->dir); /* an earlier run's page */
    FILE *f = fopen(stale, "w");
    assert_non_null(f);
    fputs("old", f);
    fclose(f);
    pk_plot_opts o = small_opts();
    pk_err err = {0};
    char written[512];
    if (pk_plot_path(fx->dir, &o, written, sizeof written, &err))
        fail_msg("plot: %s: %s", err.where, err.msg);
    static const char *const names[] = {"popfit_gof.png", "popfit_gof.gp",   "popfit_res.png",
                                        "popfit_res.gp",  "popfit_ind_1.png", "popfit_ind_1.gp"};
    for (size_t i = 0; i < 6; i++)
        if (!exists(fx->dir, names[i]))
            fail_msg("%s was not written", names[i]);
    assert_false(exists(fx->dir, "popfit_ind_7.png"));
    assert_false(exists(fx->dir, "popfit_ind_2.png"));
    static const char *const words[] = {"theoph_", "system", NULL};
    for (size_t i = 1; i < 6; i += 2)
        script_clean(fx->dir, names[i], words);
    /* by hand: gnuplot on the script in its directory draws the page again */
    size_t len;
    char *gp = slurp(fx->dir, "popfit_ind_1.gp", &len);
    assert_non_null(strstr(gp, "'popfit_traj.csv'"));
    char png[128];
    snprintf(png, sizeof png, "%s/popfit_ind_1.png", fx->dir);
    assert_int_equal(unlink(png), 0);
    assert_int_equal(pk_gp_run(gp, len, fx->dir, &err), PK_OK);
    assert_true(exists(fx->dir, "popfit_ind_1.png"));
    free(gp);
}

/* src/name copied to dst/name with every `from` replaced by `to`. */
static void copy_replacing(const char *src, const char *dst, const char *name, const char *from,
                           const char *to, const char *from2, const char *to2)
{
    size_t len;
    char *s = slurp(src, name, &len), path[512];
    snprintf(path, sizeof path, "%s/%s", dst, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (const char *c = s; *c;) {
        if (from && !strncmp(c, from, strlen(from))) {
            fputs(to, f);
            c += strlen(from);
        } else if (from2 && !strncmp(c, from2, strlen(from2))) {
            fputs(to2, f);
            c += strlen(from2);
        } else {
            fputc(*c++, f);
        }
    }
    fclose(f);
    free(s);
}

/* A directory whose CSVs were written by someone else: an id with both
 * quotes and gnuplot's system(), an observable name with system(). */
static void hostile_names_stay_text(void **state)
{
    fixture *fx = *state;
    if (!pk_gp_available())
        skip();
    char evil[128];
    snprintf(evil, sizeof evil, "%s/evil", fx->dir);
    assert_int_equal(mkdir(evil, 0700), 0);
    const char *id = "\"x\"\"y'.system('touch MARKER').'\",";   /* x"y'.system(...).' */
    const char *obs = ",c'.system('touch MARKER2').'`touch MARKER3`,";
    copy_replacing(fx->dir, evil, "popfit_obs.csv", "theoph_01_mg,", id, ",conc,", obs);
    copy_replacing(fx->dir, evil, "popfit_traj.csv", "theoph_01_mg,", id, ",conc,", obs);
    copy_replacing(fx->dir, evil, "popfit.ini", NULL, NULL, NULL, NULL);
    pk_plot_opts o = small_opts();
    pk_err err = {0};
    char written[512];
    if (pk_plot_path(evil, &o, written, sizeof written, &err))
        fail_msg("plot: %s: %s", err.where, err.msg);
    static const char *const markers[] = {"MARKER", "MARKER2", "MARKER3"};
    for (size_t i = 0; i < 3; i++) {
        char here[200];
        snprintf(here, sizeof here, "%s/%s", evil, markers[i]);
        assert_int_not_equal(access(here, F_OK), 0);
        assert_int_not_equal(access(markers[i], F_OK), 0);
    }
    static const char *const words[] = {"system", "MARKER", "touch", NULL};
    script_clean(evil, "popfit_gof.gp", words);
    script_clean(evil, "popfit_res.gp", words);
    script_clean(evil, "popfit_ind_1.gp", words);
    assert_true(exists(evil, "popfit_ind_1.png"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(traj_passes_through_obs),
        cmocka_unit_test(traj_is_the_closed_form),
        cmocka_unit_test(figures_and_scripts),
        cmocka_unit_test(hostile_names_stay_text),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
