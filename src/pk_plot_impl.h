/* pk_plot_impl: what the figure files share (pk_plot.c: trajectories and
 * the runner; pk_plot_sweep.c: sweep figures). */
#ifndef PK_PLOT_IMPL_H
#define PK_PLOT_IMPL_H

#include "pk_gnuplot.h"
#include "pk_plot.h"

/* Writes one figure's gnuplot code (after the terminal and output lines). */
typedef void (*plot_body)(pk_gp_script *gs, const void *ctx, const pk_plot_opts *o);

/* Known format, --out extension agreeing with it and a drawable size,
 * then gnuplot on PATH (data: what is kept without it)
 * and an interactive terminal for --show: what every figure checks first. */
int plot_ready(const pk_plot_opts *o, const char *data, pk_err *err);

/* An interactive terminal's name when a display and one exist, else "". */
const char *plot_interactive_terminal(void);

/* Draws body's script into out ("" = standard output, for dumb) through a
 * temporary file renamed into place when gnuplot succeeded; with
 * o->script_to only writes the script there. */
int plot_run(const pk_plot_opts *o, const char *out, plot_body body, const void *ctx,
             char *written, size_t n_written, pk_err *err);

#endif
