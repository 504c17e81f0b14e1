/* pk_plot_impl: what the figure files share (pk_plot.c: the runner, the
 * options and the layout; pk_plot_traj.c: trajectory figures;
 * pk_plot_sweep.c: sweep figures). */
#ifndef PK_PLOT_IMPL_H
#define PK_PLOT_IMPL_H

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

#endif
