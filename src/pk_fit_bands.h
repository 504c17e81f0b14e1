/* pk_fit_bands: the fit's trajectory bands (fit.csv, fit_obs.csv and the
 * fit figure), from a finished fit (pk_fit.h): the MAP trajectory, bands
 * over the parameters' uncertainty and the 90% prediction interval of
 * what would be observed.  Kept apart from the optimiser and the sampler,
 * which change for their own reasons.
 *
 * Three kinds of interval, all on the problem's band grid:
 *  - q: 5/50/95% of the model output over the posterior draws of the
 *    estimated parameters, every other parameter at its value (the SIR
 *    proposals' own trajectories: no solving);
 *  - q_all: the same with every other uncertain parameter (a prior spread,
 *    not fixed) drawn from its prior, truncated to its admissible range,
 *    as the sweep draws them (pk_sweep_draws.c): draw k's values come from
 *    its own seeded stream, so the bands do not depend on the threads;
 *  - pi: the 90% prediction interval of an observation: each draw's
 *    trajectory (q_all's draws, or q's with PK_BANDS_ESTIMATED) plus the
 *    observable's residual error (log-normal WBC, binomial counts of the
 *    observable's default n cells, the concentration's error model),
 *    simulated from another seeded stream per draw; its 5% and 95%. */
#ifndef PK_FIT_BANDS_H
#define PK_FIT_BANDS_H

#include <stddef.h>

#include "pk_fit.h"

typedef enum {
    PK_BANDS_ALL = 0,      /* every uncertain parameter (fit's default) */
    PK_BANDS_ESTIMATED = 1 /* the estimated parameters only (fit --band estimated) */
} pk_bands_params;

typedef struct pk_fit_bands_opts {
    pk_bands_params params; /* which parameters q_all and pi vary */
} pk_fit_bands_opts;

pk_fit_bands_opts pk_fit_bands_default_opts(void);

/* Stream offsets of the bands' draws (pk_prior_stream_seed(seed, base + k)
 * for draw k): apart from the fit's starts, proposals and the sweep's. */
#define PK_BANDS_STREAM_PARAM 3000000UL
#define PK_BANDS_STREAM_NOISE 4000000UL

typedef struct pk_fit_bands {
    size_t n_time, n_col;
    double *t, *dose;          /* day, daily dose in force (mg/day) */
    int col[PK_MAX_OBS];       /* observable of each column (concentration first) */
    double *map;               /* n_time x n_col */
    double *q;                 /* n_time x n_col x 3: 5%, 50%, 95% (estimated parameters) */
    pk_bands_params params;    /* what q_all and pi vary */
    double *q_all;             /* n_time x n_col x 3 over every uncertain parameter;
                                  NULL with PK_BANDS_ESTIMATED */
    double *pi;                /* n_time x n_col x 2: 5% and 95% of an observation;
                                  NAN for an output that is never observed */
    double *obs_pi;            /* n_obs x 2: the same at each observation of the
                                  patient, with its own cell count */
    size_t n_used;             /* draws behind q */
    size_t n_sim;              /* draws behind q_all and pi (those that solved) */
    size_t n_prior;            /* parameters drawn from their priors for q_all */
    int noise_reps;            /* simulated observations per draw behind pi */
    long n_solved;             /* solver runs the bands took */
} pk_fit_bands;

/* Fills b from the fit: the MAP solved at the fit's rtol; the draws for
 * q_all and pi solved at its sir_rtol, in parallel (fp->o.threads), on the
 * band grid and the observation days.  Without posterior draws only the
 * MAP (n_used = n_sim = 0).  Free b with pk_fit_bands_free, also after an
 * error. */
int pk_fit_bands_run(const pk_fit_problem *fp, const pk_fit_result *res,
                     const pk_fit_bands_opts *o, pk_fit_bands *b, pk_err *err);
void pk_fit_bands_free(pk_fit_bands *b);

#endif
