/* realpath (XSI) */
#define _XOPEN_SOURCE 700

#include "pk_plot.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "pk_csv.h"
#include "pk_gnuplot.h"
#include "pk_hash.h"
#include "pk_out.h"
#include "pk_plot_impl.h"

pk_plot_opts pk_plot_default_opts(void)
{
    pk_plot_opts o = {.format = "png", .width = 1200, .height = 900, .out = NULL, .show = 0};
    return o;
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

/* The terminal line of a figure of o's format and size. */
static void terminal(pk_gp_script *gs, const pk_plot_opts *o)
{
    FILE *g = gs->f;
    int pt = plot_font_pt(o);
    if (o->show)
        fprintf(g, "set terminal %s size %d,%d enhanced font 'Sans,%d' persist\n",
                plot_interactive_terminal(), o->width, o->height, pt);
    else if (strcmp(o->format, "svg") == 0)
        fprintf(g, "set terminal svg size %d,%d dynamic enhanced font 'Sans,%d' linewidth %.2f\n",
                o->width, o->height, pt, pt / 11.0);
    else if (strcmp(o->format, "pdf") == 0)
        fprintf(g, "set terminal pdfcairo size %.2fin,%.2fin enhanced font 'Sans,%d'\n",
                o->width / 120.0, o->height / 120.0, pt * 9 / 11);
    else if (strcmp(o->format, "dumb") == 0)
        fprintf(g, "set terminal dumb size %d,%d\n", o->width, o->height);
    else
        fprintf(g, "set terminal pngcairo size %d,%d enhanced font 'Sans,%d' linewidth %.2f\n",
                o->width, o->height, pt, pt / 11.0);
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

/* The patient file a simulation in dir came from: the input its
 * simulation.run.json names, when it is still there (the path as given to
 * simulate, from here) with the SHA-256 recorded.  1 when p was loaded. */
static int simulated_patient(const char *dir, pk_patient *p)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/simulation.run.json", dir);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    json_t *in = root ? json_object_get(root, "inputs_sha256") : NULL;
    const char *key;
    json_t *val;
    int have = 0;
    json_object_foreach(in, key, val)
    {
        char hex[PK_SHA256_HEX];
        pk_err e = {0};
        if (!have && json_is_string(val) && pk_sha256_file(key, hex, &e) == PK_OK &&
            strcmp(hex, json_string_value(val)) == 0) {
            have = pk_patient_load(key, p, &e) == PK_OK;
            if (!have)
                pk_patient_free(p);
        }
    }
    json_decref(root);
    return have;
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
        snprintf(swp, sizeof swp, "%s/popfit_obs.csv", path);
        if (access(swp, R_OK) == 0)
            return pk_plot_popfit(path, o, written, n_written, err);
        snprintf(dir, sizeof dir, "%s", path);
        snprintf(csv, sizeof csv, "%s/fit.csv", path);
        if (access(csv, R_OK) != 0)
            snprintf(csv, sizeof csv, "%s/simulation.csv", path);
        if (access(csv, R_OK) != 0)
            return pk_err_set(err, PK_EINPUT, path, "holds no sweep.csv, popfit_obs.csv, fit.csv "
                              "or simulation.csv");
    } else {
        snprintf(csv, sizeof csv, "%s", path);
        char *slash = strrchr(csv, '/');
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - csv) : 1, slash ? csv : ".");
    }
    /* a fit's directory holds its fit.ini: observations and estimates; a
     * simulation's run record names its patient file */
    const char *base = strrchr(csv, '/');
    base = base ? base + 1 : csv;
    snprintf(ini, sizeof ini, "%s/fit.ini", dir);
    pk_patient p;
    int fit = strcmp(base, "fit.csv") == 0, have = 0;
    if (fit && access(ini, R_OK) == 0) {
        pk_err e2 = {0};
        have = pk_patient_load(ini, &p, &e2) == PK_OK;
        if (!have)
            pk_patient_free(&p);
    } else if (strcmp(base, "simulation.csv") == 0) {
        have = simulated_patient(dir, &p);
    }
    int rc = pk_plot_csv(csv, have ? &p : NULL, fit, o, written, n_written, err);
    if (have)
        pk_patient_free(&p);
    return rc;
}

/* The directory of path ("." without one) into dir. */
static void dir_of(const char *path, char *dir, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, n, ".");
    else if (slash == path)
        snprintf(dir, n, "/");
    else
        snprintf(dir, n, "%.*s", (int)(slash - path), path);
}

