/* pk_sweep: dosing scenarios x parameter draws, and the model's read-outs
 * (pk_model.h) with their uncertainty.
 *
 * The work is split by job: pk_sweep_spec.c (options, scenarios, the
 * ranking rule), pk_sweep_draws.c (parameter draws), pk_sweep.c (the
 * runner), pk_sweep_reduce.c (quantiles over draws, ranking) and
 * pk_sweep_write.c (files and the table).
 *
 * Draws: with a fit (a fit.ini with its posterior.csv) each draw takes the
 * estimated parameters from a posterior draw and every other parameter
 * that has a prior spread from its prior; without a fit, every such
 * parameter from its prior (a virtual population).  Draw d uses the same
 * parameters in every scenario (common random numbers), from its own
 * seeded stream, so results do not depend on the thread count. */
#ifndef PK_SWEEP_H
#define PK_SWEEP_H

#include <stddef.h>
#include <stdio.h>

#include "pk_csv.h"
#include "pk_dosing.h"
#include "pk_err.h"
#include "pk_patient.h"

typedef struct pk_sweep_opts {
    double doses[8];        /* mg/day for the product scenarios */
    size_t n_doses;
    int qd, bid;            /* schedules in the product */
    double days;            /* horizon (day, counted from day 0) */
    double from_day;        /* a forecast: the patient file's dosing before this day, each
                               scenario from it on; read-outs count from it (0: none) */
    int draws;
    int point;              /* 1: the MAP (or prior medians) once per scenario */
    unsigned long seed;
    int threads;
    int progress;
    double rank_limit_max;  /* the default ranking's bound on the model's rank_limit
                               read-out (NAN: the model's; --max-grade4-days) */
    const char *rank;       /* "READOUT[:asc|desc]" to rank by, NULL = the model's rule */
    char posterior[1100];   /* posterior.csv path ("" = none) */
    const struct pk_rules *rules; /* adds a rule-based scenario when not NULL */
    int noisy_counts;       /* rules see counts with measurement error */
    int resample;           /* reuse posterior rows when there are fewer than draws */
    double rtol;            /* PD solver tolerance (default 1e-5) */
} pk_sweep_opts;

pk_sweep_opts pk_sweep_default_opts(void);

/* A change of the daily dose in the rules scenario (day 0 counts as one). */
typedef struct pk_dose_change {
    size_t draw, day;
    double mg_per_day;
} pk_dose_change;

typedef struct pk_sweep_result {
    size_t n_scen, n_draws, n_days;
    pk_scenario *scen;      /* n_scen */
    size_t n_ro;            /* the model's read-outs */
    size_t n_tr;            /* observables in the trajectories (the model's sweep_obs) */
    int tr_obs[3];          /* their indices */
    double *q;              /* n_scen x n_ro x 3 (5%, 50%, 95%); probabilities in all three */
    double *traj;           /* n_scen x (n_days+1) x n_tr outputs x 3 quantiles: exact up
                               to 128 draws, from fixed histograms of ln(value) beyond */
    long clipped;           /* trajectory quantiles that fell outside their histogram */
    double *dose;           /* n_scen x (n_days+1): daily dose */
    double *ro;             /* every read-out: n_draws x n_scen x n_ro (NaN: failed) */
    /* which assumptions drive the answer (not with --point): the
     * parameters that vary over the draws, the PRCC of each with every
     * read-out of every scenario, and the top-ranked scenario when only
     * the draws in the lower or the upper tertile of a parameter count */
    size_t n_varied;
    int varied[PK_MAX_PARAM];
    int estimated[PK_MAX_PARAM]; /* 1: from the posterior, 0: from its prior */
    double *prcc;           /* n_scen x n_ro x n_varied */
    int top_low[PK_MAX_PARAM], top_high[PK_MAX_PARAM];
    int *order;             /* ranking */
    int rules_scen;         /* index of the rule-based scenario, -1 without */
    pk_dose_change *change; /* the rules scenario's dose histories, by draw then day */
    size_t n_change, cap_change;
    size_t n_dose_days;
    int from_fit;           /* draws from a posterior */
    double seconds;
    long sims;
    long fails;             /* simulations that failed, left out of the quantiles */
} pk_sweep_result;

/* Builds the scenarios (product of doses and schedules, then the file's
 * [sweep] scenarios) and runs every (scenario, draw). */
int pk_sweep_run(const pk_patient *p, const pk_sweep_opts *o, pk_sweep_result *r, pk_err *err);
void pk_sweep_result_free(pk_sweep_result *r);

/* A fit's posterior draws, read and checked once. */
typedef struct pk_sweep_posterior {
    pk_csv csv;
    int col[PK_MAX_PARAM];  /* column of each parameter, -1 when none */
    int loaded;             /* draws come from it */
} pk_sweep_posterior;

/* Reads o->posterior (when set and not --point) for n_draws draws and
 * refuses, in one line naming the file: a SHA-256 other than the one
 * fit.ini recorded (another fit's file, changed or truncated), a row count
 * other than the recorded one, a missing column of an estimated parameter
 * or one that is not a parameter, a value outside its parameter's
 * admissible range, fewer rows than n_draws unless o->resample. */
int pk_sweep_posterior_load(const pk_patient *p, const pk_sweep_opts *o, size_t n_draws,
                            pk_sweep_posterior *post, pk_err *err);
void pk_sweep_posterior_free(pk_sweep_posterior *post);

/* The parameter vectors of draws first .. first+n_draws-1 (n_draws x
 * n_param, model units), as pk_sweep_run takes them: the estimated ones
 * from the posterior when loaded (row d, or d mod rows with resampling),
 * the rest from their priors; with o->point the MAP.  Each draw has its
 * own seeded stream. */
void pk_sweep_draws(const pk_patient *p, const pk_sweep_opts *o, const pk_sweep_posterior *post,
                    size_t first, size_t n_draws, double *theta);

/* Files: sweep.csv, sweep_trajectories.csv, sweep_summary.txt in dir. */
int pk_sweep_write(const char *dir, const pk_patient *p, const pk_sweep_opts *o,
                   const pk_sweep_result *r, pk_err *err);

/* The ranked table. */
void pk_sweep_print(FILE *f, const pk_patient *p, const pk_sweep_opts *o,
                    const pk_sweep_result *r);

#endif
