/* pk_plot_sweep: a sweep directory's figures, drawn from its CSV files
 * alone, for any model: the leading read-outs of every scenario in rank
 * order (sweep_readouts), and the median daily dose, median trajectories
 * and the fraction of draws still free of the first event by day
 * (sweep_trajectories). */
#include <math.h>
#include <stdio.h>
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

/* xtics naming the scenarios 1..n in rank order. */
static void scenario_tics(pk_gp_script *gs, const pk_csv_text *t, int isc)
{
    fprintf(gs->f, "set xtics (");
    for (size_t i = 0; i < t->n_row; i++)
        fprintf(gs->f, "%s%s %zu", i ? ", " : "", pk_gp_lit(gs, t->s[i * t->n_col + isc]),
                i + 1);
    fprintf(gs->f, ") rotate by 30 right noenhanced\n");
}

static void readouts_body(pk_gp_script *gs, const void *v, const pk_plot_opts *o)
{
    const pk_csv_text *t = &((const sweep_data *)v)->sw;
    FILE *g = gs->f;
    readout_cols rc[MAX_PANELS];
    size_t n = readouts_of(t, rc, MAX_PANELS);
    int isc = pk_csv_text_col(t, "scenario");
    for (size_t k = 0; k < n; k++) {
        fprintf(g, "$r%zu << EOD\n", k);
        for (size_t i = 0; i < t->n_row; i++) {
            const double *row = t->v + i * t->n_col;
            fprintf(g, "%zu %.8g %.8g %.8g\n", i + 1, row[rc[k].c50],
                    rc[k].c05 >= 0 ? row[rc[k].c05] : NAN, rc[k].c95 >= 0 ? row[rc[k].c95] : NAN);
        }
        fprintf(g, "EOD\n");
    }
    int dumb = strcmp(o->format, "dumb") == 0;
    fprintf(g, "set multiplot layout 2,3 title 'Read-outs of every scenario, best ranked first "
               "(median and 5-95%% of the draws; probabilities as bars)' noenhanced\n");
    fprintf(g, "set xrange [0.4:%zu.6]\nset grid ytics\nunset key\nset bmargin 6\n%s",
            t->n_row, dumb ? "" : "set tics font ',8'\n");
    if (isc >= 0)
        scenario_tics(gs, t, isc);
    for (size_t k = 0; k < n; k++) {
        fprintf(g, "set title %s noenhanced\n", pk_gp_lit(gs, rc[k].name));
        if (rc[k].c05 < 0)
            fprintf(g, "set yrange [0:1.05]\nset boxwidth 0.7\nplot $r%zu using 1:2 with boxes fs solid 0.6 "
                       "lc rgb '%s'\n", k, palette[0]);
        else
            fprintf(g, "set yrange [*:*]\nplot $r%zu using 1:2:3:4 with yerrorbars pt 7 ps 1.2 "
                       "lw 1.5 lc rgb '%s'\n", k, palette[1]);
    }
    fprintf(g, "unset multiplot\n");
}

/* The scenarios of a long table, in first-seen order; returns how many. */
static size_t scenarios_of(const pk_csv_text *t, int isc, const char **names, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n_row && n < max; i++) {
        const char *s = t->s[i * t->n_col + isc];
        if (!n || strcmp(s, names[n - 1]))
            names[n++] = s;
    }
    return n;
}

/* One datablock per scenario: columns x and the given columns. */
static void blocks(FILE *g, const char *tag, const pk_csv_text *t, int isc, int ix,
                   const int *cols, size_t n_cols, const char **names, size_t ns)
{
    for (size_t k = 0; k < ns; k++) {
        fprintf(g, "$%s%zu << EOD\n", tag, k);
        for (size_t i = 0; i < t->n_row; i++) {
            if (strcmp(t->s[i * t->n_col + isc], names[k]))
                continue;
            fprintf(g, "%.8g", t->v[i * t->n_col + ix]);
            for (size_t c = 0; c < n_cols; c++)
                fprintf(g, " %.8g", t->v[i * t->n_col + cols[c]]);
            fputc('\n', g);
        }
        fprintf(g, "EOD\n");
    }
}

