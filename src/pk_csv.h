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

/* A CSV with text columns (a sweep's scenario names): fields as written
 * (RFC 4180 quotes undone), and as numbers where they are numbers (NAN
 * elsewhere, "NA" included).  Rows must have the header's field count. */
typedef struct pk_csv_text {
    size_t n_col, n_row;
    char **name;     /* n_col column names */
    char **s;        /* n_row x n_col fields */
    double *v;       /* n_row x n_col numbers */
} pk_csv_text;

int pk_csv_read_text(const char *path, pk_csv_text *t, pk_err *err);
void pk_csv_text_free(pk_csv_text *t);
int pk_csv_text_col(const pk_csv_text *t, const char *name);

#endif
