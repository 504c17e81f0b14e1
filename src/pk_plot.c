#include "pk_plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pk_csv.h"
#include "pk_gnuplot.h"
#include "pk_out.h"
#include "pk_plot_impl.h"

/* Okabe-Ito colours: distinguishable with the common colour-vision
 * deficiencies. */
#define C_BLUE "#0072B2"
#define C_VERMILLION "#D55E00"
#define C_SKY "#56B4E9"
#define C_ORANGE "#E69F00"
#define C_GREEN "#009E73"
#define C_GREY "#555555"

#define BLAST_FLOOR 0.02 /* %: where a blast count of 0 is drawn on the log axis */

pk_plot_opts pk_plot_default_opts(void)
{
    pk_plot_opts o = {.format = "png", .width = 1200, .height = 900, .out = NULL, .show = 0};
    return o;
}

typedef struct {
    const pk_csv *t;
    int day, dose, band;
} cols;

/* Writes column `name` (and its _p05/_p95 when bands) as a datablock. */
static void datablock(FILE *g, const char *block, const cols *c, const char *name, int positive)
{
    int j = pk_csv_col(c->t, name);
    char n5[96], n95[96];
    snprintf(n5, sizeof n5, "%s_p05", name);
    snprintf(n95, sizeof n95, "%s_p95", name);
    int j5 = pk_csv_col(c->t, n5), j95 = pk_csv_col(c->t, n95);
    fprintf(g, "$%s << EOD\n", block);
    for (size_t i = 0; i < c->t->n_row; i++) {
        const double *r = c->t->v + i * c->t->n_col;
        double v = j >= 0 ? r[j] : NAN;
        if (positive && !(v > 0))
            continue; /* a log axis cannot show 0 */
        fprintf(g, "%.8g %.8g", r[c->day], v);
        if (j5 >= 0 && j95 >= 0)
            fprintf(g, " %.8g %.8g", positive ? fmax(r[j5], 1e-300) : r[j5], r[j95]);
        fputc('\n', g);
    }
    fprintf(g, "EOD\n");
}

/* Observations of one observable, in six blocks: below (<), exact and
 * above (>), each fitted or a `check` (kept as a model check, not fitted);
 * cnt gets the count of each (kind + 1, plus 3 for checks).  With floor >
 * 0 (a log axis) a value of 0 is drawn at floor. */
static void obs_blocks(FILE *g, const pk_patient *p, const char *obs, const char *tag,
                       double floor, int *cnt)
{
    int k = p ? pk_model_obs_index(p->model, obs) : -1;
    static const char *const kinds[3] = {"lt", "eq", "gt"};
    for (int chk = 0; chk <= 1; chk++)
        for (int c = -1; c <= 1; c++) {
            fprintf(g, "$%s_%s%s << EOD\n", tag, kinds[c + 1], chk ? "_chk" : "");
            int n = 0;
            for (size_t i = 0; p && k >= 0 && i < p->n_obs; i++)
                if (p->obs[i].obs == k && p->obs[i].censor == c && p->obs[i].check == chk) {
                    double v = p->obs[i].value;
                    fprintf(g, "%.8g %.8g\n", p->obs[i].t_day, floor > 0 && v <= 0 ? floor : v);
                    n++;
                }
            if (!n)
                fprintf(g, "NaN NaN\n"); /* gnuplot refuses an empty block */
            fprintf(g, "EOD\n");
            cnt[chk * 3 + c + 1] = n;
        }
}

/* The plot items of obs_blocks' non-empty blocks: filled markers for
 * fitted observations, hollow ones for checks, triangles for censored. */
static void obs_items(FILE *g, const pk_plot_opts *o, const char *tag, const int *cnt,
                      const char *colour, const char *label)
{
    static const char *const kinds[3] = {"lt", "eq", "gt"};
    int dumb = strcmp(o->format, "dumb") == 0;
    static const char *const filled[3] = {"pt 11 ps 1.6", "pt 7 ps 1.4", "pt 9 ps 1.6"};
    static const char *const hollow[3] = {"pt 10 ps 1.6", "pt 6 ps 1.4", "pt 8 ps 1.6"};
    static const char *const letters[3] = {"pt '&'", "pt '@'", "pt '^'"};
    for (int chk = 0; chk <= 1; chk++)
        for (int c = 0; c < 3; c++)
            if (cnt[chk * 3 + c])
                fprintf(g, ", $%s_%s%s using 1:2 with points %s lc rgb '%s' title '%s%s%s'", tag,
                        kinds[c], chk ? "_chk" : "",
                        dumb ? letters[c] : chk ? hollow[c] : filled[c], colour, label,
                        c == 0 ? " <" : c == 2 ? " >" : "", chk ? " (check, not fitted)" : "");
}

