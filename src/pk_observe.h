/* pk_observe: a trajectory's observables from its states.  The one place
 * that calls a model's observe callback: simulate, the fit's residuals,
 * its SIR proposals and its bands all read their outputs through it. */
#ifndef PK_OBSERVE_H
#define PK_OBSERVE_H

#include <stddef.h>

#include "pk_model.h"

/* Observables cols[0 .. n_col) at the state rows rows[0 .. n_row) of x
 * (each row m->n_state values) into out, n_row x n_col row-major.  rows
 * NULL: rows 0 .. n_row - 1; cols NULL: observables 0 .. n_col - 1.
 * derived: the constants the states were solved with (pk_solver_derived). */
void pk_observe_rows(const pk_model *m, const double *derived, const double *x,
                     const size_t *rows, size_t n_row, const int *cols, size_t n_col,
                     double *out);

/* The same into float storage (the bands' per-draw arrays). */
void pk_observe_rows_float(const pk_model *m, const double *derived, const double *x,
                           const size_t *rows, size_t n_row, const int *cols, size_t n_col,
                           float *out);

/* One value per observation i < n: observable cols[i] at state row
 * rows[i] of x into out[i].  A row equal to the one before is observed
 * once (observations sorted by day share their rows). */
void pk_observe_pairs(const pk_model *m, const double *derived, const double *x,
                      const size_t *rows, const int *cols, size_t n, double *out);

#endif
