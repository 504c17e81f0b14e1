/* pk_lik: the observation model of docs/model.md as deviance
 * residuals, so that a least-squares optimiser minimises -2 log
 * likelihood.
 *
 * Exact observation: r = sign * sqrt(2 * (loglik_saturated - loglik)).
 * Censored observation: r = sqrt(-2 log P + 1e-6), with P the probability
 * of the censored region under the same error model, its log computed
 * from the complementary tail directly (log erfc, incomplete beta), so
 * that P near 0 or 1 keeps its precision.  The 1e-6 keeps the Jacobian
 * finite when P -> 1 and moves no optimum.
 * Proportional + additive errors have a prediction-dependent SD: a second
 * residual sqrt(2 ln(sd/a)) carries the log-determinant term, so that the
 * sum of squares is -2 log likelihood up to a constant. */
#ifndef PK_LIK_H
#define PK_LIK_H

#include "pk_model.h"

/* Fraction guards of section 5: binomial probabilities in [1e-12, 1-1e-12]. */
#define PK_LIK_PMIN 1e-12

/* Residuals an observation contributes (1 or 2). */
int pk_lik_n_residuals(const pk_obs_def *od);

/* Residuals of observation o at model prediction pred (the observable's
 * unit); writes pk_lik_n_residuals(od) values to r. */
void pk_lik_residuals(const pk_obs_def *od, const pk_observation *o, double pred, double *r);

/* What turns an observation's squared residuals into -2 log likelihood:
 * -2 log L = sum r^2 + pk_lik_m2ll_const.  Normal errors: log(2 pi) +
 * 2 log a (log-normal ones on the log scale, as NONMEM's log-transformed
 * DV); binomial counts: -2 log of the saturated probability; censored
 * values: the residual's 1e-6 taken back. */
double pk_lik_m2ll_const(const pk_obs_def *od, const pk_observation *o);

/* Probability the model gives a censored observation's region (1 for an
 * exact observation); for binomial counts with n cells. */
double pk_lik_prob(const pk_obs_def *od, const pk_observation *o, double pred);

/* Cells counted for a binomial observation (the file's n or the default). */
int pk_lik_cells(const pk_obs_def *od, const pk_observation *o);

/* The 95% range of a binomial count as a percentage of n cells. */
void pk_lik_binom_range(int n, double pct, double *lo_pct, double *hi_pct);

#endif
