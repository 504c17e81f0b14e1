/* pk_solver: integrates a model over a dosing history.
 *
 * Two engines share one interface:
 *  - split (default): the PK through the propagator of pk_prop.h, built
 *    once per PK parameter set and reused across calls; CVODE on the PD
 *    states alone with C(t) interpolated from it;
 *  - coupled (reference): CVODE on all states together, stopping at every
 *    dose to add it and re-initialise.
 * States flagged log_scale are integrated as logarithms, which keeps their
 * relative accuracy while they fall over decades.
 *
 * A pk_solver is one thread's workspace: not shared between threads. */
#ifndef PK_SOLVER_H
#define PK_SOLVER_H

#include <stddef.h>

#include "pk_dosing.h"
#include "pk_err.h"
#include "pk_model.h"

typedef enum { PK_ADAMS = 0, PK_BDF = 1 } pk_method;

typedef struct pk_solver_opts {
    double rtol;         /* CVODE relative tolerance (PD, or all in coupled) */
    double atol_scale;   /* multiplies every state's atol = rtol * scale */
    double pk_rtol;      /* propagator tolerance; 0 (default): min(1e-7, rtol/10) */
    int coupled;         /* 1: reference engine */
    pk_method method;    /* PD (split) or whole system (coupled) */
    long max_steps;      /* per output interval */
    int plain_pd;        /* 1: without the model's PD integration aids
                            (exposure shift, loosened weights; pk_model.h) */
} pk_solver_opts;

/* rtol 3e-7 for the PD (Adams), 1e-8 for the propagator. */
pk_solver_opts pk_solver_default_opts(void);

typedef struct pk_solver_stats {
    long steps;          /* CVODE steps, PD or coupled */
    long rhs_evals;
    long prop_builds;    /* propagators built (cache misses) */
    long prop_steps;     /* CVODE steps spent on propagators */
} pk_solver_stats;

typedef struct pk_solver pk_solver;

/* Returns NULL with err set on failure.  Free with pk_solver_free. */
pk_solver *pk_solver_new(const pk_model *m, const pk_solver_opts *opts, pk_err *err);
void pk_solver_free(pk_solver *s);

/* Simulates from t = 0 (the model's initial state) at parameters theta
 * (model units, n_param values) and body weight (NAN = 80 kg), with the
 * doses (sorted by time, t >= 0).  Writes the n_state states at each of
 * the n_out non-decreasing times t_out (days >= 0) to x_out (row-major,
 * physical scale); at a dose time the value just before the dose. */
int pk_solver_run(pk_solver *s, const double *theta, double weight_kg, const pk_dose *doses,
                  size_t n_doses, const double *t_out, size_t n_out, double *x_out,
                  pk_err *err);

/* As pk_solver_run (split engine only), also giving the forward
 * sensitivities of every state to theta[par[j]], j < n_par, by CVODES:
 * xs_out is n_out x n_par x n_state, d state / d theta (physical scale).
 * The parameters must not change the PK (their PK-state sensitivities are
 * reported as 0); perturb PK parameters by re-simulation instead. */
int pk_solver_run_sens(pk_solver *s, const double *theta, double weight_kg, const pk_dose *doses,
                       size_t n_doses, const double *t_out, size_t n_out, size_t n_par,
                       const int *par, double *x_out, double *xs_out, pk_err *err);

/* A forecast from t_switch: the doses `before` up to t_switch, `after`
 * from it (the two lists agree before t_switch).  With the split engine,
 * the outputs before t_switch and at it are bit-identical to
 * pk_solver_run with `before`: the run is the same up to there and
 * restarts from its state at t_switch.  The coupled engine runs `after`
 * throughout. */
int pk_solver_run_switch(pk_solver *s, const double *theta, double weight_kg,
                         const pk_dose *before, size_t n_before, double t_switch,
                         const pk_dose *after, size_t n_after, const double *t_out,
                         size_t n_out, double *x_out, pk_err *err);

/* Builds the propagator for theta's PK over [0, t_end] days, exact at the
 * sorted, distinct interval lengths jumps (each at most t_end), and keeps
 * it for every later run with the same PK parameters: their other
 * interval lengths (pauses, the tail) are then interpolated (relative
 * error about 1e-8) instead of triggering a rebuild.  A run's result then
 * depends only on this table, not on the runs before it, which is what
 * makes reuse across a sweep's scenarios deterministic.  No-op in the
 * coupled engine. */
int pk_solver_pin_pk(pk_solver *s, const double *theta, double weight_kg, double t_end,
                     const double *jumps, size_t n_jumps, pk_err *err);

/* Resumable runs (split engine), for doses decided during the run:
 * start at day 0 with the doses planned so far and the horizon t_end;
 * advance through sorted output times (it stops exactly at the last);
 * redose replaces the whole dose list, which must agree with the old one
 * before the current time, and continues from the current state. */
int pk_solver_start(pk_solver *s, const double *theta, double weight_kg, const pk_dose *doses,
                    size_t n_doses, double t_end, pk_err *err);
int pk_solver_advance(pk_solver *s, const double *t_out, size_t n_out, double *x_out,
                      pk_err *err);
int pk_solver_redose(pk_solver *s, const pk_dose *doses, size_t n_doses, pk_err *err);

/* Derived constants of the last run (model-specific layout). */
const double *pk_solver_derived(const pk_solver *s);

/* Cumulative statistics since pk_solver_new. */
pk_solver_stats pk_solver_get_stats(const pk_solver *s);

#endif
