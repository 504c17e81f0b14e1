/* pk_csv: a numeric CSV with one header line, as pksim writes them. */
#ifndef PK_CSV_H
#define PK_CSV_H

#include <stddef.h>

#include "pk_err.h"

typedef struct pk_csv {
    size_t n_col, n_row;
    char **name;     /* n_col column names */
    double *v;       /* n_row x n_col */
} pk_csv;

/* Reads path: a header of distinct names, then rows of exactly as many
 * finite numbers.  On error t is empty (nothing to free). */
int pk_csv_read(const char *path, pk_csv *t, pk_err *err);
void pk_csv_free(pk_csv *t);

/* Column index by name, or -1. */
int pk_csv_col(const pk_csv *t, const char *name);

#endif
