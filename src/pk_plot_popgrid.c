/* pk_plot_popgrid: what a population fit's figures share: panels in a
 * grid sized to the figure, axes with readable tics (1-2-5 on a log
 * axis), the gnuplot functions that select an observable's rows of a
 * kind, the markers of those kinds and the legend band. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pk_plot_impl.h"

void pop_grid_layout(const pk_plot_opts *o, size_t rows, size_t cols, int own_labels, int square,
                     int n_entries, int label_chars, pop_grid *g)
{
    memset(g, 0, sizeof *g);
    g->rows = rows = rows < POP_GRID_MAX ? rows : POP_GRID_MAX;
    g->cols = cols = cols < POP_GRID_MAX ? cols : POP_GRID_MAX;
    int pt = g->legend.font_pt = plot_font_pt(o);
    g->legend.point_size = pt ? fmax(0.7, 1.1 * pt / 11.0) : 1;
    double W = o->width, H = o->height;
    /* a text line and a character in pixels (characters for dumb) */
    double line = pt ? 1.65 * pt : 1.0, ch = pt ? 0.62 * pt : 1.0;
    double entry = (label_chars + 7) * (pt ? 0.78 * pt : 1.0);
    g->legend.legend_cols = (int)fmax(1, fmin(n_entries, floor(0.96 * W / entry)));
    int lrows = n_entries > 0 ? (n_entries + g->legend.legend_cols - 1) / g->legend.legend_cols : 0;
    double top_px = 1.4 * line, legend_px = lrows ? (lrows * 1.2 + 0.5) * line : 0;
    double page_left = own_labels ? 0 : 1.5 * line, page_bottom = own_labels ? 0 : 1.3 * line;
    double cell_w = (W - page_left - ch) / (double)cols;
    double cell_h = (H - top_px - legend_px - page_bottom) / (double)rows;
    /* in a cell: y tic labels (and its label), x tic labels (and its
     * label) under it, its title over it */
    double ml = 6 * ch + (own_labels ? 1.5 * line : 0), mr = 2.5 * ch;
    double mb = 1.4 * line + (own_labels ? 1.2 * line : 0), mt = 1.4 * line;
    double aw = fmax(cell_w - ml - mr, 4), ah = fmax(cell_h - mt - mb, 3), dx = 0;
    if (square) { /* rows of square panels, the legend under them, centred together */
        double side = fmin(aw, ah);
        dx = (aw - side) / 2;
        aw = ah = side;
        cell_h = ah + mt + mb;
    }
    double off = (H - top_px - legend_px - page_bottom - (double)rows * cell_h) / 2;
    for (size_t c = 0; c < cols; c++) {
        g->x0[c] = (page_left + (double)c * cell_w + ml + dx) / W;
        g->x1[c] = g->x0[c] + aw / W;
    }
    for (size_t r = 0; r < rows; r++) {
        g->y1[r] = (H - top_px - off - (double)r * cell_h - mt) / H;
        g->y0[r] = g->y1[r] - ah / H;
    }
    g->head = 0.55 * line / H;
    g->title_y = 1 - 0.75 * line / H;
    g->xlabel_y = (off + legend_px + 0.55 * line) / H;
    g->ylabel_x = 0.75 * line / W;
    /* under square panels the legend keeps clear of the x labels */
    g->legend.legend_top = (off + legend_px - (square ? 0.8 : 0.3) * line) / H;
}

void pop_grid_cell(FILE *g, const pop_grid *gr, size_t r, size_t c, const char *title_lit)
{
    fprintf(g, "set lmargin at screen %.4f\nset rmargin at screen %.4f\n"
               "set tmargin at screen %.4f\nset bmargin at screen %.4f\n"
               "set label 9 %s at screen %.4f,%.4f center noenhanced\n",
            gr->x0[c], gr->x1[c], gr->y1[r], gr->y0[r], title_lit, (gr->x0[c] + gr->x1[c]) / 2,
            gr->y1[r] + gr->head);
}

/* Log tics: mantissas 1-1.5-2-3-5-7 over less than a decade, 1-2-5 over
 * less than two, else gnuplot's decades. */
static void log_tics(FILE *g, char axis, double lo, double hi)
{
    static const double fine[6] = {1, 1.5, 2, 3, 5, 7}, coarse[3] = {1, 2, 5};
    double ratio = hi / lo;
    if (!(ratio < 100)) {
        fprintf(g, "set %ctics autofreq\n", axis);
        return;
    }
    const double *m = ratio < 10 ? fine : coarse;
    int nm = ratio < 10 ? 6 : 3, n = 0;
    fprintf(g, "set %ctics (", axis);
    for (double d = pow(10, floor(log10(lo))); d <= hi; d *= 10)
        for (int k = 0; k < nm; k++)
            if (m[k] * d >= lo && m[k] * d <= hi)
                fprintf(g, "%s%.6g", n++ ? ", " : "", m[k] * d);
    fprintf(g, ")\n");
}

