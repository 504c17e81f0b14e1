/* pk_plot_traj: the figure of a trajectory CSV (simulate's simulation.csv,
 * fit's fit.csv) for any model: the daily dose, then the model's panels
 * (pk_model.h; one per observed output when it declares none) with the
 * curve, the band and the prediction interval a fit wrote, the
 * observations and the reference lines.
 *
 * Reading (the CSV, the patient) fills a traj_fig; the script is written
 * from that alone and reads the CSV by its name, so that it runs again by
 * hand beside the data.  The observations, from the patient file, are
 * numbers in the script's datablocks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pk_csv.h"
#include "pk_plot_impl.h"

/* Arrows of censored observations on a log axis: from the limit to this
 * factor of it (down for "<", up for ">"); on a linear one, this fraction
 * of the panel's largest value. */
#define ARROW_DOWN 0.4
#define ARROW_UP 2.5
#define ARROW_LINEAR 0.12

typedef struct traj_panel {
    const pk_plot_panel *def;
    char col[64];       /* CSV column of the output */
    int obs;            /* the model's observable (observations), -1: none */
    int band, band_all, pi; /* the CSV has X_p05/_p95, X_all_p05/_p95, X_pi05/_pi95 */
    int cnt[6];         /* observations per block: (below, exact, above) x (fitted, check) */
    int zeros;          /* exact observations of 0 */
    double floor;       /* log axis: bands and observed zeros drawn no lower */
    double ymax;        /* the largest value drawn (a linear axis' arrows) */
    size_t n_ref;
    double ref_at[PK_PANEL_REFS];
    char ref_text[PK_PANEL_REFS][96];
} traj_panel;

typedef struct traj_fig {
    char data[1100];            /* the CSV as the script names it */
    const pk_patient *p;        /* observations, parameters, title (NULL: none) */
    int fitted;                 /* the observations were fitted (checks apart) */
    char title[512], subtitle[512];
    const char *line_label;     /* what the curve is: MAP, prior medians, ... */
    int band_kind;              /* 0 none, 1 estimated parameters only, 2 all */
    int any_pi, any_obs, any_check, any_below, any_above;
    double last_day, dose_max;
    size_t n_panel;
    traj_panel panel[PK_MAX_PANEL];
    pk_plot_panel defaults[PK_MAX_PANEL]; /* for a model that declares none */
} traj_fig;

/* ---- reading ---- */

/* The model of a CSV without a patient: the registered one with the most
 * observed outputs that all have columns (NULL: none has). */
static const pk_model *model_of(const pk_csv *t)
{
    const pk_model *best = NULL;
    size_t best_n = 0;
    for (size_t i = 0; i < pk_model_count(); i++) {
        const pk_model *m = pk_model_at(i);
        size_t n = 0, all = 1;
        for (size_t k = 0; k < m->n_obs; k++)
            if (m->obs[k].error != PK_ERRMODEL_NONE) {
                n++;
                all &= pk_csv_col(t, m->obs[k].column) >= 0;
            }
        if (all && n > best_n) {
            best = m;
            best_n = n;
        }
    }
    return best;
}

/* The model's panels, or one per observed output (the CSV's first output
 * without a model). */
static size_t panels_of(const pk_model *m, const pk_csv *t, traj_fig *f,
                        const pk_plot_panel **def)
{
    if (m && m->n_panel > 0) {
        for (size_t k = 0; k < m->n_panel && k < PK_MAX_PANEL; k++)
            def[k] = &m->panel[k];
        return m->n_panel < PK_MAX_PANEL ? m->n_panel : PK_MAX_PANEL;
    }
    size_t n = 0;
    for (size_t k = 0; m && k < m->n_obs && n < PK_MAX_PANEL; k++)
        if (m->obs[k].error != PK_ERRMODEL_NONE) {
            pk_plot_panel d = {m->obs[k].meaning, m->obs[k].unit, m->obs[k].name, 1, 0, 0, 0,
                               {{NULL, 0, NULL}}};
            f->defaults[n] = d;
            def[n] = &f->defaults[n];
            n++;
        }
    if (!m) {
        pk_plot_panel d = {t->name[2], "", t->name[2], 1, 0, 0, 0, {{NULL, 0, NULL}}};
        f->defaults[0] = d;
        def[n++] = &f->defaults[0];
    }
    return n;
}

