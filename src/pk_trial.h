/* pk_trial: virtual trials.  N virtual patients drawn from a population
 * model (a popfit.ini), every regimen on every patient (common random
 * numbers), the model's read-outs reduced to population summaries with
 * their Monte Carlo errors, ranked as pk_sweep ranks.
 *
 * The work is split by job: pk_trial_pop.c (the population and its
 * draws), pk_trial_reduce.c (streaming summaries: memory flat in N),
 * pk_trial.c (the runner: blocks of patients on ranks and threads),
 * pk_trial_write.c (files and the table), pk_mpi.c (MPI, or its serial
 * stand-in).
 *
 * Determinism: patient i's parameters come from its own seeded stream,
 * patients run in fixed blocks of PK_TRIAL_BLOCK whatever the rank and
 * thread counts, and the blocks are reduced on rank 0 in block order, so
 * the files are the same bytes for any --threads, any number of MPI ranks
 * and the serial build. */
#ifndef PK_TRIAL_H
#define PK_TRIAL_H

#include <stddef.h>
#include <stdio.h>

#include "pk_err.h"
#include "pk_patient.h"
#include "pk_reduce.h"
#include "pk_sweep.h"

#define PK_TRIAL_BLOCK 128 /* patients per block: the unit of work and of reduction */

/* ---- the population (pk_trial_pop.c) ---- */
typedef struct pk_trial_pop {
    char path[512];                 /* the popfit.ini */
    pk_patient tmpl;                /* the template patient, the population's [parameters] on it */
    int from_pop[PK_MAX_PARAM];     /* 1: in the population's [parameters] */
    double eta_typ[PK_MAX_PARAM];   /* typical value on its prior's scale (log, logit, log10) */
    double se[PK_MAX_PARAM];        /* [uncertainty]: its standard error on that scale (0: none) */
    double omega[PK_MAX_PARAM];     /* between-subject SD on that scale (0: fixed) */
    int re[PK_MAX_PARAM];           /* parameters with a random effect (omega > 0) */
    size_t n_re;
    double L[PK_MAX_PARAM * PK_MAX_PARAM]; /* n_re x n_re lower Cholesky factor of their
                                              covariance ([correlation] or diagonal) */
} pk_trial_pop;

/* Reads popfit (its model, [parameters], [uncertainty], [correlation];
 * [error] is checked, not used: a trial simulates no measurements) onto a
 * template patient: patient_file when not NULL (its weight, day-0 values
 * and priors of the parameters the population leaves out; its dosing is
 * not used), else the model's defaults.  Errors: FILE:LINE: KEY. */
int pk_trial_pop_load(const char *popfit, const char *patient_file, pk_trial_pop *pop,
                      pk_err *err);
void pk_trial_pop_free(pk_trial_pop *pop);

/* Patient i's parameters (model units, n_param): the typical values drawn
 * from their uncertainty, then the random effects from N(0, Omega), then
 * every other parameter with a prior spread from its prior (as a sweep
 * draws it); out of range: redrawn, after 100 misses the nearest bound.
 * Its own stream: pk_prior_stream_seed(seed, PK_TRIAL_STREAM + i). */
#define PK_TRIAL_STREAM (1UL << 40)
void pk_trial_pop_draw(const pk_trial_pop *pop, unsigned long seed, size_t i, double *theta);

/* ---- the streaming summaries (pk_trial_reduce.c) ---- */
/* A fixed linear histogram for read-outs that take negative values
 * (log10 of a burden); range from the first block, widened. */
typedef struct pk_trial_linhist {
    double lo, width;
    uint32_t below, above, bin[PK_LOGHIST_BINS];
} pk_trial_linhist;

/* One (scenario, read-out): count, running mean and squared deviations (in patient
 * order), and a histogram for its quantiles. */
typedef struct pk_trial_stat {
    long n;
    double mean, m2;     /* running mean; sum of squared deviations (Welford) */
    double min, max;     /* quantiles are kept inside them (a fraction never above 1) */
    int linear;          /* 1: lin, 0: log */
    pk_loghist log;
    pk_trial_linhist lin;
} pk_trial_stat;