/* An interactive gnuplot terminal (qt, wxt or x11) when a display exists;
 * "" otherwise. */
const char *plot_interactive_terminal(void)
{
    static const char *const names[3] = {"qt", "wxt", "x11"};
    const char *disp = getenv("DISPLAY");
    if (!disp || !*disp)
        return "";
    FILE *g = popen("gnuplot -e 'set terminal' 2>&1", "r");
    if (!g)
        return "";
    char line[256];
    int found[3] = {0, 0, 0};
    while (fgets(line, sizeof line, g)) {
        char word[32];
        if (sscanf(line, " %31s", word) == 1)
            for (int k = 0; k < 3; k++)
                found[k] |= strcmp(word, names[k]) == 0;
    }
    pclose(g);
    for (int k = 0; k < 3; k++)
        if (found[k])
            return names[k];
    return "";
}

static void terminal(pk_gp_script *gs, const pk_plot_opts *o, const char *tmp)
{
    FILE *g = gs->f;
    if (o->show) {
        fprintf(g, "set terminal %s size %d,%d enhanced persist\n", plot_interactive_terminal(),
                o->width, o->height);
        return;
    }
    if (strcmp(o->format, "svg") == 0)
        fprintf(g, "set terminal svg size %d,%d dynamic enhanced font 'Sans,11'\n", o->width,
                o->height);
    else if (strcmp(o->format, "pdf") == 0)
        fprintf(g, "set terminal pdfcairo size %.2fin,%.2fin enhanced font 'Sans,9'\n",
                o->width / 120.0, o->height / 120.0);
    else if (strcmp(o->format, "dumb") == 0)
        fprintf(g, "set terminal dumb size %d,%d\n", o->width, o->height);
    else
        fprintf(g, "set terminal pngcairo size %d,%d enhanced font 'Sans,11'\n", o->width,
                o->height);
    if (tmp)
        fprintf(g, "set output %s\n", pk_gp_lit(gs, tmp));
}

typedef struct {
    const pk_csv *t;
    const pk_patient *p;
    int with_obs;
} traj_ctx;