/* min positive and max of column name (if present) into lo, hi. */
static void col_range(const pk_csv *t, const char *name, double *lo, double *hi)
{
    int j = pk_csv_col(t, name);
    for (size_t i = 0; j >= 0 && i < t->n_row; i++) {
        double v = t->v[i * t->n_col + j];
        if (v > 0 && v < *lo)
            *lo = v;
        if (v > *hi)
            *hi = v;
    }
}

/* A panel's output: its columns, bands and observations. */
static void read_output(const pk_csv *t, const pk_model *m, traj_fig *f, traj_panel *tp,
                        double *lo, double *hi)
{
    static const char *const suffix[5] = {"", "_p05", "_all_p05", "_pi05", "_pi95"};
    const char *obs = tp->def->obs;
    int k = m ? pk_model_obs_index(m, obs) : -1;
    snprintf(tp->col, sizeof tp->col, "%s", k >= 0 ? m->obs[k].column : obs);
    tp->obs = k;
    char name[96];
    int has[5];
    for (int x = 0; x < 5; x++) {
        snprintf(name, sizeof name, "%s%s", tp->col, suffix[x]);
        has[x] = pk_csv_col(t, name) >= 0;
        if (has[x] && x != 1 && x != 2)
            col_range(t, name, lo, hi);
    }
    tp->band = has[1];
    tp->band_all = has[2];
    tp->pi = has[3] && has[4];
    const pk_patient *p = f->p;
    for (size_t i = 0; p && k >= 0 && i < p->n_obs; i++)
        if (p->obs[i].obs == k) {
            int chk = f->fitted && p->obs[i].check;
            tp->cnt[chk * 3 + p->obs[i].censor + 1]++;
            tp->zeros += !p->obs[i].censor && p->obs[i].value <= 0;
            *hi = fmax(*hi, p->obs[i].value);
        }
}

/* The panel's reference lines at the figure's parameters theta: "label
 * level unit" ("grade IV 1 x 10^9/L" for a unit that starts with a
 * number, "relapse from 5%" for a percentage). */
static void read_refs(const pk_plot_panel *d, const double *theta, traj_panel *tp)
{
    int times = d->unit[0] >= '0' && d->unit[0] <= '9', pct = d->unit[0] == '%';
    for (size_t r = 0; r < PK_PANEL_REFS && d->ref[r].label; r++) {
        double at = d->ref[r].level ? d->ref[r].level(theta) : d->ref[r].value;
        if (!isfinite(at) || (d->log_y && !(at > 0)))
            continue;
        tp->ref_at[tp->n_ref] = at;
        snprintf(tp->ref_text[tp->n_ref++], sizeof tp->ref_text[0], "%s %.3g%s%s",
                 d->ref[r].label, at, times ? " x " : pct ? "" : " ", pct ? "%" : d->unit);
    }
}

static void read_panel(const pk_csv *t, const pk_model *m, const double *theta,
                       const pk_plot_panel *d, traj_fig *f)
{
    traj_panel *tp = &f->panel[f->n_panel];
    memset(tp, 0, sizeof *tp);
    tp->def = d;
    double lo = INFINITY, hi = 0;
    read_output(t, m, f, tp, &lo, &hi);
    if (pk_csv_col(t, tp->col) < 0)
        return;
    f->band_kind = tp->band_all ? 2 : tp->band && f->band_kind < 2 ? 1 : f->band_kind;
    f->any_pi |= tp->pi;
    f->any_obs |= tp->cnt[1] > 0;
    f->any_check |= tp->cnt[3] || tp->cnt[4] || tp->cnt[5];
    f->any_below |= tp->cnt[0] || tp->cnt[3];
    f->any_above |= tp->cnt[2] || tp->cnt[5];
    tp->floor = d->y_min > 0 ? d->y_min : isfinite(lo) ? lo / 3 : 1e-3;
    tp->ymax = hi > 0 ? hi : 1;
    if (m)
        read_refs(d, theta, tp);
    f->n_panel++;
}

