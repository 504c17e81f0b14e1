/* pk_plot_sweep: a sweep directory's figures, drawn from its CSV files
 * alone, for any model: the leading read-outs of every scenario in rank
 * order (sweep_readouts), and the median daily dose, median trajectories
 * and the fraction of draws still free of the first event by day
 * (sweep_trajectories). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pk_csv.h"
#include "pk_plot_impl.h"

/* Okabe-Ito, then black: distinguishable with colour-vision deficiencies;
 * beyond eight scenarios the dash pattern changes. */
static const char *const palette[8] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                       "#E69F00", "#56B4E9", "#000000", "#F0E442"};

#define MAX_PANELS 6
#define MAX_SCEN 64

typedef struct sweep_data {
    pk_csv_text sw, tr, ev;
    int have_ev;
    char ref_sw[1200], ref_tr[1200], ref_ev[1200]; /* the CSVs as the scripts name them */
} sweep_data;

/* A read-out of sweep.csv: its name and the columns of its median and
 * 5/95% (c05 < 0: a probability). */
typedef struct readout_cols {
    char name[96];
    int c50, c05, c95;
} readout_cols;

/* The first n read-outs of sweep.csv, in its (the model's) order. */
static size_t readouts_of(const pk_csv_text *t, readout_cols *rc, size_t max)
{
    size_t n = 0;
    for (size_t c = 2; c < t->n_col && n < max; c++) {
        const char *nm = t->name[c];
        size_t len = strlen(nm);
        readout_cols r = {"", (int)c, -1, -1};
        if (len > 4 && !strcmp(nm + len - 4, "_p05"))
            continue;
        if (len > 4 && !strcmp(nm + len - 4, "_p95"))
            continue;
        if (len > 4 && !strcmp(nm + len - 4, "_p50")) {
            snprintf(r.name, sizeof r.name, "%.*s", (int)(len - 4), nm);
            char b[128];
            snprintf(b, sizeof b, "%s_p05", r.name);
            r.c05 = pk_csv_text_col(t, b);
            snprintf(b, sizeof b, "%s_p95", r.name);
            r.c95 = pk_csv_text_col(t, b);
        } else {
            snprintf(r.name, sizeof r.name, "%s", nm);
        }
        rc[n++] = r;
    }
    return n;
}

/* ---- read-outs: a forest plot per read-out, scenarios down the side ---- */

#define NAME_MAX_CHARS 34 /* a longer scenario name is cut on the read-out figure */

/* The longest scenario name (characters, at most NAME_MAX_CHARS). */
static int longest_name(const pk_csv_text *t, int isc)
{
    size_t n = 0;
    for (size_t i = 0; isc >= 0 && i < t->n_row; i++)
        n = strlen(t->s[i * t->n_col + isc]) > n ? strlen(t->s[i * t->n_col + isc]) : n;
    return n > NAME_MAX_CHARS ? NAME_MAX_CHARS : (int)n;
}

/* ytics naming the scenarios 1..n in rank order (first panel of a row),
 * or unlabelled (the others). */
static void scenario_tics(pk_gp_script *gs, const pk_csv_text *t, int isc, int named)
{
    if (!named || isc < 0) {
        fprintf(gs->f, "set ytics 1,1 format ''\n");
        return;
    }
    fprintf(gs->f, "set ytics (");
    for (size_t i = 0; i < t->n_row; i++) {
        const char *s = t->s[i * t->n_col + isc];
        char cut[NAME_MAX_CHARS + 4];
        snprintf(cut, sizeof cut, strlen(s) > NAME_MAX_CHARS ? "%.*s..." : "%.*s",
                 NAME_MAX_CHARS - 3, s);
        fprintf(gs->f, "%s%s %zu", i ? ", " : "", pk_gp_lit(gs, cut), i + 1);
    }
    fprintf(gs->f, ") noenhanced\n");
}

