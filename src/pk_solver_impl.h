/* pk_solver_impl: the solver's private workspace, shared by the files
 * that implement pk_solver.h and by nothing else.
 *
 *  - pk_solver.c          the public entry points; picks an engine
 *  - pk_cvode.c           one CVODE problem: creation, error weights,
 *                         log-scale transforms, failure messages
 *  - pk_exposure.c        the PK side of the split engine: dose events,
 *                         the propagator, C(t), AUC(t) and PK states
 *  - pk_engine_split.c    PK by the propagator, CVODE on the PD alone
 *  - pk_engine_coupled.c  CVODE on every state, restarted at each dose
 *  - pk_sens.c            forward sensitivities (split engine)
 *
 * An engine is a table of functions (pk_engine); the solver holds one and
 * never asks which it is. */
#ifndef PK_SOLVER_IMPL_H
#define PK_SOLVER_IMPL_H

#include <sundials/sundials_context.h>
#include <sundials/sundials_linearsolver.h>
#include <sundials/sundials_matrix.h>
#include <sundials/sundials_nonlinearsolver.h>
#include <sundials/sundials_nvector.h>

#include <math.h>

#include <nvector/nvector_serial.h>

#include "pk_prop.h"
#include "pk_solver.h"

/* One CVODE problem: memory, state, tolerances and linear solver.  Its
 * CVODE user data is the problem itself; owner leads back to the solver. */
typedef struct cv_problem {
    struct pk_solver *owner;
    void *mem;
    N_Vector y, atol;
    SUNMatrix A;
    SUNLinearSolver LS;
    SUNNonlinearSolver NLS, NLS_sens;
    size_t n, offset;     /* states [offset, offset+n) of the model */
    size_t n_log;         /* how many of them are integrated as ln x */
    unsigned char log_idx[PK_MAX_STATE]; /* which (problem indices) */
    double rtol_lin[PK_MAX_STATE]; /* rtol on linear states, 0 on log-scale ones */
    int ready;            /* CVodeInit done */
} cv_problem;

/* An engine: how a run integrates the model.  Optional entries are NULL
 * where the engine cannot do it. */
typedef struct pk_engine {
    const char *name;
    int uses_prop;  /* the PK comes from the propagator (pin_pk, sensitivities) */
    int (*init)(struct pk_solver *s, pk_err *err); /* its CVODE problem(s) */
    /* from the initial state x0 through the sorted output times */
    int (*run)(struct pk_solver *s, const double *x0, const double *t_out, size_t n_out,
               double *x_out, pk_err *err);
    /* resumable runs (pk_solver_start/advance/redose) */
    int (*start)(struct pk_solver *s, const double *x0, double t_end, pk_err *err);
    int (*advance)(struct pk_solver *s, const double *t_out, size_t n_out, double *x_out,
                   pk_err *err);
    int (*redose)(struct pk_solver *s, const pk_dose *doses, size_t n_doses, pk_err *err);
    /* a forecast: run's steps up to t_switch, then the doses `after` */
    int (*run_switch)(struct pk_solver *s, const double *x0, const double *t_out, size_t n_out,
                      double *x_out, double t_switch, const pk_dose *after, size_t n_after,
                      pk_err *err);
} pk_engine;

extern const pk_engine pk_engine_split;
extern const pk_engine pk_engine_coupled;

struct pk_solver {
    const pk_model *m;
    const pk_engine *engine;
    pk_solver_opts o;
    SUNContext sun;
    cv_problem pd, all;
    double derived[PK_MAX_DERIVED];
    /* dosing events after bioavailability, lag and merging; ev_auc: AUC
     * (mg day/L) from day 0 to each event */
    double *ev_t, *ev_amt, *ypk, *len, *ev_auc;
    size_t n_ev, cap_ev;
    size_t cursor;        /* event index hint for C(t) look-ups */
    /* propagator and its cache key */
    pk_prop prop;
    double prop_key[PK_MAX_DERIVED];
    int prop_valid;
    /* coupled engine: time of the last dose, -inf before the first */
    double t_last_dose;
    pk_solver_stats stats;
    char cv_msg[256];
    /* forward sensitivities (PD parameters): CVODES perturbs sens_theta */
    cv_problem sens;
    int sens_np;
    N_Vector *yS;
    double sens_theta[PK_MAX_PARAM], sens_pbar[PK_MAX_PARAM], sens_weight;
    int sens_plist[PK_MAX_PARAM];
    /* resumable split runs */
    double t_now, t_end, x0[PK_MAX_STATE];
    int cover_horizon;    /* propagator tables span the horizon */
    int pk_pinned;        /* the propagator was built by pk_solver_pin_pk */
    long seen_steps, seen_rhs;
    /* PD integration aids (pk_model.h), split engine only: the solver
     * integrates ln x + shift*AUC(t) for exposure-shifted states */
    int shifted, loosened;
    double shift[PK_MAX_STATE]; /* per PD state, at the run's parameters and doses */
    /* the last exposure() look-up: CVODE asks for the error weights at the
     * time of the step's last right-hand side */
    double ex_t, ex_c, ex_auc;
    /* the PD's physical state at its last right-hand side evaluation, for
     * the error weights at the same time (rhs_p NULL: none) */
    const cv_problem *rhs_p;
    double rhs_t, rhs_x[PK_MAX_STATE];
};

