/* pk_simulate: the `simulate` command's work, apart from its CLI: a
 * patient's trajectory on a day grid, and its CSV. */
#ifndef PK_SIMULATE_H
#define PK_SIMULATE_H

#include <stddef.h>
#include <stdio.h>

#include "pk_patient.h"
#include "pk_solver.h"

typedef struct pk_sim_request {
    double days;             /* horizon (days); 0 = last dose or observation */
    double every_day;        /* output spacing (days) */
    double dose_mg_per_day;  /* replaces the file's dosing (with schedule) when dose_set */
    int dose_set;
    double from_day;         /* > 0: keep the file's dosing before this whole day, the
                                dose above from it on (a forecast; 0 = stop the drug) */
    const char *schedule;    /* "qd" or "bid" */
    int coupled;             /* -1 = the file's choice */
    double rtol;             /* 0 = the file's, else the engine default */
} pk_sim_request;

pk_sim_request pk_sim_default_request(void);

typedef struct pk_sim_result {
    const pk_model *model;
    size_t n_time;
    double *t_day;           /* n_time */
    double *dose_mg_per_day; /* n_time: daily dose in force that day */
    double *x;               /* n_time x n_state */
    double *obs;             /* n_time x n_obs */
    pk_solver_stats stats;
    long n_clamped;          /* state values set to 0 from within the solver's
                                tolerance below it (pk_simulate_outputs) */
} pk_sim_result;

/* Simulates p as the request says.  res is filled (free with
 * pk_sim_result_free, also after an error). */
int pk_simulate_patient(const pk_patient *p, const pk_sim_request *rq, pk_sim_result *res,
                        pk_err *err);
void pk_sim_result_free(pk_sim_result *res);

/* Outputs from states.  A state integrated on a linear scale can end a
 * hair below 0 where it is 0 to within the solver's tolerance (D3 at
 * -3.4e-7 10^9/L, wbc at -8.8e-11 at extreme admissible parameters), and
 * no output may show a negative amount.  A negative state value within
 * PK_NONNEG_ATOL times its absolute tolerance as the engine applied it
 * there (rtol * atol_scale * the state's scale, times the model's
 * err_loosen factor, at most 1000, where the split engine uses it) is
 * set to 0 and counted in *n_clamped (when not NULL); one further below
 * is a solver error naming the state and the day, not hidden.  Log-scale
 * states have no tolerance below 0.  The observables (obs: n_time x
 * n_obs) are then computed from the states; a negative one is an error
 * too.  x is n_time x n_state; o the options the solver ran with;
 * derived its pk_solver_derived.  -0 is written as 0. */
#define PK_NONNEG_ATOL 100.0
int pk_simulate_outputs(const pk_model *m, const pk_solver_opts *o, const double *derived,
                        const double *t_day, size_t n_time, double *x, double *obs,
                        long *n_clamped, pk_err *err);

/* Writes the trajectory CSV: day, dose_mg_per_day, concentration, the
 * other outputs, then every state (PD states first). */
int pk_simulate_write_csv(const pk_sim_result *res, FILE *f);

/* Prints a short table of selected days to f. */
void pk_simulate_print_summary(const pk_patient *p, const pk_sim_result *res, FILE *f);

#endif
