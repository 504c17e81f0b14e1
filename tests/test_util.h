/* Shared helpers for the unit tests. */
#ifndef PK_TEST_UTIL_H
#define PK_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pk_dosing.h"
#include "pk_fit.h"
#include "pk_patient.h"
#include "pk_solver.h"

/* Loads PKSIM_SOURCE_DIR/rel, failing the test on any error. */
void tu_load_patient(const char *rel, pk_patient *p);

/* Runs the solver and fails the test on error.  x: n_t x n_state. */
void tu_run(const pk_model *m, const pk_solver_opts *o, const double *theta, double weight_kg,
            const pk_dose *doses, size_t n_doses, const double *t, size_t n_t, double *x);

/* Expands a patient's own regimens (caller frees). */
pk_dose *tu_doses(const pk_patient *p, size_t *n);

/* Observables for every row of x (n_t x n_obs). */
void tu_observe(const pk_model *m, const double *theta, double weight_kg, const double *x,
                size_t n_t, double *obs);

/* Maximum likelihood without SIR on one thread: no priors, no proposals
 * or draws, threads 1; the rest as pk_fit_default_opts. */
pk_fit_opts tu_ml_opts(void);

/* pk_fit_problem_init of the loaded patient p, failing the test on error. */
void tu_fit_init(pk_fit_problem *fp, const pk_patient *p, const pk_fit_opts *o);

/* tu_fit_init, then pk_fit_run, failing the test on error. */
void tu_fit_run(pk_fit_problem *fp, const pk_patient *p, const pk_fit_opts *o,
                pk_fit_result *res);

/* The fit's objective at eta into *obj: the sum of squares of its
 * residuals (r: room for fp->n_res), INFINITY when they could not be
 * computed.  Returns pk_fit_residuals' code (err says why). */
int tu_fit_objective(const pk_fit_problem *fp, pk_solver *s, const double *eta, double *r,
                     double *obj, pk_err *err);

/* max |a-b|/|b| over entries with |b| >= 1e-6 (the project's accuracy
 * metric), for column col of row-major arrays with the given stride. */
double tu_rel_metric(const double *a, const double *b, size_t n, size_t stride, size_t col);

/* 0, h, 2h, ... up to and including end (caller frees). */
double *tu_grid(double end, double h, size_t *n);

#endif
