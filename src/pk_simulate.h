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
} pk_sim_result;

/* Simulates p as the request says.  res is filled (free with
 * pk_sim_result_free, also after an error). */
int pk_simulate_patient(const pk_patient *p, const pk_sim_request *rq, pk_sim_result *res,
                        pk_err *err);
void pk_sim_result_free(pk_sim_result *res);

/* Writes the trajectory CSV: day, dose_mg_per_day, concentration, the
 * other outputs, then every state (PD states first). */
int pk_simulate_write_csv(const pk_sim_result *res, FILE *f);

/* Prints a short table of selected days to f. */
void pk_simulate_print_summary(const pk_patient *p, const pk_sim_result *res, FILE *f);

#endif
