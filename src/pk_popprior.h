/* pk_popprior: a population fit's estimates (popfit.ini) as the priors of
 * one patient's fit: `pksim fit --prior popfit.ini PATIENT.ini`, the
 * therapeutic-drug-monitoring loop (the population's typical values and
 * between-subject SDs replace the literature priors; its residual error
 * factors and correlations come along). */
#ifndef PK_POPPRIOR_H
#define PK_POPPRIOR_H

#include "pk_err.h"
#include "pk_fit.h"
#include "pk_patient.h"

typedef struct pk_popprior {
    char path[512];
    double err_factor[PK_MAX_OBS];          /* [error]: factor on each observable's SDs */
    double corr[PK_MAX_PARAM * PK_MAX_PARAM]; /* [correlation], model parameter indices */
    int has_corr;
} pk_popprior;

/* Reads path and applies its [parameters] to p (whose model it must
 * name).  Errors: FILE:LINE: KEY. */
int pk_popprior_apply(const char *path, pk_patient *p, pk_popprior *pp, pk_err *err);

/* After pk_fit_problem_init: the error factors, and the correlations
 * among the estimated parameters as a full prior covariance. */
int pk_popprior_to_problem(const pk_popprior *pp, pk_fit_problem *fp, pk_err *err);

#endif