static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

void plot_data_ref(const char *csv, const char *out, char *ref, size_t n)
{
    char d1[1200], d2[1200], r1[PATH_MAX], r2[PATH_MAX];
    dir_of(csv, d1, sizeof d1);
    dir_of(out && out[0] ? out : csv, d2, sizeof d2);
    if (realpath(d1, r1) && realpath(d2, r2) && strcmp(r1, r2) == 0)
        snprintf(ref, n, "%s", base_of(csv));
    else if (realpath(csv, r1))
        snprintf(ref, n, "%s", r1);
    else
        snprintf(ref, n, "%s", csv);
}

/* The script that draws body's code into output (NULL: none): the
 * terminal, the output, the common settings, then the body. */
static int whole_script(const pk_plot_opts *o, const char *output, const pk_gp_script *body,
                        int header, pk_gp_script *gs, pk_err *err)
{
    if (pk_gp_script_open(gs, err))
        return err->code;
    if (header)
        fprintf(gs->f, "# Written by pksim %s.  Run gnuplot on this file in its directory to "
                       "draw the\n# figure again from the data files it names.\n", PKSIM_VERSION);
    terminal(gs, o);
    if (output)
        fprintf(gs->f, "set output %s\n", pk_gp_lit(gs, output));
    fprintf(gs->f, "set encoding utf8\nset datafile separator comma\nset datafile missing NaN\n");
    fwrite(body->buf, 1, body->len, gs->f);
    if (output)
        fprintf(gs->f, "set output\n");
    return pk_gp_script_close(gs, "plot", err);
}

/* out with its extension replaced by .gp, as a directory and a name. */
static void script_path(const char *out, char *dir, size_t nd, char *name, size_t nn)
{
    dir_of(out, dir, nd);
    const char *b = base_of(out), *dot = strrchr(b, '.');
    snprintf(name, nn, "%.*s.gp", dot && dot != b ? (int)(dot - b) : (int)strlen(b), b);
}

/* Writes the script beside the figure out, atomically. */
static int save_script(const char *out, const pk_gp_script *gs, pk_err *err)
{
    char dir[1200], name[1200];
    script_path(out, dir, sizeof dir, name, sizeof name);
    pk_out f;
    memset(&f, 0, sizeof f);
    if (pk_out_open(&f, dir, name, err))
        return err->code;
    fwrite(gs->buf, 1, gs->len, f.f);
    int rc = pk_out_commit(&f, err);
    pk_out_abort(&f);
    return rc;
}

/* Runs the script for out in run_dir through a temporary file beside out
 * (mkstemp), renamed into place when gnuplot succeeded.  An output that
 * cannot be written fails here, before gnuplot runs. */
static int draw(const pk_plot_opts *o, const char *out, const char *run_dir,
                const pk_gp_script *body, pk_err *err)
{
    char tmp[1200] = "";
    if (out[0]) {
        int fd = pk_out_mktemp(out, tmp, sizeof tmp, err);
        if (fd < 0)
            return err->code;
        close(fd);
    }
    pk_gp_script gs;
    int rc = whole_script(o, tmp[0] ? base_of(tmp) : NULL, body, 0, &gs, err);
    if (rc == PK_OK)
        rc = pk_gp_run(gs.buf, gs.len, run_dir, err);
    pk_gp_script_free(&gs);
    if (rc == PK_OK && tmp[0] && rename(tmp, out) != 0)
        rc = pk_err_set(err, PK_EIO, out, "cannot write: %s", strerror(errno));
    if (rc != PK_OK && tmp[0])
        unlink(tmp);
    return rc;
}

int plot_run(const pk_plot_opts *o, const char *out, const char *data, plot_body body,
             const void *ctx, char *written, size_t n_written, pk_err *err)
{
    pk_gp_script b, saved;
    memset(&saved, 0, sizeof saved);
    int rc = pk_gp_script_open(&b, err);
    if (rc == PK_OK) {
        body(&b, ctx, o);
        rc = pk_gp_script_close(&b, out[0] ? out : "plot", err);
    }
    int to_file = out[0] && !o->show;
    if (rc == PK_OK && (to_file || o->script_to))
        rc = whole_script(o, to_file ? base_of(out) : NULL, &b, 1, &saved, err);
    if (rc == PK_OK && o->script_to) {
        fwrite(saved.buf, 1, saved.len, o->script_to);
    } else if (rc == PK_OK) {
        char run_dir[1200];
        dir_of(to_file ? out : data, run_dir, sizeof run_dir);
        rc = draw(o, to_file ? out : "", run_dir, &b, err);
        if (rc == PK_OK && to_file)
            rc = save_script(out, &saved, err);
    }
    pk_gp_script_free(&b);
    pk_gp_script_free(&saved);
    if (rc == PK_OK)
        snprintf(written, n_written, "%s", out[0] ? out : "(standard output)");
    return rc;
}

