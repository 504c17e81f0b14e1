/* pk_plot_popind: a page of a population fit's individual fits: for each
 * subject its observations, its IPRED curve (its mode) and its PRED curve
 * (the typical values) from popfit_traj.csv, each panel on its own axes
 * (subjects differ).  Without popfit_traj.csv (a run before it was
 * written) the curves join the predictions at the observations. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pk_plot_impl.h"

/* The two curves of subject s: from its rows of popfit_traj.csv, else
 * through its rows of popfit_obs.csv of the page's observable. */
static void curve_items(pk_gp_script *gs, const pop_fig *f, const pop_subject *s, size_t k)
{
    static const char *const col[2] = {"ipred", "pred"};
    const char *obs_lit = NULL;
    for (int c = 0; c < 2; c++) {
        char y[160];
        snprintf(y, sizeof y, f->ob[k].log ? "pk_pos(column('%s'))" : "column('%s')", col[c]);
        const char *style = c ? "dt 2 lw 1.6 lc rgb '" PK_C_GREEN "'"
                              : "lw 1.6 lc rgb '" PK_C_BLUE "'";
        if (s->has_traj[k]) {
            fprintf(gs->f, "%s%s every ::%zu::%zu using 'day':(%s) with lines %s notitle",
                    c ? ", " : "", pk_gp_lit(gs, f->ref_traj), s->traj_first[k], s->traj_last[k],
                    y, style);
            continue;
        }
        obs_lit = pk_gp_lit(gs, f->ob[k].name);
        fprintf(gs->f, "%s", c ? ", " : "");
        fprintf(gs->f, "%s every ::%zu::%zu using 'day':(strcol('observable') eq %s ? %s : NaN) "
                       "with lines %s notitle", pk_gp_lit(gs, f->ref_obs), s->obs_first,
                s->obs_last, obs_lit, y, style);
    }
}

/* Subject s's panel at (r, c) of the page's grid. */
static void ind_panel(pk_gp_script *gs, const pop_fig *f, const pop_grid *gr, const pop_subject *s,
                      size_t r, size_t c, const pk_plot_opts *o)
{
    FILE *g = gs->f;
    size_t k = f->page_obsv;
    const pop_obsv *ob = &f->ob[k];
    pop_grid_cell(g, gr, r, c, pk_gp_lit(gs, s->id));
    double span = s->t_hi - s->t_lo;
    pop_axis(g, 'x', 0, s->t_lo, s->t_hi + 0.02 * span);
    pop_axis(g, 'y', ob->log, s->y_lo[k], s->y_hi[k]);
    fprintf(g, "plot ");
    curve_items(gs, f, s, k);
    const size_t rows[2] = {s->obs_first, s->obs_last};
    const char *y = ob->log ? "pk_pos(column('dv'))" : "column('dv')";
    for (int kind = 0; kind < POP_KINDS; kind++)
        if (ob->cnt[kind])
            pop_obs_item(gs, f, k, kind, "column('day')", y, rows, 0.85 * gr->legend.point_size,
                         o);
    fprintf(g, "\nunset label\n");
}

/* The page's title and the grid's axis labels, drawn with its first panel. */
static void page_labels(pk_gp_script *gs, const pop_fig *f, const pop_grid *gr)
{
    const pop_obsv *ob = &f->ob[f->page_obsv];
    char title[300], ylab[160];
    snprintf(title, sizeof title, "Individual fits: %s, subjects %zu-%zu of %zu (page %zu of %zu)",
             ob->name, f->page_first + 1, f->page_first + f->page_n, f->n_sub, f->page,
             f->n_page);
    snprintf(ylab, sizeof ylab, ob->unit[0] ? "%s (%s)" : "%s", ob->name, ob->unit);
    fprintf(gs->f, "set label 1 %s at screen 0.5,%.4f center noenhanced font ',%d'\n",
            pk_gp_lit(gs, title), gr->title_y, gr->legend.font_pt + 1);
    fprintf(gs->f, "set label 2 'day' at screen 0.5,%.4f center\n", gr->xlabel_y);
    fprintf(gs->f, "set label 3 %s at screen %.4f,0.5 center rotate by 90 noenhanced\n",
            pk_gp_lit(gs, ylab), gr->ylabel_x);
}

void pop_ind_body(pk_gp_script *gs, const void *ctx, const pk_plot_opts *o)
{
    const pop_fig *f = ctx;
    FILE *g = gs->f;
    const pop_obsv *ob = &f->ob[f->page_obsv];
    pop_grid gr;
    pop_legend l = {0};
    int any[POP_KINDS];
    for (int k = 0; k < POP_KINDS; k++)
        any[k] = ob->cnt[k] > 0;
    pop_legend_add(&l, "IPRED: the subject's mode (EBE)",
                   "keyentry with lines lw 1.6 lc rgb '" PK_C_BLUE "'");
    pop_legend_add(&l, "PRED: the typical values",
                   "keyentry with lines dt 2 lw 1.6 lc rgb '" PK_C_GREEN "'");
    pop_legend_kinds(&l, any, 1, 1, o);
    pop_grid_layout(o, f->page_rows, f->page_cols, 0, 0, l.n, pop_legend_chars(&l), &gr);
    l.n = 2;
    pop_legend_kinds(&l, any, 1, gr.legend.point_size, o);
    pop_functions(g);
    fprintf(g, "set grid\nunset xlabel\nunset ylabel\nset multiplot\n");
    page_labels(gs, f, &gr);
    for (size_t i = 0; i < f->page_n; i++)
        ind_panel(gs, f, &gr, &f->sub[f->page_first + i], i / f->page_cols, i % f->page_cols, o);
    pop_legend_draw(gs, &gr, &l);
}
