/* pk_popfit: population (nonlinear mixed-effects) fit over many patients
 * (docs/popfit.md).
 *
 * Each listed parameter has a typical value mu_j and a between-subject
 * random effect on its own unconstrained scale (log, logit, log10: the
 * scale of its prior, pk_prior.h): eta_ij ~ N(mu, Omega).  The residual
 * errors are the model's, each observable's SDs times a factor that is
 * estimated (or held at 1).  Parameters not listed keep each patient's
 * file values.
 *
 * Method: FOCE with interaction, i.e. the Laplace approximation around
 * each subject's conditional mode with the Gauss-Newton Hessian:
 *   -2 log L_i = sum r^2 + log det(Omega) + log det(J^T J) + sum c_k,
 * r the subject's deviance residuals (pk_lik.h) stacked with the prior
 * residuals Omega^-1/2 (eta - mu), J their Jacobian in eta at the mode
 * and c_k the constants of pk_lik_m2ll_const.  For normal errors this is
 * the likelihood of the model linearised at the modes (FOCE-I; nlme's
 * Lindstrom-Bates step); for binomial counts and censored values, the
 * Laplace approximation of the same integral.  The modes come from the
 * individual MAP machinery (pk_fit.h) with the population as the prior.
 * The outer minimisation is GSL's BFGS on central-difference gradients;
 * standard errors from the central-difference Hessian of -2 log L. */
#ifndef PK_POPFIT_H
#define PK_POPFIT_H

#include <stddef.h>

#include "pk_err.h"
#include "pk_fit.h"
#include "pk_patient.h"

typedef struct pk_popfit_opts {
    int threads;             /* subjects in parallel; 0: as many as the machine has */
    int progress;            /* progress line on standard error */
    double rtol;             /* solver tolerance */
    int full_omega;          /* 1: covariances between the random effects */
    int use_priors;          /* 1: the literature priors of the first file on the
                                typical values (a penalty, like NONMEM's $PRIOR) */
    int sigma_fixed;         /* 1: the model's error SDs as they are */
    int max_iter;            /* outer iterations */
    size_t n_param;
    int param[PK_MAX_PARAM]; /* model parameter indices, in the user's order */
    double omega_fixed[PK_MAX_PARAM]; /* per listed parameter: NAN, or a fixed
                                         between-subject SD (eta scale; 0: none) */
} pk_popfit_opts;

pk_popfit_opts pk_popfit_default_opts(void);

#define PK_POPFIT_MAX_PHI (PK_MAX_PARAM * (PK_MAX_PARAM + 3) / 2 + PK_MAX_OBS)

typedef struct pk_popfit_result {
    size_t n_sub, p;               /* subjects, listed parameters */
    size_t n_phi;                  /* estimated population parameters */
    char phi_name[PK_POPFIT_MAX_PHI][48];
    double phi[PK_POPFIT_MAX_PHI];     /* at the optimum (see pk_popfit.c: layout) */
    double phi_se[PK_POPFIT_MAX_PHI];  /* standard errors on the same scales; NAN if none */
    double *phi_cov;               /* n_phi x n_phi, from the outer Hessian */
    int cov_ok;                    /* 0: the Hessian was not positive definite */
    double mu[PK_MAX_PARAM];       /* typical values, eta scale */
    double omega[PK_MAX_PARAM * PK_MAX_PARAM]; /* covariance of eta, p x p */
    double err_factor[PK_MAX_OBS]; /* factor on each observable's error SDs */
    int err_estimated[PK_MAX_OBS];
    size_t n_obs_fit;              /* fitted observations, all subjects */
    double m2ll;                   /* -2 log likelihood, constants included */
    double prior_pen;              /* the typical values' prior penalty (use_priors) */
    double aic, bic;
    double *ebe;                   /* n_sub x p: conditional modes, eta scale */
    double *m2ll_sub;              /* n_sub: each subject's part of m2ll */
    int *sub_ok;                   /* n_sub: 1 when its mode was found */
    double shrink[PK_MAX_PARAM];   /* eta shrinkage, NONMEM's: 1 - SD(ebe)/omega */
    int iter, converged;
    char stop[96];                 /* why the outer search stopped */
    long evals, sims;              /* objective evaluations, simulations */
    double t_s;                    /* wall-clock seconds */
} pk_popfit_result;

