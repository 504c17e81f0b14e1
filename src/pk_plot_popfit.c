/* pk_plot_popfit: a population fit's figures, drawn from its directory's
 * CSV files alone (popfit_obs.csv, popfit_traj.csv; popfit.ini names the
 * model, whose panels say which axes are logarithmic):
 *   popfit_gof:   observed against PRED and against IPRED, per observable;
 *   popfit_res:   CWRES and IWRES against time and the predictions;
 *   popfit_ind_N: pages of individual fits (pk_plot_popind.c).
 * The scripts read the CSVs by name and select rows with fixed gnuplot
 * functions; an observable's name and a subject's id enter them only as
 * literals. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include "pk_ini.h"
#include "pk_plot_impl.h"

enum { C_PAT, C_DAY, C_OBSV, C_DV, C_CENS, C_CHECK, C_PRED, C_IPRED, C_IWRES, C_CWRES, N_COL };

static const char *const obs_cols[N_COL] = {"patient", "day",   "observable", "dv",    "censoring",
                                            "check",   "pred",  "ipred",      "iwres", "cwres"};

/* ---- reading ---- */

/* popfit.ini's [population] model (NULL when absent or unknown). */
static const pk_model *model_of(const char *dir)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/popfit.ini", dir);
    pk_ini ini;
    pk_err e = {0};
    memset(&ini, 0, sizeof ini);
    const pk_model *m = NULL;
    if (access(path, R_OK) == 0 && pk_ini_load(path, &ini, &e) == PK_OK)
        for (size_t i = 0; i < ini.n_entry && !m; i++)
            if (!strcmp(ini.entry[i].section, "population") && !strcmp(ini.entry[i].key, "model"))
                m = pk_model_find(ini.entry[i].value);
    pk_ini_free(&ini);
    return m;
}

/* The observable's axis: the model's panel of it, else (as the trajectory
 * figure's default) logarithmic. */
static void obsv_axis(const pk_model *m, pop_obsv *ob)
{
    ob->log = 1;
    int k = m ? pk_model_obs_index(m, ob->name) : -1;
    if (k >= 0)
        snprintf(ob->unit, sizeof ob->unit, "%s", m->obs[k].unit);
    for (size_t p = 0; m && p < m->n_panel; p++)
        if (!strcmp(m->panel[p].obs, ob->name))
            ob->log = m->panel[p].log_y;
}

/* Index of observable name among the figure's, adding it (-1: no room). */
static int obsv_index(pop_fig *f, const char *name)
{
    for (size_t k = 0; k < f->n_obsv; k++)
        if (!strcmp(f->ob[k].name, name))
            return (int)k;
    if (f->n_obsv == POP_MAX_OBSV)
        return -1;
    pop_obsv *ob = &f->ob[f->n_obsv];
    memset(ob, 0, sizeof *ob);
    ob->name = name; /* a copy cut short would not match the next row's name */
    ob->lo = ob->t_lo = INFINITY;
    ob->hi = ob->t_hi = -INFINITY;
    obsv_axis(f->m, ob);
    return (int)f->n_obsv++;
}

static int kind_of(const char *cens, double check)
{
    return check != 0                 ? POP_CHECK
           : !strcmp(cens, "left")    ? POP_BELOW
           : !strcmp(cens, "right")   ? POP_ABOVE
                                      : POP_EXACT;
}

/* v into [lo, hi] when it can be drawn (positive on a log axis). */
static void widen(double v, int log, double *lo, double *hi)
{
    if (!isfinite(v) || (log && !(v > 0)))
        return;
    *lo = fmin(*lo, v);
    *hi = fmax(*hi, v);
}

