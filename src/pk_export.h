/* pk_export: patient files written back as one NONMEM-style data set
 * (docs/data-sets.md): a row for every dose and every observation, and
 * with result directories the predictions joined to the observations on
 * patient id, day and observable:
 *   - a fit's fit_obs.csv: PRED = pred_prior_median, IPRED = ipred_map,
 *     RES = residual;
 *   - a population fit's popfit_obs.csv: PRED = pred, IPRED = ipred, RES
 *     and IWRES = iwres, CWRES = cwres (IWRES and CWRES columns are written
 *     when some directory is a population fit's);
 *   - a simulation's simulation.csv: PRED = the simulated value at the
 *     observation's day, where the simulation has a row at that day; the
 *     patient is the one whose file simulation.run.json fingerprints (or
 *     the only one exported).
 * A later directory's values replace an earlier one's. */
#ifndef PK_EXPORT_H
#define PK_EXPORT_H

#include <stddef.h>

#include "pk_err.h"

#define PK_EXPORT_MAX_RESULTS 64

typedef struct pk_export_opts {
    const char *results[PK_EXPORT_MAX_RESULTS]; /* --results DIR, in order */
    size_t n_results;
    const char *out;                            /* the data set to write */
} pk_export_opts;

/* Loads the n patient files, reads the result directories and writes
 * o->out atomically (never over an input).  *n_rows receives the data
 * rows written. */
int pk_export_run(const char *const *files, size_t n, const pk_export_opts *o, size_t *n_rows,
                  pk_err *err);

#endif