/* What the curve is, and the title's two lines. */
static void read_titles(const pk_csv *t, const pk_model *m, traj_fig *f)
{
    const pk_patient *p = f->p;
    int maps = 0, set = 0;
    for (size_t j = 0; p && j < p->model->n_param; j++) {
        maps += p->has_map[j];
        set += p->param[j].line > 0;
    }
    f->line_label = f->fitted ? "MAP"
                    : maps    ? "MAP (the fit's estimates)"
                    : set     ? "the file's values, else prior medians"
                    : p       ? "prior medians"
                              : "simulated";
    if (p)
        snprintf(f->title, sizeof f->title, "%s (%s): %s", p->id, p->model->name,
                 f->fitted ? "MAP fit, bands over the posterior draws" : "simulation");
    else
        snprintf(f->title, sizeof f->title, "%.300s%s%s%s", f->data, m ? " (" : "",
                 m ? m->name : "", m ? ")" : "");
    (void)t;
    size_t len = 0;
    for (size_t j = 0; p && j < p->model->n_param && len < 400; j++)
        if (p->has_map[j])
            len += (size_t)snprintf(f->subtitle + len, sizeof f->subtitle - len, "%s%s = %.3g",
                                    len ? ", " : "MAP: ", p->model->param[j].name, p->map[j]);
}

/* The figure of CSV table t (named data_ref in the script) with patient
 * p's observations. */
static void traj_read(const pk_csv *t, const pk_patient *p, int fitted, const char *data_ref,
                      traj_fig *f)
{
    memset(f, 0, sizeof *f);
    snprintf(f->data, sizeof f->data, "%s", data_ref);
    f->p = p;
    f->fitted = fitted && p;
    const pk_model *m = p ? p->model : model_of(t);
    double theta[PK_MAX_PARAM];
    if (p)
        pk_patient_theta(p, theta);
    for (size_t j = 0; !p && m && j < m->n_param; j++)
        theta[j] = m->param[j].median;
    const pk_plot_panel *def[PK_MAX_PANEL];
    size_t n = panels_of(m, t, f, def);
    for (size_t k = 0; k < n; k++)
        read_panel(t, m, theta, def[k], f);
    f->last_day = t->v[(t->n_row - 1) * t->n_col];
    if (!(f->last_day > 0))
        f->last_day = 1;
    for (size_t i = 0; i < t->n_row; i++)
        f->dose_max = fmax(f->dose_max, t->v[i * t->n_col + 1]);
    read_titles(t, m, f);
}

/* ---- the script ---- */

/* Observations of every panel in up to six datablocks, $o<panel>_
 * lt|eq|gt, then _chk for checks; a value of 0 drawn at the panel's
 * zero_at on a log axis (not at all without one). */
static void obs_blocks(FILE *g, const traj_fig *f)
{
    static const char *const kinds[3] = {"lt", "eq", "gt"};
    const pk_patient *p = f->p;
    for (size_t k = 0; k < f->n_panel; k++) {
        const traj_panel *tp = &f->panel[k];
        for (int b = 0; b < 6; b++) {
            if (!tp->cnt[b])
                continue;
            fprintf(g, "$o%zu_%s%s << EOD\n", k, kinds[b % 3], b >= 3 ? "_chk" : "");
            for (size_t i = 0; i < p->n_obs; i++) {
                const pk_observation *o = &p->obs[i];
                int chk = f->fitted && o->check;
                if (o->obs != tp->obs || chk * 3 + o->censor + 1 != b)
                    continue;
                double v = o->value;
                if (tp->def->log_y && v <= 0)
                    v = tp->def->zero_at > 0 ? tp->def->zero_at : NAN;
                fprintf(g, "%.8g,%.8g\n", o->t_day, v);
            }
            fprintf(g, "EOD\n");
        }
    }
}

/* A column for a using spec: clamped to floor on a log axis, where a
 * value at or below 0 cannot be drawn. */
