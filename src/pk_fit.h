/* pk_fit: Bayesian MAP fit of one patient (docs/model.md).
 *
 * The objective is -2 log posterior: the squared deviance residuals of the
 * fitted observations (pk_lik.h) plus prior terms ((eta - eta_median)/sd)^2
 * on each estimated parameter's unconstrained scale eta (log, logit or
 * log10; pk_prior.h).  GSL's trust-region Levenberg-Marquardt with
 * geodesic acceleration minimises it from K starts (the prior medians,
 * then draws from the priors), in parallel; the Jacobian comes from CVODES
 * forward sensitivities for PD parameters and central differences for PK
 * ones.  The optimiser stays inside each parameter's admissible range
 * (pk_param_def lo/hi) through a bounded map of eta (pk_fit.c), with or
 * without the priors.  Uncertainty: the Laplace approximation, covariance (J^T J)^-1 on
 * the eta scale at the optimum, then posterior draws by
 * sampling-importance-resampling from a multivariate t around it. */
#ifndef PK_FIT_H
#define PK_FIT_H

#include <stddef.h>

#include "pk_dosing.h"
#include "pk_err.h"
#include "pk_patient.h"
#include "pk_solver.h"

typedef enum { PK_JAC_SENS = 0, PK_JAC_FD = 1 } pk_jac_kind;

typedef struct pk_fit_opts {
    int starts;            /* optimiser starts (start 0: the prior medians) */
    unsigned long seed;    /* seeds every random stream */
    int threads;           /* 0: as many as the machine has */
    int draws;             /* posterior draws kept */
    int proposals;         /* SIR proposals */
    int use_priors;        /* 0: maximum likelihood (--no-priors) */
    int max_iter;          /* per start */
    pk_jac_kind jacobian;
    double rtol;           /* solver tolerance of the optimisation and the MAP */
    int coupled;           /* 1: the coupled (reference) engine throughout, with
                              the Jacobian by central differences */
    double sir_rtol;       /* solver tolerance of the SIR proposals: their
                              weights need the objective to ~0.01, not 1e-4 */
    int progress;          /* progress line on standard error */
    double band_every;     /* band grid (days); 0: 1 day, 0.25 up to day 100 */
} pk_fit_opts;

pk_fit_opts pk_fit_default_opts(void);

/* The problem: what is estimated, the data, the dosing. */
typedef struct pk_fit_problem {
    const pk_patient *p;
    const pk_model *m;
    pk_fit_opts o;
    size_t n_est;
    int est[PK_MAX_PARAM];            /* parameter indices */
    int is_pk[PK_MAX_PARAM];          /* 1: changes the PK (Jacobian by re-simulation) */
    pk_prior_kind kind[PK_MAX_PARAM]; /* prior family of each */
    double eta_med[PK_MAX_PARAM], eta_sd[PK_MAX_PARAM];
    /* the optimiser's box on the eta scale: each parameter's admissible
     * range [lo, hi], inset by PK_FIT_BOX_MARGIN so that finite-difference
     * steps stay inside it (an infinite end: 40 prior SDs out) */
    double eta_lo[PK_MAX_PARAM], eta_hi[PK_MAX_PARAM];
    double theta0[PK_MAX_PARAM];      /* every parameter's value outside the estimate */
    /* A population prior (pk_popfit): residuals Linv (eta - eta_med) with
     * Linv the inverse Cholesky factor of the prior covariance, instead of
     * (eta - eta_med) / eta_sd.  prior_full 0: independent priors. */
    int prior_full;
    double prior_Linv[PK_MAX_PARAM * PK_MAX_PARAM];
    /* factor on each observable's error SDs (a and b): 1, or a population
     * fit's estimate of the residual error */
    double err_factor[PK_MAX_OBS];
    pk_dose *doses;
    size_t n_doses;
    double *t;                        /* distinct observation days, ascending */
    size_t n_t;
    size_t *obs_t;                    /* per observation: index into t */
    int *obs_col;                     /* per observation: its observable */
    size_t n_res_obs;                 /* residuals from fitted observations */
    size_t n_res;                     /* plus one prior residual per estimate */
    /* the bands' grid, 0 .. last dose or observation every band_every
     * days, and the union with the observation days that SIR solves on,
     * so that its proposals give the bands without solving again */
    double band_every;
    double *band_t;                   /* n_band */
    size_t n_band;
    int band_col[PK_MAX_OBS];         /* observables of the bands (conc first) */
    size_t n_band_col;
    double *t_all;                    /* n_all: fp->t and band_t merged */
    size_t n_all;
    size_t *obs_row, *band_row;       /* rows of t_all: per fp->t, per band_t */
    size_t *obs_t_all;                /* per observation: index into t_all */
} pk_fit_problem;