static void lines(pk_gp_script *gs, const char *tag, size_t ns, int col, const char *style,
                  const char **names, int titles)
{
    fprintf(gs->f, "plot ");
    for (size_t k = 0; k < ns; k++)
        fprintf(gs->f, "%s$%s%zu using 1:%d with %s lw 2 dt %zu lc rgb '%s' title %s",
                k ? ", " : "", tag, k, col, style, 1 + k / 8, palette[k % 8],
                titles ? pk_gp_lit(gs, names[k]) : "''");
    fputc('\n', gs->f);
}

static void trajectories_body(pk_gp_script *gs, const void *v, const pk_plot_opts *o)
{
    const sweep_data *d = v;
    const pk_csv_text *t = &d->tr;
    FILE *g = gs->f;
    int isc = pk_csv_text_col(t, "scenario"), iday = pk_csv_text_col(t, "day");
    const char *names[MAX_SCEN];
    size_t ns = scenarios_of(t, isc, names, MAX_SCEN);
    int cols[8], nc = 0;
    cols[nc++] = pk_csv_text_col(t, "dose_mg_per_day");
    for (size_t c = 0; c < t->n_col && nc < 4; c++) {
        size_t len = strlen(t->name[c]);
        if (len > 4 && !strcmp(t->name[c] + len - 4, "_p50"))
            cols[nc++] = (int)c;
    }
    blocks(g, "s", t, isc, iday, cols, (size_t)nc, names, ns);
    int ev_col = -1;
    if (d->have_ev) {
        const pk_csv_text *e = &d->ev;
        int eisc = pk_csv_text_col(e, "scenario"), eday = pk_csv_text_col(e, "day");
        ev_col = e->n_col > 2 ? 2 : -1;
        if (ev_col >= 0 && eisc >= 0 && eday >= 0) {
            const char *en[MAX_SCEN];
            size_t nse = scenarios_of(e, eisc, en, MAX_SCEN);
            blocks(g, "e", e, eisc, eday, &ev_col, 1, en, nse);
        } else {
            ev_col = -1;
        }
    }
    int panels = nc + (ev_col >= 0);
    int dumb = strcmp(o->format, "dumb") == 0;
    fprintf(g, "set multiplot layout %d,1 title 'Median trajectories of every scenario' "
               "noenhanced\n", panels);
    fprintf(g, "set lmargin at screen 0.10\nset rmargin at screen 0.97\nset grid\n"
               "set key outside top center horizontal maxrows 3 noenhanced%s\n",
            dumb ? "" : " font ',8'");
    for (int p = 0; p < nc; p++) {
        const char *nm = t->name[cols[p]];
        char label[128];
        size_t len = strlen(nm);
        snprintf(label, sizeof label, "%s", nm);
        if (p > 0)
            snprintf(label, sizeof label, "median %.*s", (int)(len - 4), nm);
        /* trajectories on a log axis: the low values decide response */
        fprintf(g, "set title %s noenhanced\n%s\nunset xlabel\nset yrange [%s:*]\n",
                pk_gp_lit(gs, label), p ? "set logscale y" : "unset logscale y", p ? "*" : "0");
        if (p == 1)
            fprintf(g, "unset key\n");
        lines(gs, "s", ns, p + 2, p ? "lines" : "steps", names, p == 0);
    }
    if (ev_col >= 0) {
        fprintf(g, "set title %s noenhanced\nunset logscale y\nset yrange [0:1.02]\n"
                   "set xlabel 'day'\n", pk_gp_lit(gs, d->ev.name[ev_col]));
        lines(gs, "e", ns, 2, "steps", names, 0);
    }
    fprintf(g, "unset multiplot\n");
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
    if (rc == PK_OK)
        rc = plot_run(o, out1, readouts_body, &d, w1, sizeof w1, err);
    if (rc == PK_OK)
        rc = plot_run(o, out2, trajectories_body, &d, w2, sizeof w2, err);
    if (rc == PK_OK)
        snprintf(written, n_written, "%s and %s", w1, w2);
    pk_csv_text_free(&d.sw);
    pk_csv_text_free(&d.tr);
    if (d.have_ev)
        pk_csv_text_free(&d.ev);
    return rc;
}