static void col_expr(pk_gp_script *gs, const char *col, const char *suffix, double floor,
                     int log_y)
{
    char name[96];
    snprintf(name, sizeof name, "%s%s", col, suffix);
    const char *l = pk_gp_lit(gs, name);
    if (log_y)
        fprintf(gs->f, "(column(%s)>%.6g?column(%s):%.6g)", l, floor, l, floor);
    else
        fprintf(gs->f, "%s", l);
}

/* A filled band between the output's columns with suffixes lo and hi. */
static void fill_item(pk_gp_script *gs, const traj_fig *f, const traj_panel *tp, const char *lo,
                      const char *hi, double alpha)
{
    fprintf(gs->f, "%s using 'day':", pk_gp_lit(gs, f->data));
    col_expr(gs, tp->col, lo, tp->floor, tp->def->log_y);
    fputc(':', gs->f);
    col_expr(gs, tp->col, hi, tp->floor, tp->def->log_y);
    fprintf(gs->f, " with filledcurves fc rgb '%s' fs transparent solid %.2f noborder notitle, ",
            PK_C_SKY, alpha);
}

/* The panel's prediction interval, band and curve. */
static void curve_items(pk_gp_script *gs, const traj_fig *f, const traj_panel *tp)
{
    if (tp->pi)
        fill_item(gs, f, tp, "_pi05", "_pi95", 0.18);
    if (f->band_kind == 2 && tp->band_all)
        fill_item(gs, f, tp, "_all_p05", "_all_p95", 0.45);
    else if (f->band_kind == 1 && tp->band)
        fill_item(gs, f, tp, "_p05", "_p95", 0.45);
    fprintf(gs->f, "%s using 'day':%s with lines lw 2 lc rgb '%s' notitle",
            pk_gp_lit(gs, f->data), pk_gp_lit(gs, tp->col), PK_C_BLUE);
}

/* Panel k's observations: filled points (hollow for checks), censored
 * ones as arrows from their limit into their region; letters for dumb. */
static void obs_items(FILE *g, const traj_panel *tp, size_t k, double ps, const pk_plot_opts *o)
{
    static const char *const kinds[3] = {"lt", "eq", "gt"};
    static const char *const letters[3] = {"'&'", "'@'", "'^'"};
    int dumb = strcmp(o->format, "dumb") == 0;
    for (int b = 0; b < 6; b++) {
        if (!tp->cnt[b])
            continue;
        int chk = b >= 3, kind = b % 3;
        fprintf(g, ", $o%zu_%s%s using 1:2", k, kinds[kind], chk ? "_chk" : "");
        if (dumb)
            fprintf(g, " with points pt %s notitle", letters[kind]);
        else if (kind == 1)
            fprintf(g, " with points pt %d ps %.2f lw 1.5 lc rgb '%s' notitle", chk ? 6 : 7, ps,
                    PK_C_VERMILLION);
        else if (tp->def->log_y)
            /* the head inside a fixed range: a "> 50" of a 0-105% axis
             * points at 100, not off the panel */
            fprintf(g, ":(0):($2*%.3g>%.6g?%.6g-$2:$2*%.3g) with vectors head %s size screen "
                    "0.009,25 lw 2 lc rgb '%s' notitle", kind ? ARROW_UP : ARROW_DOWN,
                    kind && tp->def->y_max > 0 ? tp->def->y_max * 0.95 : 1e300,
                    tp->def->y_max * 0.95, (kind ? ARROW_UP : ARROW_DOWN) - 1,
                    chk ? "empty" : "filled", PK_C_VERMILLION);
        else
            fprintf(g, ":(0):(%.6g) with vectors head %s size screen 0.009,25 lw 2 lc rgb "
                       "'%s' notitle", (kind ? 1 : -1) * ARROW_LINEAR * tp->ymax,
                    chk ? "empty" : "filled", PK_C_VERMILLION);
    }
}