/* One observation row into its observable's and its subject's tallies. */
static void scan_row(pop_fig *f, const int *col, size_t r, pop_obsv *ob, pop_subject *s, size_t k)
{
    const pk_csv_text *t = &f->obs;
    const double *v = t->v + r * t->n_col;
    ob->cnt[kind_of(t->s[r * t->n_col + (size_t)col[C_CENS]], v[col[C_CHECK]])]++;
    double dv = v[col[C_DV]], pred = v[col[C_PRED]], ipred = v[col[C_IPRED]];
    ob->zeros[0] += ob->log && !(dv > 0 && pred > 0);
    ob->zeros[1] += ob->log && !(dv > 0 && ipred > 0);
    widen(dv, ob->log, &ob->lo, &ob->hi);
    widen(pred, ob->log, &ob->lo, &ob->hi);
    widen(ipred, ob->log, &ob->lo, &ob->hi);
    widen(v[col[C_DAY]], 0, &ob->t_lo, &ob->t_hi);
    for (int c = C_IWRES; c <= C_CWRES; c++)
        if (isfinite(v[col[c]]))
            ob->res_max = fmax(ob->res_max, fabs(v[col[c]]));
    widen(dv, ob->log, &s->y_lo[k], &s->y_hi[k]);
    widen(pred, ob->log, &s->y_lo[k], &s->y_hi[k]); /* on the curves too */
    widen(ipred, ob->log, &s->y_lo[k], &s->y_hi[k]);
    widen(v[col[C_DAY]], 0, &s->t_lo, &s->t_hi);
    s->n_obs[k]++;
}

/* The subjects (runs of one patient id) and observables of popfit_obs.csv. */
static int scan_obs(pop_fig *f, const char *path, pk_err *err)
{
    const pk_csv_text *t = &f->obs;
    int col[N_COL];
    for (int c = 0; c < N_COL; c++)
        if ((col[c] = pk_csv_text_col(t, obs_cols[c])) < 0)
            return pk_err_set(err, PK_EINPUT, path, "not a pksim popfit table (no '%s' column)",
                              obs_cols[c]);
    if (!(f->sub = calloc(t->n_row ? t->n_row : 1, sizeof *f->sub)))
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    for (size_t r = 0; r < t->n_row; r++) {
        const char *id = t->s[r * t->n_col + (size_t)col[C_PAT]];
        if (!f->n_sub || strcmp(id, f->sub[f->n_sub - 1].id)) {
            pop_subject *s = &f->sub[f->n_sub++];
            s->id = id;
            s->obs_first = r;
            s->t_lo = INFINITY;
            s->t_hi = -INFINITY;
            for (size_t k = 0; k < POP_MAX_OBSV; k++) {
                s->y_lo[k] = INFINITY;
                s->y_hi[k] = -INFINITY;
            }
        }
        pop_subject *s = &f->sub[f->n_sub - 1];
        s->obs_last = r;
        int k = obsv_index(f, t->s[r * t->n_col + (size_t)col[C_OBSV]]);
        if (k >= 0)
            scan_row(f, col, r, &f->ob[k], s, (size_t)k);
    }
    if (!f->n_sub || !f->n_obsv)
        return pk_err_set(err, PK_EINPUT, path, "holds no observations to draw");
    return PK_OK;
}

/* popfit_traj.csv's rows of each subject and observable (a contiguous run
 * each, as popfit writes them), their days and values into its ranges. */
static void scan_traj(pop_fig *f)
{
    const pk_csv_text *t = &f->traj;
    int cp = pk_csv_text_col(t, "patient"), cd = pk_csv_text_col(t, "day"),
        co = pk_csv_text_col(t, "observable"), c1 = pk_csv_text_col(t, "pred"),
        c2 = pk_csv_text_col(t, "ipred");
    if (cp < 0 || cd < 0 || co < 0 || c1 < 0 || c2 < 0)
        return;
    f->have_traj = 1;
    size_t i = 0;
    for (size_t r = 0; r < t->n_row; r++) {
        const char *id = t->s[r * t->n_col + (size_t)cp];
        for (size_t n = 0; n < f->n_sub && strcmp(f->sub[i].id, id); n++)
            i = (i + 1) % f->n_sub; /* the same order as popfit_obs.csv: found at once */
        size_t k = 0;
        while (k < f->n_obsv && strcmp(f->ob[k].name, t->s[r * t->n_col + (size_t)co]))
            k++;
        pop_subject *s = &f->sub[i];
        if (k == f->n_obsv || strcmp(s->id, id) ||
            (s->has_traj[k] && s->traj_last[k] + 1 != r))
            continue;
        if (!s->has_traj[k]++)
            s->traj_first[k] = r;
        s->traj_last[k] = r;
        const double *v = t->v + r * t->n_col;
        widen(v[cd], 0, &s->t_lo, &s->t_hi);
        widen(v[c1], f->ob[k].log, &s->y_lo[k], &s->y_hi[k]);
        widen(v[c2], f->ob[k].log, &s->y_lo[k], &s->y_hi[k]);
    }
}

