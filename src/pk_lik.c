#include "pk_lik.h"

#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_machine.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_sf_gamma.h>

#define CENSOR_EPS 1e-6

int pk_lik_n_residuals(const pk_obs_def *od)
{
    return od->error == PK_ERRMODEL_PROP_ADD ? 2 : 1;
}

int pk_lik_cells(const pk_obs_def *od, const pk_observation *o)
{
    return o->n_cells > 0 ? o->n_cells : od->default_n;
}

/* log P(Z < z) for a standard normal, accurate in both tails. */
static double log_phi(double z)
{
    return log(0.5) + gsl_sf_log_erfc(-z / M_SQRT2);
}

/* log of the binomial probability of the censored region of a count:
 * "> x%" is K >= floor(x n/100) + 1, "< x%" is K <= ceil(x n/100) - 1. */
static double log_binom_region(int censor, double pct, int n, double p)
{
    double x = pct * n / 100.0;
    if (censor > 0) {
        double kmin = floor(x) + 1;
        if (kmin <= 0)
            return 0.0;
        if (kmin > n)
            return -INFINITY;
        /* P(K >= kmin) = I_p(kmin, n - kmin + 1) */
        double q = gsl_cdf_beta_P(p, kmin, n - kmin + 1);
        return q > 0 ? log(q) : log(GSL_DBL_MIN);
    }
    double kmax = ceil(x) - 1;
    if (kmax < 0)
        return -INFINITY;
    if (kmax >= n)
        return 0.0;
    /* P(K <= kmax) = I_{1-p}(n - kmax, kmax + 1) */
    double q = gsl_cdf_beta_Q(p, kmax + 1, n - kmax);
    return q > 0 ? log(q) : log(GSL_DBL_MIN);
}

static double clamp_p(double pct)
{
    return fmin(fmax(pct / 100.0, PK_LIK_PMIN), 1.0 - PK_LIK_PMIN);
}

/* SD of a normal error model at prediction mu. */
static double normal_sd(const pk_obs_def *od, double mu)
{
    if (od->error == PK_ERRMODEL_PROP_ADD)
        return sqrt(od->a * od->a + od->b * od->b * mu * mu);
    return od->a;
}

static double log_region(const pk_obs_def *od, const pk_observation *o, double pred)
{
    double z;
    switch (od->error) {
    case PK_ERRMODEL_BINOMIAL:
        return log_binom_region(o->censor, o->value, pk_lik_cells(od, o), clamp_p(pred));
    case PK_ERRMODEL_LOGNORMAL:
        z = (log(o->value) - log(fmax(pred, 1e-300))) / od->a;
        break;
    default:
        z = (o->value - pred) / normal_sd(od, pred);
        break;
    }
    return o->censor < 0 ? log_phi(z) : log_phi(-z);
}

double pk_lik_prob(const pk_obs_def *od, const pk_observation *o, double pred)
{
    return o->censor ? exp(log_region(od, o, pred)) : 1.0;
}

void pk_lik_residuals(const pk_obs_def *od, const pk_observation *o, double pred, double *r)
{
    if (o->censor) {
        r[0] = sqrt(-2.0 * log_region(od, o, pred) + CENSOR_EPS);
        if (od->error == PK_ERRMODEL_PROP_ADD)
            r[1] = 0.0;
        return;
    }
    switch (od->error) {
    case PK_ERRMODEL_LOGNORMAL:
        r[0] = (log(o->value) - log(fmax(pred, 1e-300))) / od->a;
        break;
    case PK_ERRMODEL_BINOMIAL: {
        /* deviance 2[k ln(k/(n p)) + (n-k) ln((n-k)/(n (1-p)))], 0 ln 0 = 0 */
        double n = pk_lik_cells(od, o), k = o->value * n / 100.0, p = clamp_p(pred);
        double dev = 0;
        if (k > 0)
            dev += k * log(k / (n * p));
        if (n - k > 0)
            dev += (n - k) * log((n - k) / (n * (1 - p)));
        dev = fmax(2 * dev, 0.0);
        r[0] = (k >= n * p ? 1.0 : -1.0) * sqrt(dev);
        break;
    }
    case PK_ERRMODEL_PROP_ADD: {
        double sd = normal_sd(od, pred);
        r[0] = (o->value - pred) / sd;
        r[1] = sqrt(2.0 * log(sd / od->a));
        break;
    }
    default:
        r[0] = (o->value - pred) / normal_sd(od, pred);
        break;
    }
}

double pk_lik_m2ll_const(const pk_obs_def *od, const pk_observation *o)
{
    if (o->censor)
        return -CENSOR_EPS;
    if (od->error != PK_ERRMODEL_BINOMIAL)
        return log(2 * M_PI) + 2 * log(od->a);
    /* -2 log [C(n, k) (k/n)^k (1 - k/n)^(n-k)], k as a real count */
    double n = pk_lik_cells(od, o), k = o->value * n / 100.0;
    double l = gsl_sf_lngamma(n + 1) - gsl_sf_lngamma(k + 1) - gsl_sf_lngamma(n - k + 1);
    if (k > 0)
        l += k * log(k / n);
    if (n - k > 0)
        l += (n - k) * log((n - k) / n);
    return -2 * l;
}

void pk_lik_binom_range(int n, double pct, double *lo_pct, double *hi_pct)
{
    double p = clamp_p(pct);
    unsigned lo = 0, hi = (unsigned)n;
    while (lo < (unsigned)n && gsl_cdf_binomial_P(lo, p, (unsigned)n) < 0.025)
        lo++;
    while (hi > 0 && gsl_cdf_binomial_P(hi - 1, p, (unsigned)n) >= 0.975)
        hi--;
    *lo_pct = 100.0 * lo / n;
    *hi_pct = 100.0 * hi / n;
}