/* ---- layout ---- */

double plot_nice_step(double span)
{
    if (!(span > 0) || !isfinite(span))
        return 1;
    double p = pow(10, floor(log10(span))), f = span / p;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

int plot_font_pt(const pk_plot_opts *o)
{
    if (strcmp(o->format, "dumb") == 0)
        return 0;
    double s = fmin(o->width / 1200.0, o->height / 900.0) * 11;
    return (int)fmin(fmax(round(s), 8), 20);
}

void plot_stack_layout(const pk_plot_opts *o, size_t n, const double *weight, int title_lines,
                       int n_entries, int label_chars, plot_stack *st)
{
    memset(st, 0, sizeof *st);
    int pt = st->font_pt = plot_font_pt(o);
    st->point_size = pt ? fmax(0.9, 1.3 * pt / 11.0) : 1;
    double W = o->width, H = o->height;
    /* a text line and a character in pixels (characters for dumb) */
    double line = pt ? 1.65 * pt : 1.0, ch = pt ? 0.62 * pt : 1.0;
    st->left = (7 * ch + 2.2 * line) / W;
    st->right = 1 - 2.5 * ch / W;
    /* gnuplot sizes a key column by its own (generous) text width estimate */
    double entry = (label_chars + 7) * (pt ? 0.78 * pt : 1.0);
    st->legend_cols = (int)fmax(1, fmin(n_entries, floor(0.96 * W / entry)));
    int rows = n_entries > 0 ? (n_entries + st->legend_cols - 1) / st->legend_cols : 0;
    double top_px = (title_lines + 0.5) * line, legend_px = rows ? (rows * 1.2 + 0.6) * line : 0;
    double gap_px = 1.6 * line, axis_px = 2.8 * line, sum = 0;
    for (size_t k = 0; k < n; k++)
        sum += weight[k];
    double avail = H - top_px - n * gap_px - axis_px - legend_px, y = H - top_px;
    for (int l = 0; l < title_lines && l < 2; l++)
        st->title_y[l] = 1 - (l + 0.75) * line / H;
    for (size_t k = 0; k < n; k++) {
        st->head[k] = (y - 0.8 * line) / H;
        y -= gap_px;
        st->top[k] = y / H;
        y -= fmax(avail, 0) * weight[k] / sum;
        st->bottom[k] = y / H;
    }
    st->legend_top = (legend_px - 0.3 * line) / H;
}

void plot_stack_panel(FILE *g, const plot_stack *st, size_t k, size_t n, const char *title_lit)
{
    fprintf(g, "set lmargin at screen %.4f\nset rmargin at screen %.4f\n"
               "set tmargin at screen %.4f\nset bmargin at screen %.4f\nunset title\n"
               "set label 9 %s at screen %.4f,%.4f center noenhanced\n",
            st->left, st->right, st->top[k], st->bottom[k], title_lit,
            (st->left + st->right) / 2, st->head[k]);
    if (k + 1 < n)
        fprintf(g, "set format x ''\nunset xlabel\n");
    else
        fprintf(g, "set format x '%%g'\nset xlabel 'day'\n");
}

void plot_stack_legend(FILE *g, const plot_stack *st)
{
    fprintf(g, "unset border\nunset tics\nunset grid\nunset xlabel\nunset ylabel\n"
               "unset title\nunset label\nunset arrow\nunset logscale\nset xrange [0:1]\n"
               "set yrange [0:1]\nset tmargin at screen %.4f\nset bmargin at screen 0\n"
               "set key at screen 0.5,%.4f center top horizontal maxcols %d reverse Left "
               "samplen 2.5 spacing 1.05 noenhanced noautotitle\n",
            fmax(st->legend_top, 0.002), st->legend_top, st->legend_cols);
    /* a plot of keyentry items alone trips an assertion of gnuplot 5.4: one
     * point outside the axes comes first */
    fprintf(g, "$pk_anchor << EOD\n-9,-9\nEOD\nplot $pk_anchor using 1:2 with dots notitle");
}