/* Panel k of an n-panel grid (three a row) beside a names column. */
static void grid_panel(FILE *g, const pk_plot_opts *o, int names, size_t k, size_t n,
                       const char *title_lit)
{
    int pt = plot_font_pt(o);
    double W = o->width, H = o->height, line = pt ? 1.65 * pt : 1, ch = pt ? 0.62 * pt : 1;
    size_t cols = n < 3 ? n : 3, rows = (n + cols - 1) / cols, r = k / cols, c = k % cols;
    /* a name's characters at about 0.75 em; a gap for the tic labels */
    double left = (names * (pt ? 0.75 * pt : 1) + 3 * ch) / W, right = 1 - 2 * ch / W;
    double gap = 6 * ch / W;
    double top = 1 - 2.2 * line / H, axis = 2.6 * line / H, head = 1.8 * line / H;
    double w = (right - left - (double)(cols - 1) * gap) / (double)cols;
    double h = (top - (double)rows * (head + axis)) / (double)rows;
    double x0 = left + (double)c * (w + gap), y1 = top - (double)r * (h + head + axis) - head;
    fprintf(g, "set lmargin at screen %.4f\nset rmargin at screen %.4f\nset tmargin at screen %.4f\n"
               "set bmargin at screen %.4f\nset label 9 %s at screen %.4f,%.4f center noenhanced\n",
            x0, x0 + w, y1, y1 - h, title_lit, x0 + w / 2, y1 + 0.6 * line / H);
}

/* Three or four tics over a read-out's 5-95% values. */
static double x_step(const pk_csv_text *t, const readout_cols *r)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < t->n_row; i++) {
        const double *row = t->v + i * t->n_col;
        lo = fmin(lo, fmin(row[r->c05], row[r->c50]));
        hi = fmax(hi, fmax(row[r->c95], row[r->c50]));
    }
    return plot_nice_step((hi - lo) / 2.5);
}

static void readouts_body(pk_gp_script *gs, const void *v, const pk_plot_opts *o)
{
    const sweep_data *d = v;
    const pk_csv_text *t = &d->sw;
    FILE *g = gs->f;
    readout_cols rc[MAX_PANELS];
    size_t n = readouts_of(t, rc, MAX_PANELS);
    int isc = pk_csv_text_col(t, "scenario"), names = longest_name(t, isc);
    fprintf(g, "set multiplot\nset label 1 'Read-outs of every scenario, best ranked first: median "
               "and 5-95%% of the draws; probabilities as bars' at screen 0.5,%.4f center "
               "noenhanced\n", 1 - 1.0 * (plot_font_pt(o) ? 1.65 * plot_font_pt(o) : 1) / o->height);
    fprintf(g, "set yrange [%zu.6:0.4]\nset grid xtics\nunset key\nset offsets graph 0.05, "
               "graph 0.05, 0, 0\n", t->n_row);
    for (size_t k = 0; k < n; k++) {
        grid_panel(g, o, names, k, n, pk_gp_lit(gs, rc[k].name));
        scenario_tics(gs, t, isc, k % 3 == 0);
        const char *data = pk_gp_lit(gs, d->ref_sw);
        if (rc[k].c05 < 0)
            fprintf(g, "set xrange [0:1.05]\nset xtics 0.5\nplot %s using (0):($0+1):(0):%s:($0+0.65):($0+1.35) "
                       "with boxxyerror fs solid 0.6 lc rgb '%s'\n", data,
                    pk_gp_lit(gs, t->name[rc[k].c50]), palette[0]);
        else
            fprintf(g, "set xrange [*:*]\nset xtics %.6g\nplot %s using %s:($0+1):%s:%s with xerrorbars pt 7 "
                       "ps 1.2 lw 1.5 lc rgb '%s'\n", x_step(t, &rc[k]), data, pk_gp_lit(gs, t->name[rc[k].c50]),
                    pk_gp_lit(gs, t->name[rc[k].c05]), pk_gp_lit(gs, t->name[rc[k].c95]),
                    palette[1]);
        fprintf(g, "unset label\n");
    }
    fprintf(g, "unset multiplot\n");
}

