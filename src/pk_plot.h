/* pk_plot: figures through gnuplot, driven by a pipe.  Plotting never
 * changes a result: it reads the CSV files already written, and when
 * gnuplot is missing or fails, says so and leaves every data file as it
 * was. */
#ifndef PK_PLOT_H
#define PK_PLOT_H

#include <stddef.h>
#include <stdio.h>

#include "pk_err.h"
#include "pk_patient.h"

typedef struct pk_plot_opts {
    const char *format;  /* "png" (default), "svg", "pdf" or "dumb" */
    int width, height;   /* pixels (default 1200x900); dumb: characters */
    const char *out;     /* output file; NULL: beside the CSV (dumb: stdout) */
    int show;            /* open an interactive window instead */
    FILE *script_to;     /* tests and fuzzing: the gnuplot script goes here
                            and neither gnuplot nor any file is touched */
} pk_plot_opts;

pk_plot_opts pk_plot_default_opts(void);

/* Plots a trajectory CSV written by simulate or fit (fit.csv has bands),
 * with its gnuplot script beside the figure.  p, when not NULL, supplies
 * the observations, the parameters of the reference lines (the model's
 * panels: EC50, thresholds) and the title; fitted 1: p's observations
 * were fitted (a fit's figure: `check` ones apart, hollow), 0: a
 * simulation's.  written receives the output path. */
int pk_plot_csv(const char *csv, const pk_patient *p, int fitted, const pk_plot_opts *o,
                char *written, size_t n_written, pk_err *err);

/* A sweep directory: DIR/sweep_readouts.<fmt> (read-outs against the
 * daily dose, qd and bid, median and 5-95% bars) and
 * DIR/sweep_trajectories.<fmt> (median dose, WBC and blasts of every
 * scenario). */
int pk_plot_sweep(const char *dir, const pk_plot_opts *o, char *written, size_t n_written,
                  pk_err *err);

/* A population fit's directory (popfit_obs.csv, popfit_traj.csv and
 * popfit.ini for the model's axes): DIR/popfit_gof.<fmt> (observed against
 * PRED and IPRED), DIR/popfit_res.<fmt> (CWRES and IWRES against time and
 * the predictions) and DIR/popfit_ind_1.<fmt>, _2, ... (individual fits,
 * 12 subjects a page); an earlier run's pages beyond these are removed.
 * o->out must be NULL: the figures are several files. */
int pk_plot_popfit(const char *dir, const pk_plot_opts *o, char *written, size_t n_written,
                   pk_err *err);

/* DIR (sweep.csv, else popfit_obs.csv, else fit.csv with DIR/fit.ini, else
 * simulation.csv) or a CSV file. */
int pk_plot_path(const char *path, const pk_plot_opts *o, char *written, size_t n_written,
                 pk_err *err);

#endif