/* The four-panel figure of a trajectory CSV (simulate or fit). */
static void script(pk_gp_script *gs, const void *v, const pk_plot_opts *o)
{
    FILE *g = gs->f;
    const traj_ctx *tc = v;
    const pk_csv *t = tc->t;
    const pk_patient *p = tc->p;
    int with_obs = tc->with_obs;
    cols c = {t, pk_csv_col(t, "day"), pk_csv_col(t, "dose_mg_per_day"),
              pk_csv_col(t, "wbc_p05") >= 0};
    const pk_patient *op = with_obs ? p : NULL;
    double last = t->v[(t->n_row - 1) * t->n_col + c.day];
    /* EC50 and IC90 of I(C) from the parameters (prior medians without) */
    double ec50 = 0.0693, hill = 1;
    char title[512] = "pksim";
    if (p) {
        double th[PK_MAX_PARAM];
        pk_patient_theta(p, th);
        int je = pk_model_param_index(p->model, "EC50_mg_per_L");
        int jh = pk_model_param_index(p->model, "hill");
        if (je >= 0)
            ec50 = th[je];
        if (jh >= 0)
            hill = th[jh];
        int len = snprintf(title, sizeof title, "%s%s", p->id, c.band ? ": MAP fit" : "");
        for (size_t j = 0; j < p->model->n_param && len < 400; j++)
            if (p->has_map[j])
                len += snprintf(title + len, sizeof title - len, "%s %s = %.3g",
                                len > (int)strlen(p->id) + 9 ? "," : "", p->model->param[j].name,
                                p->map[j]);
    }
    double ic90 = ec50 * pow(9.0, 1.0 / hill);
    fprintf(g, "$dose << EOD\n");
    for (size_t i = 0; i < t->n_row; i++)
        fprintf(g, "%.8g %.8g\n", t->v[i * t->n_col + c.day],
                c.dose >= 0 ? t->v[i * t->n_col + c.dose] : 0.0);
    fprintf(g, "EOD\n");
    datablock(g, "conc", &c, "conc_mg_per_L", 1);
    datablock(g, "wbc", &c, "wbc", 1);
    datablock(g, "pb", &c, "blast_pb_pct", 1);
    datablock(g, "bm", &c, "blast_bm_pct", 1);
    int nw[6], npb[6], nbm[6], nc[6];
    obs_blocks(g, op, "wbc", "owbc", 0, nw);
    obs_blocks(g, op, "blast_pb_pct", "opb", BLAST_FLOOR, npb);
    obs_blocks(g, op, "blast_bm_pct", "obm", BLAST_FLOOR, nbm);
    obs_blocks(g, op, "conc", "oconc", 0, nc);
    int dumb = strcmp(o->format, "dumb") == 0;
    fprintf(g, "set multiplot layout 4,1 title %s noenhanced\n", pk_gp_lit(gs, title));
    /* fixed margins keep the panels' day axes aligned; keys sit outside
     * the plots so that they never hide data */
    fprintf(g, "set lmargin at screen 0.09\nset rmargin at screen %s\nset xrange [0:%g]\n"
               "set grid\nset key outside right top noenhanced maxrows 8 spacing 0.9%s\n",
            dumb ? "0.72" : "0.75", last > 0 ? last : 1, dumb ? "" : " font ',9'");
    fprintf(g, "set format x ''\nunset xlabel\n");
    /* 1: dose */
    fprintf(g, "set title 'Daily dose'\nset ylabel 'dose (mg/day)'\nset yrange [0:1000]\n"
               "plot $dose using 1:2 with steps lw 2 lc rgb '%s' title 'sorafenib'\n", C_BLUE);
    /* 2: concentration */
    fprintf(g, "set title 'Plasma sorafenib'\nset ylabel 'concentration (mg/L)'\nset logscale y\n"
               "set yrange [0.01:*]\n");
    fprintf(g, "plot $conc using 1:2 with lines lw 2 lc rgb '%s' title 'C (MAP)'", C_BLUE);
    if (c.band)
        fprintf(g, ", $conc using 1:3:4 with filledcurves fc rgb '%s' fs transparent solid 0.3 "
                   "title '90%% band'", C_SKY);
    fprintf(g, ", %.6g with lines dt 2 lw 1.5 lc rgb '%s' title 'FLT3-ITD EC50 %.3g mg/L', "
               "%.6g with lines dt 3 lw 1.5 lc rgb '%s' title 'IC90 %.3g mg/L'",
            ec50, C_GREY, ec50, ic90, C_ORANGE, ic90);
    obs_items(g, o, "oconc", nc, C_VERMILLION, "observed");
    fputc('\n', g);
    /* 3: WBC */
    fprintf(g, "set title 'White blood cells'\nset ylabel 'WBC (10^9/L)'\nset yrange [*:*]\n");
    fprintf(g, "plot ");
    if (c.band)
        fprintf(g, "$wbc using 1:3:4 with filledcurves fc rgb '%s' fs transparent solid 0.3 "
                   "title '90%% band', ", C_SKY);
    fprintf(g, "$wbc using 1:2 with lines lw 2 lc rgb '%s' title 'WBC', "
               "1.0 with lines dt 2 lc rgb '%s' title 'grade IV (1.0)'",
            C_BLUE, C_GREY);
    obs_items(g, o, "owbc", nw, C_VERMILLION, "observed");
    fputc('\n', g);
    /* 4: blasts */
    /* a log axis: the low percentages decide response and relapse; a count
     * of 0 is drawn at the floor, and the panel says so */
    fprintf(g, "set logscale y\nset yrange [%g:105]\nset title 'Blasts (0%% drawn at %g%%)'\n"
               "set ylabel 'blasts (%% of cells)'\nset format x '%%g'\nset xlabel 'day'\n",
            BLAST_FLOOR / 2, BLAST_FLOOR);
    fprintf(g, "plot ");
    if (c.band)
        fprintf(g, "$pb using 1:3:4 with filledcurves fc rgb '%s' fs transparent solid 0.3 "
                   "title 'blood 90%% band', $bm using 1:3:4 with filledcurves fc rgb '%s' fs "
                   "transparent solid 0.25 title 'marrow 90%% band', ",
                C_SKY, C_ORANGE);
    fprintf(g, "$pb using 1:2 with lines lw 2 lc rgb '%s' title 'blood (PB)', "
               "$bm using 1:2 with lines lw 2 dt 4 lc rgb '%s' title 'marrow (BM)'",
            C_BLUE, C_VERMILLION);
    obs_items(g, o, "opb", npb, C_BLUE, "blood observed");
    obs_items(g, o, "obm", nbm, C_VERMILLION, "marrow observed");
    fprintf(g, "\nunset multiplot\n");
}

