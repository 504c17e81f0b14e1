/* pk_fitout: what `pksim fit` writes: fit.ini, fit_summary.txt, fit.csv,
 * posterior.csv (each atomically), and the summary it prints. */
#ifndef PK_FITOUT_H
#define PK_FITOUT_H

#include <stdio.h>

#include "pk_fit_bands.h"

/* The summary text: parameters, observations, objective, weak points. */
void pk_fitout_summary(FILE *f, const pk_fit_problem *fp, const pk_fit_result *res);

/* Writes the four files into dir (created if missing).  Nothing is
 * renamed into place unless every file was written completely.  The
 * caller holds dir's lock (pk_out_lock), so that the four are of one run. */
int pk_fitout_write(const char *dir, const pk_fit_problem *fp, const pk_fit_result *res,
                    const pk_fit_bands *b, pk_err *err);

#endif
