/* pk_out: output files written atomically.  A file is written to a
 * temporary name in its final directory, flushed, synced and renamed over
 * the final name, so a reader sees the previous complete file or the new
 * complete one, never a part. */
#ifndef PK_OUT_H
#define PK_OUT_H

#include <stdio.h>

#include "pk_err.h"

typedef struct pk_out {
    FILE *f;
    char path[1024];     /* final name */
    char tmp[1100];      /* temporary name in the same directory */
} pk_out;

/* Creates dir and its parents (like mkdir -p). */
int pk_out_mkdir(const char *dir, pk_err *err);

/* Opens DIR/NAME for writing through a temporary file; the directory is
 * created when missing. */
int pk_out_open(pk_out *o, const char *dir, const char *name, pk_err *err);

/* Checks every write, syncs and renames into place.  On any failure the
 * temporary file is removed and the previous file left as it was. */
int pk_out_commit(pk_out *o, pk_err *err);

/* Abandons the file: closes and removes the temporary. Safe to repeat. */
void pk_out_abort(pk_out *o);

#endif
