/* pk_plot_impl: what the figure files share (pk_plot.c: the runner, the
 * options and the layout; pk_plot_traj.c: trajectory figures;
 * pk_plot_sweep.c: sweep figures; pk_plot_popfit.c, pk_plot_popind.c and
 * pk_plot_popgrid.c: a population fit's figures). */
#ifndef PK_PLOT_IMPL_H
#define PK_PLOT_IMPL_H

#include "pk_csv.h"
#include "pk_gnuplot.h"
#include "pk_model.h"
#include "pk_plot.h"

/* Okabe-Ito colours: distinguishable with the common colour-vision
 * deficiencies. */
#define PK_C_BLUE "#0072B2"
#define PK_C_VERMILLION "#D55E00"
#define PK_C_SKY "#56B4E9"
#define PK_C_ORANGE "#E69F00"
#define PK_C_GREEN "#009E73"
#define PK_C_GREY "#555555"

/* Writes one figure's gnuplot code (after the terminal and output lines). */
typedef void (*plot_body)(pk_gp_script *gs, const void *ctx, const pk_plot_opts *o);

/* Known format, --out extension agreeing with it and a drawable size,
 * then gnuplot on PATH (data: what is kept without it)
 * and an interactive terminal for --show: what every figure checks first. */
int plot_ready(const pk_plot_opts *o, const char *data, pk_err *err);

/* An interactive terminal's name when a display and one exist, else "". */
const char *plot_interactive_terminal(void);

/* How a figure's script names its data file: gnuplot runs in the
 * figure's directory (out's; with out "", the data's), so a CSV there is
 * named by its file name, one elsewhere by its absolute path. */
void plot_data_ref(const char *csv, const char *out, char *ref, size_t n);

/* Draws body's script into out ("" = standard output, for dumb) through a
 * temporary file renamed into place when gnuplot succeeded, gnuplot
 * running in out's directory (with out "", that of the data file data,
 * which the script names as plot_data_ref does); then writes the
 * script beside the figure (out with .gp for its extension), with `set
 * output` naming the figure, so that `gnuplot NAME.gp` in that directory
 * draws it again.  With o->script_to only writes that script there. */
int plot_run(const pk_plot_opts *o, const char *out, const char *data, plot_body body,
             const void *ctx, char *written, size_t n_written, pk_err *err);

/* ---- layout: panels stacked over a shared x axis ----
 * A title band on top (title_lines of text), each panel with its title
 * line above it, the x axis' tic labels and label under the last one,
 * then a legend band (legend_rows of text) at the bottom; panel heights
 * in proportion to their weights.  Sizes follow the figure's: text of
 * plot_font_pt points, margins in lines of it, so that the figure reads
 * the same from 800x600 to 2400x1800. */
typedef struct plot_stack {
    double left, right;                 /* screen fractions of the panels' sides */
    double top[PK_MAX_PANEL + 2];       /* screen fractions of each panel's plot area */
    double bottom[PK_MAX_PANEL + 2];
    double head[PK_MAX_PANEL + 2];      /* screen y of each panel's title line */
    double title_y[2];                  /* screen y of the title lines */
    double legend_top;                  /* screen y of the legend's first row */
    int legend_cols;                    /* entries per legend row */
    int font_pt;                        /* text size; 0 for dumb */
    double point_size;                  /* of observations, in proportion to the text */
} plot_stack;

/* A tic step of 1, 2 or 5 times a power of ten near span (a few tics:
 * give the range over the number wanted). */
double plot_nice_step(double span);

/* Text size of a figure (points): 11 at 1200x900, in proportion to the
 * smaller side's scale, within 8-20; 0 for dumb. */
int plot_font_pt(const pk_plot_opts *o);

/* Lays out n panels of the given weights for n_entries legend entries,
 * the longest label_chars characters long. */
void plot_stack_layout(const pk_plot_opts *o, size_t n, const double *weight, int title_lines,
                       int n_entries, int label_chars, plot_stack *st);

/* Margins of panel k, its x tic labels only on the last of n, and its
 * title (a gnuplot literal) centred on the line above it (label 9: the
 * caller's labels take lower numbers). */
void plot_stack_panel(FILE *g, const plot_stack *st, size_t k, size_t n, const char *title_lit);

/* The legend band: the axes off, a key of legend_cols columns at its top,
 * and the start of its plot command: the caller appends ", ITEM title
 * ..." items (keyentry ones), ends the line and unsets the multiplot. */
void plot_stack_legend(FILE *g, const plot_stack *st);

/* ---- a population fit's figures (pk_plot_popfit.c: reading, observed vs
 * predicted, residuals; pk_plot_popind.c: individual fits;
 * pk_plot_popgrid.c: the layout and pieces they share) ---- */

#define POP_MAX_OBSV 4  /* observables drawn: rows of the goodness-of-fit figures */
#define POP_GRID_MAX 6  /* rows or columns of panels */
#define POP_PER_PAGE 12 /* subjects on a page of individual fits */

