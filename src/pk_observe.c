#include "pk_observe.h"

/* All observables of state row `row` of x into obs (PK_MAX_OBS). */
static void observe_row(const pk_model *m, const double *derived, const double *x, size_t row,
                        double *obs)
{
    m->observe(x + row * m->n_state, derived, obs);
}

/* pk_observe_rows into double (od) or float (of) storage: the other NULL. */
static void rows_into(const pk_model *m, const double *derived, const double *x,
                      const size_t *rows, size_t n_row, const int *cols, size_t n_col,
                      double *od, float *of)
{
    double obs[PK_MAX_OBS];
    for (size_t i = 0; i < n_row; i++) {
        observe_row(m, derived, x, rows ? rows[i] : i, obs);
        for (size_t c = 0; c < n_col; c++) {
            double v = obs[cols ? (size_t)cols[c] : c];
            if (od)
                od[i * n_col + c] = v;
            else
                of[i * n_col + c] = (float)v;
        }
    }
}

void pk_observe_rows(const pk_model *m, const double *derived, const double *x,
                     const size_t *rows, size_t n_row, const int *cols, size_t n_col,
                     double *out)
{
    rows_into(m, derived, x, rows, n_row, cols, n_col, out, NULL);
}

void pk_observe_rows_float(const pk_model *m, const double *derived, const double *x,
                           const size_t *rows, size_t n_row, const int *cols, size_t n_col,
                           float *out)
{
    rows_into(m, derived, x, rows, n_row, cols, n_col, NULL, out);
}

void pk_observe_pairs(const pk_model *m, const double *derived, const double *x,
                      const size_t *rows, const int *cols, size_t n, double *out)
{
    double obs[PK_MAX_OBS];
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || rows[i] != rows[i - 1])
            observe_row(m, derived, x, rows[i], obs);
        out[i] = obs[cols[i]];
    }
}