/* Ranges that can be drawn: a log axis over at most 3 decades (a curve
 * starting from 0 does not squash the rest), a linear one from 0. */
static void finish_ranges(pop_fig *f)
{
    for (size_t k = 0; k < f->n_obsv; k++) {
        pop_obsv *ob = &f->ob[k];
        if (!(ob->hi >= ob->lo))
            ob->lo = ob->hi = 1;
        if (!(ob->t_hi >= ob->t_lo))
            ob->t_lo = ob->t_hi = 0;
        for (size_t i = 0; i < f->n_sub; i++) {
            pop_subject *s = &f->sub[i];
            if (!(s->y_hi[k] >= s->y_lo[k]))
                s->y_lo[k] = s->y_hi[k] = ob->hi;
            if (ob->log)
                s->y_lo[k] = fmax(s->y_lo[k], s->y_hi[k] * 1e-3);
            if (!(s->t_hi >= s->t_lo))
                s->t_lo = s->t_hi = 0;
        }
    }
}

static int pop_read(const char *dir, const char *out_dir, pop_fig *f, pk_err *err)
{
    char obs[1100], traj[1100], ref_out[1200];
    snprintf(obs, sizeof obs, "%s/popfit_obs.csv", dir);
    snprintf(traj, sizeof traj, "%s/popfit_traj.csv", dir);
    snprintf(ref_out, sizeof ref_out, "%s/x", out_dir);
    f->m = model_of(dir);
    if (pk_csv_read_text(obs, &f->obs, err))
        return err->code;
    if (scan_obs(f, obs, err))
        return err->code;
    pk_err e2 = {0};
    if (access(traj, R_OK) == 0 && pk_csv_read_text(traj, &f->traj, &e2) == PK_OK)
        scan_traj(f);
    finish_ranges(f);
    plot_data_ref(obs, out_dir[0] ? ref_out : "", f->ref_obs, sizeof f->ref_obs);
    plot_data_ref(traj, out_dir[0] ? ref_out : "", f->ref_traj, sizeof f->ref_traj);
    return PK_OK;
}

static void pop_free(pop_fig *f)
{
    pk_csv_text_free(&f->obs);
    pk_csv_text_free(&f->traj);
    free(f->sub);
}

/* ---- observed against the predictions ---- */

/* "observable: " when the figure has several, else "". */
static const char *prefix(const pop_fig *f, size_t k, char *buf, size_t n)
{
    if (f->n_obsv > 1)
        snprintf(buf, n, "%s: ", f->ob[k].name);
    else
        buf[0] = 0;
    return buf;
}

/* "NAME (UNIT)", or NAME without a unit. */
static const char *with_unit(const char *name, const pop_obsv *ob, char *buf, size_t n)
{
    snprintf(buf, n, ob->unit[0] ? "%s (%s)" : "%s", name, ob->unit);
    return buf;
}

/* The kinds observed of any observable. */
static void kinds_any(const pop_fig *f, int *any)
{
    for (int k = 0; k < POP_KINDS; k++) {
        any[k] = 0;
        for (size_t j = 0; j < f->n_obsv; j++)
            any[k] |= f->ob[j].cnt[k] > 0;
    }
}

/* The x column of a plot against PRED (ipred 0) or IPRED; on a log axis
 * through pk_pos, which drops values at or below 0. */
static const char *pred_column(int ipred, int log)
{
    return log ? (ipred ? "pk_pos(column('ipred'))" : "pk_pos(column('pred'))")
               : (ipred ? "column('ipred')" : "column('pred')");
}

/* Observable k's points of the first n_kinds kinds (each kind its own
 * marker), ending the panel. */
static void panel_points(pk_gp_script *gs, const pop_fig *f, const pop_grid *gr, size_t k,
                         int n_kinds, const char *x, const char *y, const pk_plot_opts *o)
{
    for (int kind = 0; kind < n_kinds; kind++)
        if (f->ob[k].cnt[kind])
            pop_obs_item(gs, f, k, kind, x, y, NULL, gr->legend.point_size, o);
    fprintf(gs->f, "\nunset label\n");
}

