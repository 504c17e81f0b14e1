#include "pk_prior.h"

#include <math.h>

#include <gsl/gsl_randist.h>

/* logit-scale values are bounded at +-10 (docs/model.md guards) */
#define LOGIT_BOUND 10.0

double pk_prior_to_eta(pk_prior_kind k, double v)
{
    switch (k) {
    case PK_PRIOR_LOGNORMAL:
        return log(v);
    case PK_PRIOR_LOGITNORMAL:
        return fmin(fmax(log(v / (1.0 - v)), -LOGIT_BOUND), LOGIT_BOUND);
    case PK_PRIOR_LOG10NORMAL:
        return log10(v);
    default:
        return v;
    }
}

double pk_prior_from_eta(pk_prior_kind k, double eta)
{
    switch (k) {
    case PK_PRIOR_LOGNORMAL:
        return exp(eta);
    case PK_PRIOR_LOGITNORMAL:
        if (isnan(eta)) /* fmax would make it -LOGIT_BOUND: an unknown is not 4.5e-5 */
            return NAN;
        eta = fmin(fmax(eta, -LOGIT_BOUND), LOGIT_BOUND);
        return 1.0 / (1.0 + exp(-eta));
    case PK_PRIOR_LOG10NORMAL:
        return pow(10.0, eta);
    default:
        return eta;
    }
}

double pk_prior_sd(pk_prior_kind k, double spread)
{
    switch (k) {
    case PK_PRIOR_LOGNORMAL:
        return sqrt(log1p(spread * spread));
    case PK_PRIOR_LOGITNORMAL:
    case PK_PRIOR_LOG10NORMAL:
        return spread;
    default:
        return 0.0;
    }
}

double pk_prior_draw(pk_prior_kind k, double median, double spread, const gsl_rng *r)
{
    if (k == PK_PRIOR_FIXED)
        return median;
    double eta = pk_prior_to_eta(k, median) + gsl_ran_gaussian_ziggurat(r, pk_prior_sd(k, spread));
    return pk_prior_from_eta(k, eta);
}

unsigned long pk_prior_stream_seed(unsigned long seed, unsigned long k)
{
    unsigned long z = seed * 0x9E3779B97F4A7C15UL + k * 0xBF58476D1CE4E5B9UL + 1;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    return z ^ (z >> 31);
}

double pk_prior_draw_in(pk_prior_kind k, double median, double spread, double lo, double hi,
                        const gsl_rng *r)
{
    double v = median;
    for (int i = 0; i < 100; i++) {
        v = pk_prior_draw(k, median, spread, r);
        if (v >= lo && v <= hi)
            return v;
    }
    return fmin(fmax(v, lo), hi);
}
