/* pk_prior: the prior families of docs/model.md on their unconstrained scales
 * (log, logit, log10), for sampling and, later, for the fit's penalties. */
#ifndef PK_PRIOR_H
#define PK_PRIOR_H

#include <gsl/gsl_rng.h>

#include "pk_model.h"

/* Maps a value to the unconstrained scale of its family (identity for
 * fixed) and back. */
double pk_prior_to_eta(pk_prior_kind k, double value);
double pk_prior_from_eta(pk_prior_kind k, double eta);

/* SD on the unconstrained scale: omega = sqrt(ln(1 + CV^2)) for
 * log-normal, the SD itself for logit- and log10-normal, 0 for fixed. */
double pk_prior_sd(pk_prior_kind k, double spread);

/* One draw: median and spread in the family's terms. */
double pk_prior_draw(pk_prior_kind k, double median, double spread, const gsl_rng *r);

/* One draw truncated to the admissible range [lo, hi] of the parameter
 * (redrawn; after 100 misses, the nearest bound).  A log10-normal f_R0,
 * say, must stay below 1 for the model's initial state to exist. */
double pk_prior_draw_in(pk_prior_kind k, double median, double spread, double lo, double hi,
                        const gsl_rng *r);

/* Seed of random stream k of a run seeded with seed (splitmix64 mixing):
 * each start, draw or proposal set has its own stream, so results do not
 * depend on which thread runs it. */
unsigned long pk_prior_stream_seed(unsigned long seed, unsigned long k);

#endif
