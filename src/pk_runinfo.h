/* pk_runinfo: what produced an output directory, as JSON (jansson): the
 * pksim version, the command line, seed, threads and solver tolerance,
 * the SHA-256 of every input file and the UTC time.  fit writes run.json
 * beside fit.ini, sweep inside its directory, simulate
 * simulation.run.json beside simulation.csv (a directory can hold a fit
 * and a simulation). */
#ifndef PK_RUNINFO_H
#define PK_RUNINFO_H

#include <stddef.h>

#include "pk_err.h"

typedef struct pk_runinfo {
    int argc;
    char **argv;
    const char *command;
    unsigned long seed;     /* 0: the command has none */
    int threads;            /* 0: all cores */
    double rtol;            /* 0: the engine's default */
    const char *inputs[8];  /* input files, NULL-terminated */
    char *const *more;      /* further input files (popfit's many), n_more of them */
    size_t n_more;
} pk_runinfo;

/* Writes DIR/NAME atomically. */
int pk_runinfo_write(const char *dir, const char *name, const pk_runinfo *ri, pk_err *err);

#endif