/* Observation kinds: fitted exact, below a limit, above it, a check. */
enum { POP_EXACT, POP_BELOW, POP_ABOVE, POP_CHECK, POP_KINDS };

typedef struct pop_obsv {
    const char *name;    /* as popfit_obs.csv names it (its text, whatever the length) */
    char unit[48];       /* the model's unit ("" without the model) */
    int log;             /* the model's panel of it declares a log axis */
    int cnt[POP_KINDS];
    int zeros[2];        /* log: observations with DV or PRED (0), IPRED (1) at or below 0 */
    double lo, hi;       /* DV, PRED and IPRED drawn (lo > 0 on a log axis) */
    double res_max;      /* largest |CWRES| or |IWRES| */
    double t_lo, t_hi;   /* days of the observations */
} pop_obsv;

typedef struct pop_subject {
    const char *id;                     /* into the observation table */
    size_t obs_first, obs_last;         /* its rows of popfit_obs.csv */
    int has_traj[POP_MAX_OBSV];         /* rows of popfit_traj.csv per observable */
    size_t traj_first[POP_MAX_OBSV], traj_last[POP_MAX_OBSV];
    double t_lo, t_hi;                  /* days drawn */
    double y_lo[POP_MAX_OBSV], y_hi[POP_MAX_OBSV]; /* values drawn (y_lo > 0 on a log axis) */
    int n_obs[POP_MAX_OBSV];
} pop_subject;

typedef struct pop_fig {
    pk_csv_text obs, traj;
    int have_traj;
    char ref_obs[1200], ref_traj[1200]; /* the CSVs as the scripts name them */
    const pk_model *m;                  /* popfit.ini's model (NULL: unknown) */
    size_t n_obsv;
    pop_obsv ob[POP_MAX_OBSV];
    size_t n_sub;
    pop_subject *sub;
    size_t page_obsv, page_first, page_n; /* the page of individual fits drawn */
    size_t page, n_page;                  /* 1-based, over all observables */
    size_t page_rows, page_cols;
} pop_fig;

/* Panels in a grid of rows x cols: each cell's plot area, its title line
 * above it, and the title band on top and the legend band at the bottom.
 * own_labels: every panel has its axis labels (else one x label under
 * the grid and one y label left of it). */
typedef struct pop_grid {
    size_t rows, cols;
    double x0[POP_GRID_MAX], x1[POP_GRID_MAX]; /* screen fractions, per column */
    double y0[POP_GRID_MAX], y1[POP_GRID_MAX]; /* per row: bottom, top */
    double head;          /* a cell's title line: this far above its top */
    double title_y;       /* screen y of the figure's title */
    double xlabel_y, ylabel_x; /* the grid's axis labels (own_labels 0) */
    plot_stack legend;    /* legend_top, legend_cols and font for plot_stack_legend */
} pop_grid;

/* Lays out the grid; square: plot areas square (x and y alike). */
void pop_grid_layout(const pk_plot_opts *o, size_t rows, size_t cols, int own_labels, int square,
                     int n_entries, int label_chars, pop_grid *g);

/* Margins and title (a literal) of cell (r, c). */
void pop_grid_cell(FILE *g, const pop_grid *gr, size_t r, size_t c, const char *title_lit);

/* An axis' range and tics: log 1-2-5 or decades, linear a nice step. */
void pop_axis(FILE *g, char axis, int log, double lo, double hi);

/* The gnuplot functions the figures' using specs call (fixed text). */
void pop_functions(FILE *g);

/* The point style of an observation kind (points, size ps). */
void pop_marker(char *buf, size_t n, int kind, double ps, const pk_plot_opts *o);

/* ", FILE [every ::first::last] using X:Y with points ..." of observable
 * k's observations of a kind, x and y gnuplot expressions of the row;
 * rows NULL: every row. */
void pop_obs_item(pk_gp_script *gs, const pop_fig *f, size_t k, int kind, const char *x,
                  const char *y, const size_t *rows, double ps, const pk_plot_opts *o);

/* A figure's legend: its own lines first, then the observation kinds. */
typedef struct pop_legend {
    int n;
    const char *label[12];
    char item[12][200];
} pop_legend;

void pop_legend_add(pop_legend *l, const char *label, const char *item);

/* The markers of the kinds any[] flags, with size ps; at_limit: censored
 * ones are drawn at their limit (else at their residual). */
void pop_legend_kinds(pop_legend *l, const int *any, int at_limit, double ps,
                      const pk_plot_opts *o);

/* The longest label, characters. */
int pop_legend_chars(const pop_legend *l);

/* The legend band, then the end of the multiplot. */
void pop_legend_draw(pk_gp_script *gs, const pop_grid *gr, const pop_legend *l);

/* A page of individual fits: f->page_obsv's subjects page_first.. */
void pop_ind_body(pk_gp_script *gs, const void *ctx, const pk_plot_opts *o);

#endif