/* ---- pk_cvode.c ---- */
int sv_problem_init(pk_solver *s, cv_problem *p, size_t off, size_t n,
                    int (*rhs)(double, N_Vector, N_Vector, void *), pk_method method,
                    pk_err *err);
void sv_problem_free(cv_problem *p);
void sv_to_solver(const pk_model *m, size_t off, size_t n, const double *x, double *y);
void sv_add_counts(pk_solver *s, void *mem);
int sv_solver_error(pk_solver *s, cv_problem *p, int flag, pk_err *err);

/* ---- pk_exposure.c ---- */
int sv_make_events(pk_solver *s, const pk_dose *doses, size_t n, pk_err *err);
int sv_prepare_pk(pk_solver *s, double t_end, int allow_interp, pk_err *err);
void sv_pk_state(pk_solver *s, double t, double *x);

/* ---- pk_engine_split.c ---- */
void sv_pd_state(pk_solver *s, const cv_problem *p, double t, const double *y, double *x);
int sv_pd_rhs_at(pk_solver *s, const cv_problem *p, const double *d, double t, N_Vector y,
                 N_Vector ydot);
void sv_set_aids(pk_solver *s);

/* ---- pk_solver.c ---- */
/* The model's derive, with every parameter and PK constant finite. */
int sv_derive(pk_solver *s, const double *theta, double weight_kg, double *derived, pk_err *err);
int sv_check_finite(const pk_model *m, const double *x, double t, pk_err *err);

/* ---- the right-hand side's hot path, inline: every PD right-hand side
 * evaluation goes through these (a call each cost 7% of a sweep) ---- */

/* A pool killed for months falls past exp(-745), where x would underflow
 * to 0 and d(ln x)/dt = (dx/dt)/x to 0/0.  Below 1e-300 of the
 * pre-treatment burden (about 1e-288 cells) x is held at that floor: the
 * per-capita rates, which are all that drive ln x there, are unchanged,
 * and ln x itself goes on falling. */
#define LOG_STATE_FLOOR (-690.7755278982137) /* ln 1e-300 */

/* shift (NULL: none) and auc: an exposure-shifted state's y is
 * ln x + shift*AUC(t) (shift is 0 on every linear state). */
static inline void sv_from_solver(const cv_problem *p, const double *y, double *x, const double *shift,
                        double auc)
{
    for (size_t i = 0; i < p->n; i++) /* a loop, not memcpy: 14 doubles */
        x[i] = y[i];
    for (size_t k = 0; k < p->n_log; k++) {
        size_t i = p->log_idx[k];
        double v = shift ? y[i] - shift[i] * auc : y[i];
        /* a comparison, not fmax: this runs a few times per step */
        x[i] = exp(v > LOG_STATE_FLOOR ? v : LOG_STATE_FLOOR);
    }
}

/* dx (physical) -> dy: d ln x/dt for log-scale states, plus shift*C. */
static inline int sv_finish_rhs(const cv_problem *p, const double *x, double *dx, const double *shift,
                      double c)
{
    for (size_t k = 0; k < p->n_log; k++) {
        size_t i = p->log_idx[k];
        dx[i] /= x[i];
        if (shift)
            dx[i] += shift[i] * c;
    }
    for (size_t i = 0; i < p->n; i++)
        if (!isfinite(dx[i]))
            return 1; /* recoverable: CVODE retries with a smaller step */
    return 0;
}

/* Last event at or before t (or n_ev when none). */
static inline size_t sv_event_at(pk_solver *s, double t)
{
    size_t k = s->cursor;
    if (s->n_ev == 0 || t < s->ev_t[0])
        return s->n_ev;
    if (k >= s->n_ev)
        k = 0;
    while (k + 1 < s->n_ev && s->ev_t[k + 1] <= t)
        k++;
    while (k > 0 && s->ev_t[k] > t)
        k--;
    s->cursor = k;
    return k;
}

/* C(t) (mg/L) and AUC(t) from day 0 (mg day/L; auc may be NULL). */
static inline double sv_exposure(pk_solver *s, double t, double *auc)
{
    if (t != s->ex_t) {
        size_t k = sv_event_at(s, t);
        s->ex_c = s->ex_auc = 0.0;
        if (k != s->n_ev) {
            pk_prop_conc_auc(&s->prop, t - s->ev_t[k], s->ypk + k * s->m->n_pk, &s->ex_c,
                             &s->ex_auc);
            s->ex_auc += s->ev_auc[k];
        }
        s->ex_t = t;
    }
    if (auc)
        *auc = s->ex_auc;
    return s->ex_c;
}

#endif
