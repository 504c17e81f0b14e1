/* pk_popfit_out: what `pksim popfit` writes (docs/popfit.md):
 * popfit.ini (the population as priors `fit --prior` reads),
 * popfit_summary.txt, popfit_params.csv, popfit_subjects.csv,
 * popfit_obs.csv and popfit_traj.csv (the curves), all or none. */
#ifndef PK_POPFIT_OUT_H
#define PK_POPFIT_OUT_H

#include <stdio.h>

#include "pk_popfit.h"

void pk_popfit_summary(FILE *f, const pk_popfit *pf, const pk_popfit_result *res);

/* Writes the six files into dir; nothing is renamed into place unless
 * every one was written.  The caller holds dir's lock. */
int pk_popfit_write(const char *dir, const pk_popfit *pf, const pk_popfit_result *res,
                    pk_err *err);

#endif