/* Observable k's observed values against PRED (ipred 0) or IPRED. */
static void gof_panel(pk_gp_script *gs, const pop_fig *f, const pop_grid *gr, size_t k,
                      int ipred, const pk_plot_opts *o)
{
    FILE *g = gs->f;
    const pop_obsv *ob = &f->ob[k];
    char title[300], pre[80], lab[160], zeros[64] = "";
    if (ob->log && ob->zeros[ipred])
        snprintf(zeros, sizeof zeros, " (%d at or below 0 not drawn)", ob->zeros[ipred]);
    snprintf(title, sizeof title, "%sobserved vs %s%s", prefix(f, k, pre, sizeof pre),
             ipred ? "IPRED, each subject's mode" : "PRED, the typical values", zeros);
    pop_grid_cell(g, gr, k, (size_t)ipred, pk_gp_lit(gs, title));
    fprintf(g, "set xlabel %s noenhanced\n",
            pk_gp_lit(gs, with_unit(ipred ? "IPRED" : "PRED", ob, lab, sizeof lab)));
    fprintf(g, "set ylabel %s noenhanced\n", pk_gp_lit(gs, with_unit("observed", ob, lab,
                                                                     sizeof lab)));
    pop_axis(g, 'x', ob->log, ob->lo, ob->hi);
    pop_axis(g, 'y', ob->log, ob->lo, ob->hi);
    fprintf(g, "plot $pk_id%zu using 1:2 with lines lw 1.2 lc rgb '%s' notitle", k, PK_C_GREY);
    panel_points(gs, f, gr, k, POP_KINDS, pred_column(ipred, ob->log),
                 ob->log ? "pk_pos(column('dv'))" : "column('dv')", o);
}

static void gof_body(pk_gp_script *gs, const void *v, const pk_plot_opts *o)
{
    const pop_fig *f = v;
    FILE *g = gs->f;
    pop_grid gr;
    pop_legend l = {0};
    int any[POP_KINDS];
    kinds_any(f, any);
    char line[80];
    snprintf(line, sizeof line, "keyentry with lines lw 1.2 lc rgb '%s'", PK_C_GREY);
    pop_legend_add(&l, "identity: observed = predicted", line);
    pop_legend_kinds(&l, any, 1, 1, o);
    pop_grid_layout(o, f->n_obsv, 2, 1, 1, l.n, pop_legend_chars(&l), &gr);
    l.n = 1;
    pop_legend_kinds(&l, any, 1, gr.legend.point_size, o);
    pop_functions(g);
    for (size_t k = 0; k < f->n_obsv; k++) { /* the identity line's ends, past the axes' */
        const pop_obsv *ob = &f->ob[k];
        double span = ob->hi - ob->lo + 1;
        double a = ob->log ? ob->lo / 10 : ob->lo - span, b = ob->log ? ob->hi * 10 : ob->hi + span;
        fprintf(g, "$pk_id%zu << EOD\n%.6g,%.6g\n%.6g,%.6g\nEOD\n", k, a, a, b, b);
    }
    size_t n_obs = 0;
    for (size_t k = 0; k < f->n_obsv; k++)
        for (int kind = 0; kind < POP_KINDS; kind++)
            n_obs += (size_t)f->ob[k].cnt[kind];
    char title[300];
    snprintf(title, sizeof title, "Goodness of fit: %s%s%zu subjects, %zu observations",
             f->m ? f->m->name : "", f->m ? ", " : "", f->n_sub, n_obs);
    /* set clip two: the identity line's ends lie beyond the axes */
    fprintf(g, "set grid\nset clip two\nset multiplot\n");
    /* the title with the first panel: every panel ends with unset label */
    fprintf(g, "set label 1 %s at screen 0.5,%.4f center noenhanced font ',%d'\n",
            pk_gp_lit(gs, title), gr.title_y, gr.legend.font_pt + 1);
    for (size_t k = 0; k < f->n_obsv; k++)
        for (int ipred = 0; ipred < 2; ipred++)
            gof_panel(gs, f, &gr, k, ipred, o);
    pop_legend_draw(gs, &gr, &l);
}

/* ---- residuals ---- */

/* Residual panel `which` of observable k: CWRES against the day (0) and
 * PRED (1), IWRES against the day (2) and IPRED (3). */