/* The options every figure checks before anything runs: a known format,
 * an --out whose extension agrees with it, a size the terminal can draw. */
static int plot_check_opts(const pk_plot_opts *o, pk_err *err)
{
    static const char *const fmts[] = {"png", "svg", "pdf", "dumb"};
    int ok = 0;
    for (size_t i = 0; i < 4; i++)
        ok |= strcmp(o->format, fmts[i]) == 0;
    if (!ok)
        return pk_err_set(err, PK_EINPUT, "--format", "'%s' is not png, svg, pdf or dumb",
                          o->format);
    for (const char *c = o->out; c && *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return pk_err_set(err, PK_EINPUT, "--out", "the path holds a control character");
    const char *ext = o->out ? strrchr(o->out, '.') : NULL;
    if (ext && !strchr(ext, '/') && strcmp(o->format, "dumb") != 0 && strcmp(ext + 1, o->format)) {
        for (size_t i = 0; i < 3; i++)
            if (strcmp(ext + 1, fmts[i]) == 0)
                return pk_err_set(err, PK_EINPUT, "--out",
                                  "'%s' names a .%s file but the format is %s (give --format %s)",
                                  o->out, fmts[i], o->format, fmts[i]);
    }
    int dumb = strcmp(o->format, "dumb") == 0;
    int wmin = dumb ? 20 : 200, hmin = dumb ? 10 : 150, wmax = dumb ? 1000 : 8000;
    if (o->width < wmin || o->height < hmin || o->width > wmax || o->height > wmax)
        return pk_err_set(err, PK_EINPUT, "--size", "%dx%d is outside %dx%d to %dx%d %s",
                          o->width, o->height, wmin, hmin, wmax, wmax,
                          dumb ? "characters" : "pixels");
    return PK_OK;
}

/* Any model's figure: the daily dose, then one panel per observable whose
 * column the CSV has (the model's observed ones when the patient is known,
 * else the concentration), on a log axis, with its 90% band and the
 * observations where there are some. */
static void generic_script(pk_gp_script *gs, const void *v, const pk_plot_opts *o)
{
    const traj_ctx *tc = v;
    const pk_csv *t = tc->t;
    const pk_patient *p = tc->p;
    FILE *g = gs->f;
    cols c = {t, pk_csv_col(t, "day"), pk_csv_col(t, "dose_mg_per_day"),
              pk_csv_col(t, t->name[2]) >= 0};
    const char *names[PK_MAX_OBS], *obs[PK_MAX_OBS];
    size_t n = 0;
    if (p) {
        for (size_t k = 0; k < p->model->n_obs && n < 3; k++)
            if (p->model->obs[k].error != PK_ERRMODEL_NONE &&
                pk_csv_col(t, p->model->obs[k].column) >= 0) {
                names[n] = p->model->obs[k].column;
                obs[n++] = p->model->obs[k].name;
            }
    } else if (t->n_col > 2) {
        names[n] = t->name[2];
        obs[n++] = "";
    }
    double last = t->v[(t->n_row - 1) * t->n_col + c.day];
    fprintf(g, "$dose << EOD\n");
    for (size_t i = 0; i < t->n_row; i++)
        fprintf(g, "%.8g %.8g\n", t->v[i * t->n_col + c.day],
                c.dose >= 0 ? t->v[i * t->n_col + c.dose] : 0.0);
    fprintf(g, "EOD\n");
    char block[16], tag[16];
    for (size_t k = 0; k < n; k++) {
        snprintf(block, sizeof block, "y%zu", k);
        datablock(g, block, &c, names[k], 1);
    }
    int cnt[PK_MAX_OBS][6];
    for (size_t k = 0; k < n; k++) {
        snprintf(tag, sizeof tag, "o%zu", k);
        obs_blocks(g, tc->with_obs ? p : NULL, obs[k], tag, 0, cnt[k]);
    }
    fprintf(g, "set multiplot layout %zu,1 title %s noenhanced\n", n + 1,
            pk_gp_lit(gs, p ? p->id : "pksim"));
    fprintf(g, "set lmargin at screen 0.10\nset rmargin at screen 0.95\nset xrange [0:%g]\n"
               "set grid\nset key inside top right noenhanced%s\n",
            last > 0 ? last : 1, strcmp(o->format, "dumb") ? " font ',9'" : "");
    fprintf(g, "set title 'Daily dose'\nset ylabel 'dose (mg/day)'\nset yrange [0:*]\n"
               "plot $dose using 1:2 with steps lw 2 lc rgb '%s' title 'dose'\n", C_BLUE);
    for (size_t k = 0; k < n; k++) {
        fprintf(g, "set title %s noenhanced\nset ylabel %s noenhanced\nset logscale y\n"
                   "set yrange [*:*]\n%s\n", pk_gp_lit(gs, names[k]), pk_gp_lit(gs, names[k]),
                k + 1 == n ? "set xlabel 'day'" : "unset xlabel");
        fprintf(g, "plot $y%zu using 1:2 with lines lw 2 lc rgb '%s' title '%s'", k, C_BLUE,
                c.band ? "MAP" : p ? "simulated" : "simulated");
        if (c.band)
            fprintf(g, ", $y%zu using 1:3:4 with filledcurves fc rgb '%s' fs transparent solid "
                       "0.3 title '90%% band (parameters)'", k, C_SKY);
        snprintf(tag, sizeof tag, "o%zu", k);
        obs_items(g, o, tag, cnt[k], C_VERMILLION, "observed");
        fputc('\n', g);
    }
    fprintf(g, "unset multiplot\n");
}

int plot_ready(const pk_plot_opts *o, const char *data, pk_err *err)
{
    if (plot_check_opts(o, err))
        return err->code;
    if (!o->script_to && !pk_gp_available())
        return pk_err_set(err, PK_ENOGNUPLOT, "",
                          "gnuplot is not installed (apt-get install gnuplot-nox); the data in "
                          "%s are kept", data);
    if (o->show && !*plot_interactive_terminal())
        return pk_err_set(err, PK_ENOGNUPLOT, "--show",
                          "no display or no interactive gnuplot terminal (Debian's gnuplot-nox has "
                          "none: gnuplot-qt or gnuplot-x11 provides one); write a file instead "
                          "(the default)");
    return PK_OK;
}

int pk_plot_csv(const char *csv, const pk_patient *p, int with_obs, const pk_plot_opts *o,
                char *written, size_t n_written, pk_err *err)
{
    if (plot_ready(o, csv, err))
        return err->code;
    pk_csv t;
    if (pk_csv_read(csv, &t, err))
        return err->code;
    if (pk_csv_col(&t, "day") != 0 || pk_csv_col(&t, "dose_mg_per_day") != 1 || t.n_col < 3) {
        pk_csv_free(&t);
        return pk_err_set(err, PK_EINPUT, csv, "not a pksim trajectory (day, dose_mg_per_day "
                          "and an output first)");
    }
    /* sorafenib_flt3's four panels with its reference lines; any other
     * model's observables in a panel each */
    int leukemia = pk_csv_col(&t, "wbc") >= 0 && pk_csv_col(&t, "blast_pb_pct") >= 0;
    int dumb = strcmp(o->format, "dumb") == 0 || o->show;
    char out[1024] = "";
    if (o->out && !o->show)
        snprintf(out, sizeof out, "%s", o->out);
    else if (!dumb) {
        snprintf(out, sizeof out, "%s", csv);
        char *dot = strrchr(out, '.');
        if (dot && !strchr(dot, '/'))
            *dot = 0;
        snprintf(out + strlen(out), sizeof out - strlen(out), ".%s", o->format);
    }
    traj_ctx tc = {&t, p, with_obs};
    int rc = plot_run(o, out, leukemia ? script : generic_script, &tc, written, n_written, err);
    pk_csv_free(&t);
    return rc;
}

int pk_plot_path(const char *path, const pk_plot_opts *o, char *written, size_t n_written,
                 pk_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return pk_err_set(err, PK_EINPUT, path, "cannot open: %s", strerror(errno));
    char csv[1024], ini[1100], dir[1024];
    if (S_ISDIR(st.st_mode)) {
        char swp[1100];
        snprintf(swp, sizeof swp, "%s/sweep.csv", path);
        if (access(swp, R_OK) == 0)
            return pk_plot_sweep(path, o, written, n_written, err);
        snprintf(dir, sizeof dir, "%s", path);
        snprintf(csv, sizeof csv, "%s/fit.csv", path);
        if (access(csv, R_OK) != 0)
            snprintf(csv, sizeof csv, "%s/simulation.csv", path);
        if (access(csv, R_OK) != 0)
            return pk_err_set(err, PK_EINPUT, path, "holds neither fit.csv nor simulation.csv");
    } else {
        snprintf(csv, sizeof csv, "%s", path);
        char *slash = strrchr(csv, '/');
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - csv) : 1, slash ? csv : ".");
    }
    /* a fit's directory holds its fit.ini: observations and estimates */
    const char *base = strrchr(csv, '/');
    base = base ? base + 1 : csv;
    snprintf(ini, sizeof ini, "%s/fit.ini", dir);
    pk_patient p;
    int have = 0;
    if (strcmp(base, "fit.csv") == 0 && access(ini, R_OK) == 0) {
        pk_err e2 = {0};
        have = pk_patient_load(ini, &p, &e2) == PK_OK;
        if (!have)
            pk_patient_free(&p);
    }
    int rc = pk_plot_csv(csv, have ? &p : NULL, 1, o, written, n_written, err);
    if (have)
        pk_patient_free(&p);
    return rc;
}