/* The subjects, their problems and the options, as the fit uses them. */
typedef struct pk_popfit {
    pk_popfit_opts o;
    const pk_model *m;
    size_t n_sub;
    pk_patient *pt;                /* n_sub, owned by the caller */
    pk_fit_problem *fp;            /* n_sub */
    double prior_med[PK_MAX_PARAM], prior_sd[PK_MAX_PARAM]; /* eta scale, first file */
    pk_prior_kind kind[PK_MAX_PARAM];
} pk_popfit;

/* Fills o's parameter list from names: estimate ("A,B", NULL: first's
 * [fit] estimate) and omega ("NAME=SD" each, NAME among them, SD >= 0
 * on its prior's scale).  Errors name the option. */
int pk_popfit_resolve(const pk_patient *first, const char *estimate, const char *const *omega,
                      size_t n_omega, pk_popfit_opts *o, pk_err *err);

/* Sets up the fit of n patients (one model; each patient's [fit] estimate
 * list is replaced by o's parameters). */
int pk_popfit_init(pk_popfit *pf, pk_patient *pt, size_t n, const pk_popfit_opts *o,
                   pk_err *err);
void pk_popfit_free(pk_popfit *pf);

int pk_popfit_run(pk_popfit *pf, pk_popfit_result *res, pk_err *err);
void pk_popfit_result_free(pk_popfit_result *res);

/* -2 log L (without a prior penalty) at a given phi, in the layout of
 * pk_popfit_result.phi_name, each subject's mode sought from the typical
 * values: the objective at another program's estimates. */
int pk_popfit_evaluate(pk_popfit *pf, const double *phi, double *m2ll, pk_err *err);

/* Per observation of subject i at the result: PRED (typical values),
 * IPRED (the subject's mode), IWRES (deviance residual at the mode) and
 * CWRES (the residuals of the model linearised at the mode, decorrelated:
 * (I + J Omega J^T)^-1/2 (r - J (ebe - mu))).  Arrays of n_obs; checks
 * get PRED and IPRED, NAN residuals. */
int pk_popfit_subject_table(const pk_popfit *pf, const pk_popfit_result *res, size_t i,
                            double *pred, double *ipred, double *iwres, double *cwres,
                            pk_err *err);

/* ---- trajectories (pk_popfit_traj.c): the curves of popfit_traj.csv ---- */

#define PK_POPFIT_TRAJ_POINTS 200   /* evenly spaced days over a subject's span */
#define PK_POPFIT_TRAJ_AFTER_DAY 1e-6 /* a point this long after each dose (days):
                                          a bolus' jump is drawn as a jump */

/* Subject i's days for its curves, ascending and distinct: n_fine evenly
 * spaced over [first dose or observation, last observation] (a day long
 * when that is empty), every observation's day, and within the span each
 * dose's day and PK_POPFIT_TRAJ_AFTER_DAY after it.  *t_day is malloc'ed;
 * the caller frees it. */
int pk_popfit_traj_grid(const pk_popfit *pf, size_t i, size_t n_fine, double **t_day,
                        size_t *n_t, pk_err *err);

/* Subject i's PRED (every listed parameter at its typical value) and
 * IPRED (at the subject's mode) of every observable at the n_t
 * non-decreasing days t_day: pred and ipred are n_t x m->n_obs, row-major,
 * in the observables' units; at a dose's day the value just before it.
 * The parameters, doses and solver are pk_popfit_subject_table's, so at
 * an observation's day these are its PRED and IPRED. */
int pk_popfit_traj(const pk_popfit *pf, const pk_popfit_result *res, size_t i,
                   const double *t_day, size_t n_t, double *pred, double *ipred, pk_err *err);

#endif