typedef struct pk_trial_reducer {
    size_t ns, nro, ne, nday;
    const pk_model *m;
    int ev_day[4], ev_ind[4], ev_desired[4]; /* the model's events: read-out indices */
    pk_trial_stat *st;   /* ns x nro */
    long *ev_n;          /* ns x ne: patients whose course simulated */
    long *ev_cnt;        /* ns x ne x (nday+1): event reached on that day (ceil) */
    long *fails;         /* ns */
    size_t blocks;       /* blocks added */
} pk_trial_reducer;

int pk_trial_reducer_init(pk_trial_reducer *rd, const pk_model *m, size_t ns, size_t nday);
void pk_trial_reducer_free(pk_trial_reducer *rd);
/* One block of nb patients' read-outs (nb x ns x nro, NaN: failed), in
 * patient order; blocks must come in block order. */
void pk_trial_reducer_add(pk_trial_reducer *rd, const double *ro, size_t nb);

/* Summary of read-out k of scenario s: mean, its Monte Carlo SE, SD, and
 * the 5%, 50% and 95% quantiles (a probability: its mean in all three). */
typedef struct pk_trial_summary {
    long n;
    double mean, se, sd, q[3];
} pk_trial_summary;
pk_trial_summary pk_trial_reducer_summary(const pk_trial_reducer *rd, size_t s, size_t k,
                                          long *clipped);
/* Fraction of patients with event e by day d (a desired event: reached;
 * an adverse one: still free of it) and its SE; NaN without patients. */
double pk_trial_event(const pk_trial_reducer *rd, size_t s, size_t e, size_t d, double *se);

/* ---- the run (pk_trial.c) ---- */
typedef struct pk_trial_opts {
    pk_sweep_opts sw;       /* doses, schedules, days, rules, seed, threads, rtol, rank */
    long patients;          /* N */
    int per_patient;        /* write trial_patients.csv */
    int progress;           /* a progress line (rank 0 on a terminal) */
} pk_trial_opts;

pk_trial_opts pk_trial_default_opts(void);

typedef struct pk_trial_result {
    pk_sweep_result sw;     /* the scenarios, q (5/50/95% or the rate) and order */
    pk_trial_reducer rd;
    long sims, fails, clipped;
    double seconds;         /* the whole run (rank 0) */
    double reduce_seconds;  /* rank 0's reductions and per-patient rows */
    double wait_seconds;    /* summed over the ranks: time waiting on the others (for a
                               block's slot, a send, the end), reductions excluded */
    int ranks, threads;
} pk_trial_result;

/* The options and regimens, checked as pk_trial_run checks them, before
 * anything is written. */
int pk_trial_check(const pk_trial_pop *pop, const pk_trial_opts *o, pk_err *err);

/* Runs the trial on every rank of the communicator mp (pk_mpi.h); rank 0
 * holds the result.  per_patient (rank 0, may be NULL): the tidy rows of
 * every patient and regimen, written as the blocks are reduced.  Bad
 * options and inputs are refused on every rank before any simulation. */
struct pk_mpi;
int pk_trial_run(const pk_trial_pop *pop, const pk_trial_opts *o, const struct pk_mpi *mp,
                 FILE *per_patient, pk_trial_result *r, pk_err *err);
void pk_trial_result_free(pk_trial_result *r);

/* ---- the files (pk_trial_write.c) ---- */
/* trial.csv, trial_events.csv, trial_summary.txt into dir (a stage). */
void pk_trial_write_files(FILE *table, FILE *events, FILE *summary, const pk_trial_pop *pop,
                          const pk_trial_opts *o, const pk_trial_result *r);
void pk_trial_patients_header(FILE *f, const pk_trial_pop *pop);
/* The ranked table, on the terminal. */
void pk_trial_print(FILE *f, const pk_trial_pop *pop, const pk_trial_opts *o,
                    const pk_trial_result *r);

#endif