/* Panel k (below the dose) of the stack. */
static void panel_plot(pk_gp_script *gs, const traj_fig *f, size_t k, const plot_stack *st,
                       const pk_plot_opts *o)
{
    FILE *g = gs->f;
    const traj_panel *tp = &f->panel[k];
    const pk_plot_panel *d = tp->def;
    char title[256];
    snprintf(title, sizeof title, "%s", d->title);
    if (d->log_y && d->zero_at > 0 && tp->zeros > 0)
        snprintf(title, sizeof title, "%s (an observed 0 drawn at %g%s)", d->title, d->zero_at,
                 strncmp(d->unit, "%", 1) ? "" : "%");
    fprintf(g, "unset label\n");
    plot_stack_panel(g, st, k + 1, f->n_panel + 1, pk_gp_lit(gs, title));
    fprintf(g, "set ylabel %s noenhanced\n", pk_gp_lit(gs, d->unit));
    fprintf(g, "set ytics autofreq\nset format y '%%g'\n%s",
            d->log_y ? "set logscale y\n" : "unset logscale y\n");
    /* a linear axis starts at y_min (0: a concentration's interval below 0
     * is not drawn); a log one at y_min when given */
    if (d->y_max > d->y_min)
        fprintf(g, "set yrange [%.6g:%.6g]\n", d->y_min, d->y_max);
    else if (!d->log_y || d->y_min > 0)
        fprintf(g, "set yrange [%.6g:*]\n", d->y_min);
    else
        fprintf(g, "set yrange [*:*]\n");
    for (size_t r = 0; r < tp->n_ref; r++)
        fprintf(g, "set label %zu %s at graph 0.975, first %.6g right front offset 0,-0.6 "
                   "noenhanced tc rgb '%s'\n", r + 1, pk_gp_lit(gs, tp->ref_text[r]),
                tp->ref_at[r], PK_C_GREY);
    fprintf(g, "plot ");
    curve_items(gs, f, tp);
    for (size_t r = 0; r < tp->n_ref; r++)
        fprintf(g, ", %.6g with lines dt 3 lw 1.3 lc rgb '%s' notitle", tp->ref_at[r], PK_C_GREY);
    obs_items(g, tp, k, st->point_size, o);
    fputc('\n', g);
}

#define KEY_LINE "lc rgb '" PK_C_BLUE "'"
#define KEY_OBS "lc rgb '" PK_C_VERMILLION "'"
#define KEY_FILL "fc rgb '" PK_C_SKY "' fs transparent solid "

typedef struct legend {
    int n;
    const char *label[8];
    char item[8][160]; /* "keyentry ..." or a datablock's item */
} legend;

static void entry(legend *l, const char *label, const char *item, double ps)
{
    l->label[l->n] = label;
    snprintf(l->item[l->n++], sizeof l->item[0], item, ps);
}

/* The legend: what the curve, the fills, the markers and arrows are. */
static void legend_of(const traj_fig *f, const pk_plot_opts *o, double ps, legend *l)
{
    int dumb = strcmp(o->format, "dumb") == 0;
    l->n = 0;
    entry(l, f->line_label, "keyentry with lines lw 2 " KEY_LINE, ps);
    if (f->band_kind)
        entry(l, f->band_kind == 2 ? "90% band, all uncertain parameters"
                                   : "90% band, estimated parameters only",
              "keyentry with filledcurves " KEY_FILL "0.45 noborder", ps);
    if (f->any_pi)
        entry(l, "90% prediction interval of an observation",
              "keyentry with filledcurves " KEY_FILL "0.18 noborder", ps);
    if (f->any_obs)
        entry(l, f->fitted ? "observed, fitted" : "observed",
              dumb ? "keyentry with points pt '@'" : "keyentry with points pt 7 ps %.2f " KEY_OBS,
              ps);
    if (f->any_check)
        entry(l, "check: observed, not fitted",
              dumb ? "keyentry with points pt '@'"
                   : "keyentry with points pt 6 ps %.2f lw 1.5 " KEY_OBS, ps);
    if (dumb && f->any_below)
        entry(l, "below a limit (<)", "keyentry with points pt '&'", ps);
    if (dumb && f->any_above)
        entry(l, "above a limit (>)", "keyentry with points pt '^'", ps);
    if (!dumb && (f->any_below || f->any_above))
        entry(l, "censored: arrow from the limit, < down, > up",
              "$keyvec using 1:2:3:4 with vectors head filled size screen 0.009,25 lw 2 " KEY_OBS,
              ps);
}