static void res_panel(pk_gp_script *gs, const pop_fig *f, const pop_grid *gr, size_t k, int which,
                      size_t r, size_t c, const pk_plot_opts *o)
{
    static const char *const what[4] = {"CWRES vs time", "CWRES vs PRED", "IWRES vs time",
                                        "IWRES vs IPRED"};
    FILE *g = gs->f;
    const pop_obsv *ob = &f->ob[k];
    char title[200], pre[80], lab[160];
    snprintf(title, sizeof title, "%s%s", prefix(f, k, pre, sizeof pre), what[which]);
    pop_grid_cell(g, gr, r, c, pk_gp_lit(gs, title));
    int by_day = which % 2 == 0, log_x = !by_day && ob->log;
    fprintf(g, "set xlabel %s noenhanced\nset ylabel '%s'\n",
            pk_gp_lit(gs, by_day ? "day" : with_unit(which == 1 ? "PRED" : "IPRED", ob, lab,
                                                     sizeof lab)),
            which < 2 ? "CWRES" : "IWRES");
    if (by_day)
        pop_axis(g, 'x', 0, ob->t_lo, ob->t_hi);
    else
        pop_axis(g, 'x', log_x, ob->lo, ob->hi);
    double lim = fmax(3, ob->res_max * 1.12);
    fprintf(g, "unset logscale y\nset yrange [%.4g:%.4g]\nset ytics %.6g\nset format y '%%g'\n",
            -lim, lim, plot_nice_step(lim / 1.5));
    fprintf(g, "plot 0 with lines lw 1.2 lc rgb '%s' notitle, 2 with lines dt 2 lc rgb '%s' "
               "notitle, -2 with lines dt 2 lc rgb '%s' notitle", PK_C_GREY, PK_C_GREY, PK_C_GREY);
    /* the kinds before POP_CHECK: a check has no residual */
    panel_points(gs, f, gr, k, POP_CHECK, by_day ? "column('day')" : pred_column(which == 3, log_x),
                 which < 2 ? "column('cwres')" : "column('iwres')", o);
}

static void res_body(pk_gp_script *gs, const void *v, const pk_plot_opts *o)
{
    const pop_fig *f = v;
    FILE *g = gs->f;
    pop_grid gr;
    pop_legend l = {0};
    int any[POP_KINDS];
    kinds_any(f, any);
    any[POP_CHECK] = 0;
    char line[80];
    snprintf(line, sizeof line, "keyentry with lines dt 2 lc rgb '%s'", PK_C_GREY);
    pop_legend_add(&l, "±2: 95% of a standard normal lies within", line);
    pop_legend_kinds(&l, any, 0, 1, o);
    /* one observable: a 2 x 2 grid; more: a row of four each */
    int one = f->n_obsv == 1;
    pop_grid_layout(o, one ? 2 : f->n_obsv, one ? 2 : 4, 1, 0, l.n, pop_legend_chars(&l), &gr);
    l.n = 1;
    pop_legend_kinds(&l, any, 0, gr.legend.point_size, o);
    pop_functions(g);
    fprintf(g, "set grid\nset multiplot\nset label 1 %s at screen 0.5,%.4f center noenhanced "
               "font ',%d'\n",
            pk_gp_lit(gs, "Residuals: CWRES of the model linearised at each subject's mode, "
                          "IWRES at the mode"),
            gr.title_y, gr.legend.font_pt + 1);
    for (size_t k = 0; k < f->n_obsv; k++)
        for (int w = 0; w < 4; w++)
            res_panel(gs, f, &gr, k, w, one ? (size_t)w / 2 : k, one ? (size_t)w % 2 : (size_t)w,
                      o);
    pop_legend_draw(gs, &gr, &l);
}

/* ---- the figures of a directory ---- */

/* Removes popfit_ind_N.<fmt> and popfit_ind_N.gp with N > pages: an
 * earlier run's pages beyond this one's (names of that pattern only). */
static void drop_pages(const char *dir, size_t pages, const char *fmt)
{
    DIR *d = opendir(dir);
    for (struct dirent *e = d ? readdir(d) : NULL; e; e = readdir(d)) {
        const char *name = e->d_name;
        if (strncmp(name, "popfit_ind_", 11) != 0)
            continue;
        char *end;
        unsigned long n = strtoul(name + 11, &end, 10);
        if (end == name + 11 || n <= pages || *end != '.' ||
            (strcmp(end + 1, fmt) != 0 && strcmp(end + 1, "gp") != 0))
            continue;
        char path[1400];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        unlink(path);
    }
    if (d)
        closedir(d);
}