/* ---- trajectories: draw medians of every scenario, and the fraction
 * still free of the first event ---- */

/* The scenarios of a long table, in first-seen order, with their rows
 * [first, last] (a scenario's rows are contiguous); returns how many. */
static size_t scenarios_of(const pk_csv_text *t, int isc, const char **names, size_t *first,
                           size_t *last, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n_row; i++) {
        const char *s = t->s[i * t->n_col + isc];
        if (!n || strcmp(s, names[n - 1])) {
            if (n == max)
                break;
            first[n] = i;
            names[n++] = s;
        }
        last[n - 1] = i;
    }
    return n;
}

/* One line per scenario of column col of the CSV named data. */
static void lines(pk_gp_script *gs, const char *data, const char *col, size_t ns,
                  const size_t *first, const size_t *last, const char *style)
{
    fprintf(gs->f, "plot ");
    for (size_t k = 0; k < ns; k++) {
        fprintf(gs->f, "%s%s every ::%zu::%zu using 'day':", k ? ", " : "", pk_gp_lit(gs, data),
                first[k], last[k]);
        fprintf(gs->f, "%s with %s lw 2 dt %zu lc rgb '%s' notitle", pk_gp_lit(gs, col), style,
                1 + k / 8, palette[k % 8]);
    }
    fputc('\n', gs->f);
}

/* The columns of the trajectory panels: dose, then up to three _p50. */
static int trajectory_cols(const pk_csv_text *t, int *cols)
{
    int nc = 0;
    cols[nc++] = pk_csv_text_col(t, "dose_mg_per_day");
    for (size_t c = 0; c < t->n_col && nc < 4; c++) {
        size_t len = strlen(t->name[c]);
        if (len > 4 && !strcmp(t->name[c] + len - 4, "_p50"))
            cols[nc++] = (int)c;
    }
    return nc;
}

/* The dose axis: 0, half the largest dose and the largest. */
static void dose_axis(FILE *g, const pk_csv_text *t, int col)
{
    double top = 0;
    for (size_t i = 0; i < t->n_row; i++)
        top = fmax(top, t->v[i * t->n_col + col]);
    top = top > 0 ? top : 1;
    fprintf(g, "unset logscale y\nset yrange [0:%.6g]\nset ytics (0, %.6g, %.6g)\n", top * 1.25,
            top / 2, top);
}

static void trajectories_body(pk_gp_script *gs, const void *v, const pk_plot_opts *o)
{
    const sweep_data *d = v;
    const pk_csv_text *t = &d->tr;
    FILE *g = gs->f;
    const char *names[MAX_SCEN], *en[MAX_SCEN];
    size_t first[MAX_SCEN], last[MAX_SCEN], efirst[MAX_SCEN], elast[MAX_SCEN];
    size_t ns = scenarios_of(t, pk_csv_text_col(t, "scenario"), names, first, last, MAX_SCEN);
    int cols[4], nc = trajectory_cols(t, cols), ev = d->have_ev && d->ev.n_col > 2;
    if (ev && scenarios_of(&d->ev, pk_csv_text_col(&d->ev, "scenario"), en, efirst, elast,
                           MAX_SCEN) != ns)
        ev = 0;
    double w[PK_MAX_PANEL + 2] = {0.55, 1, 1, 1, 0.8};
    if (ev)
        w[nc] = 0.8;
    plot_stack st;
    int lc = 0;
    for (size_t k = 0; k < ns; k++)
        lc = (int)fmax(lc, fmin(40, (double)strlen(names[k])));
    plot_stack_layout(o, (size_t)(nc + ev), w, 1, (int)ns, lc, &st);
    fprintf(g, "set multiplot\nset grid\nset format y '%%g'\nset label 1 'Draw medians of every scenario' at screen "
               "0.5,%.4f center noenhanced\n", st.title_y[0]);
    for (int p = 0; p < nc; p++) {
        char label[128];
        size_t len = strlen(t->name[cols[p]]);
        snprintf(label, sizeof label, "%.*s (draw median)", (int)(p ? len - 4 : len),
                 t->name[cols[p]]);
        plot_stack_panel(g, &st, (size_t)p, (size_t)(nc + ev), pk_gp_lit(gs, label));
        if (p)
            fprintf(g, "set logscale y\nset yrange [*:*]\nset ytics autofreq\n");
        else
            dose_axis(g, t, cols[0]);
        lines(gs, d->ref_tr, t->name[cols[p]], ns, first, last, p ? "lines" : "steps");
        fprintf(g, "unset label\n");
    }
    if (ev) {
        char label[160];
        snprintf(label, sizeof label, "fraction of draws still event-free (%s)", d->ev.name[2]);
        plot_stack_panel(g, &st, (size_t)nc, (size_t)(nc + 1), pk_gp_lit(gs, label));
        fprintf(g, "unset logscale y\nset yrange [0:1.02]\nset ytics 0,0.5,1\n");
        lines(gs, d->ref_ev, d->ev.name[2], ns, efirst, elast, "steps");
    }
    plot_stack_legend(g, &st);
    for (size_t k = 0; k < ns; k++)
        fprintf(g, ", keyentry with lines lw 2 dt %zu lc rgb '%s' title %s", 1 + k / 8,
                palette[k % 8], pk_gp_lit(gs, names[k]));
    fprintf(g, "\nunset multiplot\n");
}