void pop_axis(FILE *g, char axis, int log, double lo, double hi)
{
    if (log) {
        lo = lo > 0 ? lo / 1.25 : 1e-3;
        hi = hi > lo ? hi * 1.25 : lo * 10;
        fprintf(g, "set logscale %c\nset %crange [%.6g:%.6g]\nset format %c '%%g'\n", axis, axis,
                lo, hi, axis);
        log_tics(g, axis, lo, hi);
        return;
    }
    double pad = hi > lo ? 0.05 * (hi - lo) : fmax(fabs(hi), 1) * 0.5;
    lo = lo >= 0 && lo - pad < 0 ? 0 : lo - pad; /* a quantity that is not negative starts at 0 */
    hi += pad;
    fprintf(g, "unset logscale %c\nset %crange [%.6g:%.6g]\nset format %c '%%g'\n"
               "set %ctics %.6g\n", axis, axis, lo, hi, axis, axis, plot_nice_step((hi - lo) / 3.5));
}

void pop_functions(FILE *g)
{
    /* a row of observable o and kind k (0 fitted, 1 below a limit, 2
     * above it, 3 a check); pk_pos: a value a log axis can draw */
    fprintf(g, "pk_kind(o, k) = strcol('observable') eq o && (k == 3 ? column('check') != 0 : "
               "column('check') == 0 && strcol('censoring') eq (k == 0 ? 'none' : k == 1 ? "
               "'left' : 'right'))\npk_pos(v) = v > 0 ? v : NaN\n");
}

void pop_marker(char *buf, size_t n, int kind, double ps, const pk_plot_opts *o)
{
    static const char *const dumb_pt[POP_KINDS] = {"'@'", "'v'", "'^'", "'o'"};
    static const int pt[POP_KINDS] = {7, 10, 8, 6}; /* filled circle, hollow down/up, hollow */
    if (!strcmp(o->format, "dumb"))
        snprintf(buf, n, "pt %s", dumb_pt[kind]);
    else /* a hollow marker a little larger: it reads as lighter */
        snprintf(buf, n, "pt %d ps %.2f lw 1.3 lc rgb '%s'", pt[kind],
                 kind == POP_EXACT ? ps : 1.2 * ps, kind == POP_CHECK ? PK_C_GREY : PK_C_VERMILLION);
}

void pop_obs_item(pk_gp_script *gs, const pop_fig *f, size_t k, int kind, const char *x,
                  const char *y, const size_t *rows, double ps, const pk_plot_opts *o)
{
    char mk[120];
    pop_marker(mk, sizeof mk, kind, ps, o);
    fprintf(gs->f, ", %s", pk_gp_lit(gs, f->ref_obs));
    if (rows)
        fprintf(gs->f, " every ::%zu::%zu", rows[0], rows[1]);
    fprintf(gs->f, " using (pk_kind(%s, %d) ? %s : NaN):(%s) with points %s notitle",
            pk_gp_lit(gs, f->ob[k].name), kind, x, y, mk);
}

void pop_legend_add(pop_legend *l, const char *label, const char *item)
{
    if (l->n == (int)(sizeof l->label / sizeof *l->label))
        return;
    l->label[l->n] = label;
    snprintf(l->item[l->n++], sizeof l->item[0], "%s", item);
}

void pop_legend_kinds(pop_legend *l, const int *any, int at_limit, double ps,
                      const pk_plot_opts *o)
{
    static const char *const label[2][POP_KINDS] = {
        {"observed, fitted", "censored below a limit", "censored above a limit",
         "check: observed, not fitted"},
        {"observed, fitted", "below a limit (drawn at the limit)",
         "above a limit (drawn at the limit)", "check: observed, not fitted"}};
    for (int k = 0; k < POP_KINDS; k++) {
        char mk[120], item[200];
        if (!any[k])
            continue;
        pop_marker(mk, sizeof mk, k, ps, o);
        snprintf(item, sizeof item, "keyentry with points %s", mk);
        pop_legend_add(l, label[at_limit][k], item);
    }
}

int pop_legend_chars(const pop_legend *l)
{
    size_t n = 0;
    for (int i = 0; i < l->n; i++)
        n = strlen(l->label[i]) > n ? strlen(l->label[i]) : n;
    return (int)n;
}

void pop_legend_draw(pk_gp_script *gs, const pop_grid *gr, const pop_legend *l)
{
    /* the key's columns fit the plot area: the whole width, not the last cell's */
    fprintf(gs->f, "set lmargin at screen 0.01\nset rmargin at screen 0.99\n");
    plot_stack_legend(gs->f, &gr->legend);
    for (int i = 0; i < l->n; i++)
        fprintf(gs->f, ", %s title %s", l->item[i], pk_gp_lit(gs, l->label[i]));
    fprintf(gs->f, "\nunset multiplot\n");
}