/* The title lines and the dose panel. */
static void top_of(pk_gp_script *gs, const traj_fig *f, const plot_stack *st)
{
    FILE *g = gs->f;
    fprintf(g, "set label 1 %s at screen 0.5,%.4f center noenhanced font ',%d'\n",
            pk_gp_lit(gs, f->title), st->title_y[0], st->font_pt + 1);
    if (f->subtitle[0])
        fprintf(g, "set label 2 %s at screen 0.5,%.4f center noenhanced\n",
                pk_gp_lit(gs, f->subtitle), st->title_y[1]);
    plot_stack_panel(g, st, 0, f->n_panel + 1, "'Daily dose'");
    double top = f->dose_max > 0 ? f->dose_max : 1;
    fprintf(g, "set ylabel 'mg/day'\nunset logscale y\nset format y '%%.3g'\n"
               "set yrange [0:%.6g]\nset ytics (0, %.6g, %.6g)\n", top * 1.25, top / 2, top);
    fprintf(g, "plot %s using 'day':'dose_mg_per_day' with steps lw 2 lc rgb '%s' notitle\n",
            pk_gp_lit(gs, f->data), PK_C_BLUE);
}

/* The figure of a trajectory: title, dose, the model's panels, legend. */
static void traj_script(pk_gp_script *gs, const void *v, const pk_plot_opts *o)
{
    const traj_fig *f = v;
    FILE *g = gs->f;
    legend l;
    plot_stack st;
    legend_of(f, o, 1, &l);
    int lc = 0;
    for (int i = 0; i < l.n; i++)
        lc = (int)fmax(lc, (double)strlen(l.label[i]));
    double w[PK_MAX_PANEL + 1] = {0.5};
    for (size_t k = 0; k < f->n_panel; k++)
        w[k + 1] = 1;
    plot_stack_layout(o, f->n_panel + 1, w, f->subtitle[0] ? 2 : 1, l.n, lc, &st);
    legend_of(f, o, st.point_size, &l);
    obs_blocks(g, f);
    fprintf(g, "$keyvec << EOD\n-9,-9,0.001,0\nEOD\n");
    /* a little room right of the last day for an observation there */
    fprintf(g, "set grid\nset xrange [0:%.6g]\nset format y '%%g'\nset multiplot\n",
            f->last_day * 1.03);
    top_of(gs, f, &st);
    for (size_t k = 0; k < f->n_panel; k++)
        panel_plot(gs, f, k, &st, o);
    plot_stack_legend(g, &st);
    for (int i = 0; i < l.n; i++)
        fprintf(g, ", %s title %s", l.item[i], pk_gp_lit(gs, l.label[i]));
    fprintf(g, "\nunset multiplot\n");
}

int pk_plot_csv(const char *csv, const pk_patient *p, int fitted, const pk_plot_opts *o,
                char *written, size_t n_written, pk_err *err)
{
    if (plot_ready(o, csv, err))
        return err->code;
    pk_csv t;
    if (pk_csv_read(csv, &t, err))
        return err->code;
    if (pk_csv_col(&t, "day") != 0 || pk_csv_col(&t, "dose_mg_per_day") != 1 || t.n_col < 3 ||
        t.n_row < 1) {
        pk_csv_free(&t);
        return pk_err_set(err, PK_EINPUT, csv, "not a pksim trajectory (day, dose_mg_per_day "
                          "and an output first)");
    }
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
    traj_fig *f = malloc(sizeof *f);
    char ref[1100];
    int rc = f ? PK_OK : pk_err_set(err, PK_ENOMEM, "", "out of memory");
    if (rc == PK_OK) {
        plot_data_ref(csv, out, ref, sizeof ref);
        traj_read(&t, p, fitted, ref, f);
        rc = plot_run(o, out, csv, traj_script, f, written, n_written, err);
    }
    free(f);
    pk_csv_free(&t);
    return rc;
}