/* Rows and columns of a page of n panels: plot areas near 1.4 times as
 * wide as tall, few cells left empty. */
static void page_grid(const pk_plot_opts *o, size_t n, size_t *rows, size_t *cols)
{
    double best = INFINITY;
    *rows = *cols = 1;
    for (size_t c = 1; c <= n && c <= POP_GRID_MAX; c++) {
        size_t r = (n + c - 1) / c;
        if (r > POP_GRID_MAX)
            continue;
        pop_grid g;
        pop_grid_layout(o, r, c, 0, 0, 3, 30, &g);
        double aspect = (g.x1[0] - g.x0[0]) * o->width / ((g.y1[0] - g.y0[0]) * o->height);
        double score = fabs(log(aspect / 1.4)) + 0.1 * (double)(r * c - n);
        if (score < best) {
            best = score;
            *rows = r;
            *cols = c;
        }
    }
}

/* The pages of individual fits, POP_PER_PAGE subjects each, observable by
 * observable; *n_pages receives how many were drawn. */
static int draw_pages(const char *dir, const char *data, pop_fig *f, const pk_plot_opts *o,
                      int to_file, size_t *n_pages, pk_err *err)
{
    size_t per = f->n_sub < POP_PER_PAGE ? f->n_sub : POP_PER_PAGE;
    page_grid(o, per, &f->page_rows, &f->page_cols);
    f->n_page = f->n_obsv * ((f->n_sub + per - 1) / per);
    f->page = 0;
    int rc = PK_OK;
    for (size_t k = 0; k < f->n_obsv && rc == PK_OK; k++)
        for (size_t first = 0; first < f->n_sub && rc == PK_OK; first += per) {
            char out[1200] = "", w[1200];
            f->page_obsv = k;
            f->page_first = first;
            f->page_n = f->n_sub - first < per ? f->n_sub - first : per;
            f->page++;
            if (to_file)
                snprintf(out, sizeof out, "%s/popfit_ind_%zu.%s", dir, f->page, o->format);
            rc = plot_run(o, out, data, pop_ind_body, f, w, sizeof w, err);
        }
    *n_pages = f->page;
    return rc;
}

int pk_plot_popfit(const char *dir, const pk_plot_opts *o, char *written, size_t n_written,
                   pk_err *err)
{
    if (plot_ready(o, dir, err))
        return err->code;
    if (o->out && !o->show)
        return pk_err_set(err, PK_EINPUT, "--out", "a population fit's figures are several "
                          "files, written into its directory %s: give no --out", dir);
    int to_file = strcmp(o->format, "dumb") != 0 && !o->show;
    pop_fig *f = calloc(1, sizeof *f);
    if (!f)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    int rc = pop_read(dir, to_file ? dir : "", f, err);
    char out1[1200] = "", out2[1200] = "", w[1200], data[1200];
    snprintf(data, sizeof data, "%s/popfit_obs.csv", dir);
    if (to_file) {
        snprintf(out1, sizeof out1, "%s/popfit_gof.%s", dir, o->format);
        snprintf(out2, sizeof out2, "%s/popfit_res.%s", dir, o->format);
    }
    if (rc == PK_OK)
        rc = plot_run(o, out1, data, gof_body, f, w, sizeof w, err);
    if (rc == PK_OK)
        rc = plot_run(o, out2, data, res_body, f, w, sizeof w, err);
    size_t pages = 0;
    if (rc == PK_OK)
        rc = draw_pages(dir, data, f, o, to_file, &pages, err);
    if (rc == PK_OK && to_file && !o->script_to)
        drop_pages(dir, pages, o->format);
    char range[64] = "1";
    if (pages > 1)
        snprintf(range, sizeof range, "{1..%zu}", pages);
    if (rc == PK_OK && to_file)
        snprintf(written, n_written, "%s, popfit_res.%s and popfit_ind_%s.%s", out1, o->format,
                 range, o->format);
    else if (rc == PK_OK)
        snprintf(written, n_written, "(standard output)");
    pop_free(f);
    free(f);
    return rc;
}