/* Draws the script written by body into out ("" = standard output, for
 * dumb): through a temporary file made by mkstemp beside out, renamed into
 * place when gnuplot succeeded.  An output that cannot be written fails
 * here, before gnuplot runs. */
int plot_run(const pk_plot_opts *o, const char *out, plot_body body, const void *ctx,
             char *written, size_t n_written, pk_err *err)
{
    int dumb = strcmp(o->format, "dumb") == 0;
    char tmp[1200] = "";
    if (o->script_to)
        snprintf(tmp, sizeof tmp, "%s", out);
    else if (out[0]) {
        int fd = pk_out_mktemp(out, tmp, sizeof tmp, err);
        if (fd < 0)
            return err->code;
        close(fd);
    }
    pk_gp_script gs;
    int rc = pk_gp_script_open(&gs, err);
    if (rc == PK_OK) {
        terminal(&gs, o, tmp[0] ? tmp : NULL);
        fprintf(gs.f, "set encoding utf8\nset datafile missing NaN\nset grid\n");
        body(&gs, ctx, o);
        if (!dumb)
            fprintf(gs.f, "set output\n");
        rc = pk_gp_script_close(&gs, out[0] ? out : "plot", err);
    }
    if (rc == PK_OK && o->script_to) {
        fwrite(gs.buf, 1, gs.len, o->script_to);
        pk_gp_script_free(&gs);
        snprintf(written, n_written, "%s", out);
        return PK_OK;
    }
    if (rc == PK_OK)
        rc = pk_gp_run(gs.buf, gs.len, err);
    pk_gp_script_free(&gs);
    if (rc == PK_OK && tmp[0] && rename(tmp, out) != 0)
        rc = pk_err_set(err, PK_EIO, out, "cannot write: %s", strerror(errno));
    if (rc != PK_OK) {
        if (tmp[0])
            unlink(tmp);
        return rc;
    }
    snprintf(written, n_written, "%s", out[0] ? out : "(standard output)");
    return PK_OK;
}