int pk_plot_sweep(const char *dir, const pk_plot_opts *o, char *written, size_t n_written,
                  pk_err *err)
{
    if (plot_ready(o, dir, err))
        return err->code;
    char a[1100], b[1100], c[1100];
    snprintf(a, sizeof a, "%s/sweep.csv", dir);
    snprintf(b, sizeof b, "%s/sweep_trajectories.csv", dir);
    snprintf(c, sizeof c, "%s/sweep_events.csv", dir);
    sweep_data d;
    memset(&d, 0, sizeof d);
    pk_err e2 = {0};
    if (pk_csv_read_text(a, &d.sw, err))
        return err->code;
    if (pk_csv_read_text(b, &d.tr, err)) {
        pk_csv_text_free(&d.sw);
        return err->code;
    }
    d.have_ev = pk_csv_read_text(c, &d.ev, &e2) == PK_OK; /* older sweeps have none */
    int rc = PK_OK;
    if (pk_csv_text_col(&d.sw, "scenario") < 0 || pk_csv_text_col(&d.tr, "scenario") < 0 ||
        pk_csv_text_col(&d.tr, "day") < 0 || pk_csv_text_col(&d.tr, "dose_mg_per_day") < 0)
        rc = pk_err_set(err, PK_EINPUT, dir, "not a pksim sweep (scenario, day or dose columns "
                        "missing)");
    int dumb = strcmp(o->format, "dumb") == 0 || o->show;
    char out1[1200] = "", out2[1200] = "", w1[1200], w2[1200];
    if (!dumb) {
        snprintf(out1, sizeof out1, "%s/sweep_readouts.%s", dir, o->format);
        snprintf(out2, sizeof out2, "%s/sweep_trajectories.%s", dir, o->format);
    }
    plot_data_ref(a, out1, d.ref_sw, sizeof d.ref_sw);
    plot_data_ref(b, out2, d.ref_tr, sizeof d.ref_tr);
    plot_data_ref(c, out2, d.ref_ev, sizeof d.ref_ev);
    if (rc == PK_OK)
        rc = plot_run(o, out1, a, readouts_body, &d, w1, sizeof w1, err);
    if (rc == PK_OK)
        rc = plot_run(o, out2, b, trajectories_body, &d, w2, sizeof w2, err);
    if (rc == PK_OK)
        snprintf(written, n_written, "%s and %s", w1, w2);
    pk_csv_text_free(&d.sw);
    pk_csv_text_free(&d.tr);
    if (d.have_ev)
        pk_csv_text_free(&d.ev);
    return rc;
}