/* eta-scale inset of the optimiser's box: ten times the central
 * differences' step of 1e-4. */
#define PK_FIT_BOX_MARGIN 1e-3

int pk_fit_problem_init(pk_fit_problem *fp, const pk_patient *p, const pk_fit_opts *o,
                        pk_err *err);
void pk_fit_problem_free(pk_fit_problem *fp);

/* Replaces the priors of the estimates: medians eta_med and SDs eta_sd
 * (n_est each, eta scale), and with L (n_est x n_est, row-major, its lower
 * triangle the Cholesky factor of the prior covariance; NULL:
 * independent) the full prior covariance; the optimiser's box follows the
 * new priors. */
void pk_fit_set_prior(pk_fit_problem *fp, const double *eta_med, const double *eta_sd,
                      const double *L);

/* The posterior mode from eta (overwritten): one optimiser run with the
 * thread's solver.  *obj: the sum of squared residuals there.  0 on
 * success. */
int pk_fit_mode(const pk_fit_problem *fp, pk_solver *s, double *eta, double *obj, long *sims);

/* A solver for this problem's fits at tolerance rtol (NULL on failure). */
pk_solver *pk_fit_solver(const pk_fit_problem *fp, double rtol);

/* Full parameter vector at eta. */
void pk_fit_theta(const pk_fit_problem *fp, const double *eta, double *theta);

/* Residual vector (n_res) at eta with the thread's solver.  pred, when not
 * NULL, receives every observation's prediction (n_obs, checks too). */
int pk_fit_residuals(const pk_fit_problem *fp, pk_solver *s, const double *eta, double *r,
                     double *pred, pk_err *err);

/* Residuals and Jacobian (n_res x n_est, row-major) at eta. */
int pk_fit_jacobian(const pk_fit_problem *fp, pk_solver *s, const double *eta, double *r,
                    double *J, pk_jac_kind kind, pk_err *err);

typedef struct pk_fit_result {
    size_t n_est;
    double eta[PK_MAX_PARAM];         /* MAP, unconstrained scale */
    double theta[PK_MAX_PARAM];       /* all parameters at the MAP */
    double obj, obj_obs, obj_prior;   /* -2 log posterior and its parts */
    double cov[PK_MAX_PARAM * PK_MAX_PARAM]; /* eta scale */
    int cov_ok;                       /* 0: J^T J singular (pseudo-inverse used) */
    double sd_scale;                  /* > 0: ML with additive errors, the error SD
                                         profiled: SD = a * sd_scale, sd_scale^2 =
                                         obj / n (the ML estimate) */
    double err_scale;                 /* the factor on the model's error SDs that the
                                         intervals and the SIR weights use: 1, or with
                                         the SD profiled sqrt(obj / (n - p)) (nls's
                                         residual standard error / a), cov then scaled
                                         by err_scale^2 */
    const char *obj_name;             /* what obj is: "-2 log posterior" (priors),
                                         "-2 log likelihood" (--no-priors; with the
                                         model's error SDs, so up to a constant) */
    double m2ll_profiled;             /* sd_scale > 0: -2 log likelihood, constants
                                         included, at the ML error SDs a * sd_scale:
                                         n log(2 pi) + sum 2 log(a_i sd_scale) + n;
                                         NAN otherwise */
    double *pred;                     /* n_obs predictions at the MAP */
    double *resid;                    /* n_res residuals at the MAP */
    int n_starts, n_reached, n_failed;
    double *start_obj;                /* per start (INFINITY if it failed) */
    int *start_iter;
    size_t n_draws;
    double *draws;                    /* n_draws x n_est, eta scale */
    double ess;                       /* effective sample size of the SIR weights */
    float *prop_band;                 /* every SIR proposal on the band grid:
                                         proposals x n_band x n_band_col */
    size_t *draw_prop;                /* n_draws: the proposal each draw copies */
    long n_sims;                      /* simulations (and sensitivity runs) done */
    double t_opt_s, t_sir_s;          /* wall-clock seconds */
} pk_fit_result;

/* Fits p.  res is filled (free with pk_fit_result_free, also after an
 * error). */
int pk_fit_run(const pk_fit_problem *fp, pk_fit_result *res, pk_err *err);
void pk_fit_result_free(pk_fit_result *res);

#endif
