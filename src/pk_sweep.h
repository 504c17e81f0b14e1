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

#include "pk_dosing.h"
#include "pk_err.h"
#include "pk_patient.h"

typedef struct pk_sweep_opts {
    double doses[8];        /* mg/day for the product scenarios */
    size_t n_doses;
    int qd, bid;            /* schedules in the product */
    double days;            /* horizon */
    int draws;
    int point;              /* 1: the MAP (or prior medians) once per scenario */
    unsigned long seed;
    int threads;
    int progress;
    double max_g4_days;     /* ranking: at most this many grade IV days */
    const char *rank;       /* read-out to rank by, NULL = the default */
    char posterior[1100];   /* posterior.csv path ("" = none) */
    const struct pk_rules *rules; /* adds a rule-based scenario when not NULL */
    int noisy_counts;       /* rules see counts with measurement error */
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

/* The parameter vectors of draws first .. first+n_draws-1 (n_draws x
 * n_param, model units), as pk_sweep_run takes them: from o->posterior
 * when set (read and checked here), else from the priors; with o->point
 * the MAP.  Each draw has its own seeded stream.  from_fit says which. */
int pk_sweep_draws(const pk_patient *p, const pk_sweep_opts *o, size_t first, size_t n_draws,
                   double *theta, int *from_fit, pk_err *err);

/* Files: sweep.csv, sweep_trajectories.csv, sweep_summary.txt in dir. */
int pk_sweep_write(const char *dir, const pk_patient *p, const pk_sweep_opts *o,
                   const pk_sweep_result *r, pk_err *err);

/* The ranked table. */
void pk_sweep_print(FILE *f, const pk_patient *p, const pk_sweep_opts *o,
                    const pk_sweep_result *r);

#endif
