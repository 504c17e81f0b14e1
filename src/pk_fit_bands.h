/* pk_fit_bands: the fit's trajectory bands (fit.csv and the fit figure),
 * from a finished fit (pk_fit.h): the MAP trajectory and quantiles over
 * the posterior draws.  Kept apart from the optimiser and the sampler,
 * which change for their own reasons. */
#ifndef PK_FIT_BANDS_H
#define PK_FIT_BANDS_H

#include <stddef.h>

#include "pk_fit.h"

/* Trajectory at the MAP and 5/50/95% bands over the posterior draws, on
 * the problem's band grid (band_every days from 0 to the last dose or
 * observation).  The draws' trajectories come from their SIR proposals,
 * which were solved on that grid; only the MAP is solved here. */
typedef struct pk_fit_bands {
    size_t n_time, n_col;
    double *t, *dose;          /* day, daily dose in force (mg/day) */
    int col[PK_MAX_OBS];       /* observable of each column (concentration first) */
    double *map;               /* n_time x n_col */
    double *q;                 /* n_time x n_col x 3: 5%, 50%, 95% */
    size_t n_used;             /* draws that simulated */
    long n_solved;             /* solver runs the bands took */
} pk_fit_bands;

int pk_fit_bands_run(const pk_fit_problem *fp, const pk_fit_result *res, pk_fit_bands *b,
                     pk_err *err);
void pk_fit_bands_free(pk_fit_bands *b);

#endif
