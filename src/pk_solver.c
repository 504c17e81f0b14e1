#include "pk_solver.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cvodes/cvodes.h>
#include <nvector/nvector_serial.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>
#include <sunnonlinsol/sunnonlinsol_fixedpoint.h>

#include "pk_prop.h"
#include "pk_text.h"

/* One CVODE problem: memory, state, tolerances and linear solver. */
typedef struct cv_problem {
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

struct pk_solver {
    const pk_model *m;
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
    int sens_active;      /* the sensitivity problem is integrating */
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

pk_solver_opts pk_solver_default_opts(void)
{
    pk_solver_opts o = {.rtol = 3e-7, .atol_scale = 1.0, .pk_rtol = 0, .coupled = 0,
                        .method = PK_ADAMS, .max_steps = 500000};
    return o;
}

static void err_handler(int code, const char *module, const char *function, char *msg,
                        void *ud)
{
    (void)module;
    pk_solver *s = ud;
    if (code < 0)
        snprintf(s->cv_msg, sizeof s->cv_msg, "%s: %s", function, msg);
}

static void problem_free(cv_problem *p)
{
    CVodeFree(&p->mem);
    SUNNonlinSolFree(p->NLS);
    SUNNonlinSolFree(p->NLS_sens);
    SUNLinSolFree(p->LS);
    SUNMatDestroy(p->A);
    N_VDestroy(p->y);
    N_VDestroy(p->atol);
    memset(p, 0, sizeof *p);
}

void pk_solver_free(pk_solver *s)
{
    if (!s)
        return;
    problem_free(&s->pd);
    problem_free(&s->all);
    problem_free(&s->sens);
    if (s->yS)
        N_VDestroyVectorArray(s->yS, s->sens_np);
    pk_prop_clear(&s->prop);
    free(s->ev_t);
    free(s->ev_amt);
    free(s->ypk);
    free(s->len);
    free(s->ev_auc);
    SUNContext_Free(&s->sun);
    free(s);
}

/* ---- state transforms: log-scale states are integrated as ln(x) ---- */

static void to_solver(const pk_model *m, size_t off, size_t n, const double *x, double *y)
{
    for (size_t i = 0; i < n; i++)
        y[i] = m->state[off + i].log_scale ? log(x[i]) : x[i];
}

/* A pool killed for months falls past exp(-745), where x would underflow
 * to 0 and d(ln x)/dt = (dx/dt)/x to 0/0.  Below 1e-300 of the
 * pre-treatment burden (about 1e-288 cells) x is held at that floor: the
 * per-capita rates, which are all that drive ln x there, are unchanged,
 * and ln x itself goes on falling. */
#define LOG_STATE_FLOOR (-690.7755278982137) /* ln 1e-300 */

/* shift (NULL: none) and auc: an exposure-shifted state's y is
 * ln x + shift*AUC(t) (shift is 0 on every linear state). */
static void from_solver(const cv_problem *p, const double *y, double *x, const double *shift,
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
static int finish_rhs(const cv_problem *p, const double *x, double *dx, const double *shift,
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

/* ---- concentration from the propagator ---- */

/* Last event at or before t (or n_ev when none). */
static size_t event_at(pk_solver *s, double t)
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
static double exposure(pk_solver *s, double t, double *auc)
{
    if (t != s->ex_t) {
        size_t k = event_at(s, t);
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

/* The PD's physical state from the solver's y at t. */
static void pd_state(pk_solver *s, const cv_problem *p, double t, const double *y, double *x)
{
    double auc = 0.0;
    if (s->shifted)
        exposure(s, t, &auc);
    from_solver(p, y, x, s->shifted ? s->shift : NULL, auc);
}

/* The PD right-hand side at derived constants d. */
static int pd_rhs_at(pk_solver *s, const cv_problem *p, const double *d, double t, N_Vector y,
                     N_Vector ydot)
{
    const pk_model *m = s->m;
    double auc = 0.0, *x = s->rhs_x; /* kept for the error weights */
    double *dx = N_VGetArrayPointer(ydot);
    const double *shift = s->shifted ? s->shift : NULL;
    double c = exposure(s, t, shift ? &auc : NULL);
    from_solver(p, N_VGetArrayPointer(y), x, shift, auc);
    s->rhs_p = p;
    s->rhs_t = t;
    m->pd_rhs(c, x, d, dx);
    return finish_rhs(p, x, dx, shift, c);
}

static int pd_rhs_cb(double t, N_Vector y, N_Vector ydot, void *ud)
{
    pk_solver *s = ud;
    return pd_rhs_at(s, &s->pd, s->derived, t, y, ydot);
}

static int all_rhs_cb(double t, N_Vector y, N_Vector ydot, void *ud)
{
    pk_solver *s = ud;
    const pk_model *m = s->m;
    size_t n = m->n_state, npk = m->n_pk;
    double x[PK_MAX_STATE];
    double *dx = N_VGetArrayPointer(ydot);
    from_solver(&s->all, N_VGetArrayPointer(y), x, NULL, 0.0);
    double tad = isfinite(s->t_last_dose) ? t - s->t_last_dose : -1.0;
    m->pk_rhs(tad, x, s->derived, dx);
    if (n > npk)
        m->pd_rhs(m->conc(x, s->derived), x + npk, s->derived, dx + npk);
    return finish_rhs(&s->all, x, dx, NULL, 0.0);
}

/* Error weights: linear states the usual 1/(rtol*|y| + atol); log-scale
 * states 1/atol alone, since an absolute error in ln(x) is the relative
 * error in x (rtol*|ln x| would loosen it for small x).  With the model's
 * err_loosen, each tolerance times its factor at the current state. */
static int ewt_cb(N_Vector y, N_Vector w, void *ud)
{
    pk_solver *s = ud;
    cv_problem *p = s->o.coupled ? &s->all : s->sens_active ? &s->sens : &s->pd;
    const double *yv = N_VGetArrayPointer(y), *at = N_VGetArrayPointer(p->atol);
    double *wv = N_VGetArrayPointer(w);
    double tol[PK_MAX_STATE];
    for (size_t i = 0; i < p->n; i++)
        tol[i] = p->rtol_lin[i] * fabs(yv[i]) + at[i];
    if (s->loosened) { /* never in the coupled engine (set_aids) */
        double t = 0, x[PK_MAX_STATE], f[PK_MAX_STATE];
        const double *xs = x;
        CVodeGetCurrentTime(p->mem, &t); /* y is the state at the current time */
        /* The corrector's last iterate at this time (y but for the last
         * correction) serves the weights, saving the exponentials of the
         * log-scale states; otherwise the state from y.  Only the
         * loosening factors come from it, and they are heuristics. */
        if (s->rhs_p == p && s->rhs_t == t)
            xs = s->rhs_x;
        else
            pd_state(s, p, t, yv, x);
        s->m->err_loosen(xs, s->derived, f);
        /* at most 1000-fold: the state itself stays within about 1000
         * rtol (3e-4 at the default) however small it is, and tightens
         * with rtol */
        for (size_t i = 0; i < p->n; i++)
            if (f[i] > 1)
                tol[i] *= f[i] < 1000.0 ? f[i] : 1000.0;
    }
    for (size_t i = 0; i < p->n; i++) {
        if (!(tol[i] > 0))
            return -1;
        wv[i] = 1.0 / tol[i];
    }
    return 0;
}

static int problem_init(pk_solver *s, cv_problem *p, size_t off, size_t n, CVRhsFn f,
                        pk_method method, pk_err *err)
{
    p->n = n;
    p->offset = off;
    p->n_log = 0;
    for (size_t i = 0; i < n; i++) {
        int lg = s->m->state[off + i].log_scale;
        if (lg)
            p->log_idx[p->n_log++] = (unsigned char)i;
        p->rtol_lin[i] = lg ? 0.0 : s->o.rtol;
    }
    if (!(p->y = N_VNew_Serial((sunindextype)n, s->sun)) ||
        !(p->atol = N_VNew_Serial((sunindextype)n, s->sun)) ||
        !(p->mem = CVodeCreate(method == PK_BDF ? CV_BDF : CV_ADAMS, s->sun)))
        return pk_err_set(err, PK_ENOMEM, "", "cannot create the ODE solver");
    N_VConst(0.0, p->y);
    /* Fused vector operations: fewer passes over a short vector per step. */
    N_VEnableFusedOps_Serial(p->y, SUNTRUE);
    if (CVodeInit(p->mem, f, 0.0, p->y) < 0 || CVodeSetUserData(p->mem, s) < 0 ||
        CVodeSetErrHandlerFn(p->mem, err_handler, s) < 0)
        return pk_err_set(err, PK_EINTERNAL, "", "cannot initialise the ODE solver");
    if (method == PK_BDF) {
        if (!(p->A = SUNDenseMatrix((sunindextype)n, (sunindextype)n, s->sun)) ||
            !(p->LS = SUNLinSol_Dense(p->y, p->A, s->sun)) ||
            CVodeSetLinearSolver(p->mem, p->LS, p->A) < 0)
            return pk_err_set(err, PK_ENOMEM, "", "cannot create the dense linear solver");
    } else {
        /* Adams on a non-stiff system: fixed-point iteration needs no Jacobian. */
        if (!(p->NLS = SUNNonlinSol_FixedPoint(p->y, 0, s->sun)) ||
            CVodeSetNonlinearSolver(p->mem, p->NLS) < 0)
            return pk_err_set(err, PK_ENOMEM, "", "cannot create the fixed-point solver");
    }
    double *at = N_VGetArrayPointer(p->atol);
    for (size_t i = 0; i < n; i++) {
        const pk_state_def *sd = &s->m->state[off + i];
        at[i] = s->o.rtol * s->o.atol_scale * (sd->log_scale ? 1.0 : sd->scale);
    }
    /* A fixed first step: CVODE would otherwise size it from the first
     * output time, and results would depend on the output grid. */
    /* Adams' fixed-point corrector: a looser convergence test (0.5 instead
     * of 0.1, well inside the local error test) saves a quarter of the
     * right-hand sides at unchanged accuracy against the reference. */
    if (CVodeWFtolerances(p->mem, ewt_cb) < 0 || CVodeSetInitStep(p->mem, 1e-4) < 0 ||
        (method == PK_ADAMS && CVodeSetNonlinConvCoef(p->mem, 0.5) < 0) ||
        CVodeSetMaxNumSteps(p->mem, s->o.max_steps) < 0)
        return pk_err_set(err, PK_EINTERNAL, "", "cannot set solver tolerances");
    p->ready = 1;
    return PK_OK;
}

pk_solver *pk_solver_new(const pk_model *m, const pk_solver_opts *opts, pk_err *err)
{
    pk_solver *s = calloc(1, sizeof *s);
    if (!s) {
        pk_err_set(err, PK_ENOMEM, "", "out of memory");
        return NULL;
    }
    s->m = m;
    s->o = opts ? *opts : pk_solver_default_opts();
    s->ex_t = NAN;
    s->rhs_p = NULL;
    if (!(s->o.rtol > 0) || !(s->o.pk_rtol >= 0) || !(s->o.atol_scale > 0)) {
        pk_err_set(err, PK_EINPUT, "", "solver tolerances must be positive");
        pk_solver_free(s);
        return NULL;
    }
    if (SUNContext_Create(NULL, &s->sun) != 0) {
        pk_err_set(err, PK_ENOMEM, "", "cannot create the SUNDIALS context");
        pk_solver_free(s);
        return NULL;
    }
    int rc;
    if (s->o.coupled)
        rc = problem_init(s, &s->all, 0, m->n_state, all_rhs_cb, s->o.method, err);
    else if (m->n_state > m->n_pk)
        rc = problem_init(s, &s->pd, m->n_pk, m->n_state - m->n_pk, pd_rhs_cb, s->o.method, err);
    else
        rc = PK_OK;
    if (rc != PK_OK) {
        pk_solver_free(s);
        return NULL;
    }
    return s;
}

const double *pk_solver_derived(const pk_solver *s)
{
    return s->derived;
}

pk_solver_stats pk_solver_get_stats(const pk_solver *s)
{
    return s->stats;
}

static void add_counts(pk_solver *s, void *mem)
{
    long nst = 0, nfe = 0;
    CVodeGetNumSteps(mem, &nst);
    CVodeGetNumRhsEvals(mem, &nfe);
    s->stats.steps += nst;
    s->stats.rhs_evals += nfe;
}

/* A solver failure becomes one line naming the time and the state. */
static int solver_error(pk_solver *s, cv_problem *p, int flag, pk_err *err)
{
    double t = 0;
    CVodeGetCurrentTime(p->mem, &t);
    char *name = CVodeGetReturnFlagName(flag);
    N_Vector ele = N_VClone(p->y), ew = N_VClone(p->y);
    const char *worst = "?";
    if (ele && ew && CVodeGetEstLocalErrors(p->mem, ele) >= 0 &&
        CVodeGetErrWeights(p->mem, ew) >= 0) {
        double *e = N_VGetArrayPointer(ele), *w = N_VGetArrayPointer(ew), big = -1;
        for (size_t i = 0; i < p->n; i++)
            if (fabs(e[i] * w[i]) > big) {
                big = fabs(e[i] * w[i]);
                worst = s->m->state[p->offset + i].name;
            }
    }
    pk_err_set(err, PK_ESOLVER, "", "solver failed at day %.6g (%s%s%s); largest error in state %s",
               t, name ? name : "unknown", s->cv_msg[0] ? ": " : "", s->cv_msg, worst);
    free(name);
    N_VDestroy(ele);
    N_VDestroy(ew);
    return err->code;
}

/* Dose events: lag and bioavailability applied, same times merged. */
static int make_events(pk_solver *s, const pk_dose *doses, size_t n, pk_err *err)
{
    const pk_model *m = s->m;
    if (n > s->cap_ev) {
        size_t cap = n + 16;
        double *t = realloc(s->ev_t, cap * sizeof *t);
        if (t)
            s->ev_t = t;
        double *a = realloc(s->ev_amt, cap * sizeof *a);
        if (a)
            s->ev_amt = a;
        double *l = realloc(s->len, cap * sizeof *l);
        if (l)
            s->len = l;
        double *y = realloc(s->ypk, cap * m->n_pk * sizeof *y);
        if (y)
            s->ypk = y;
        double *au = realloc(s->ev_auc, cap * sizeof *au);
        if (au)
            s->ev_auc = au;
        if (!t || !a || !l || !y || !au)
            return pk_err_set(err, PK_ENOMEM, "", "out of memory for %zu doses", n);
        s->cap_ev = cap;
    }
    double lag = m->lag_day(s->derived);
    size_t k = 0;
    s->ex_t = NAN; /* new doses: no cached exposure */
    s->rhs_p = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!(doses[i].t_day >= 0) || !isfinite(doses[i].amount_mg) || doses[i].amount_mg < 0 ||
            (i > 0 && doses[i].t_day < doses[i - 1].t_day))
            return pk_err_set(err, PK_EINPUT, "", "dose %zu: times must be >= 0 and sorted", i);
        double t = doses[i].t_day + lag;
        double amt = doses[i].amount_mg * m->bioavailability(s->derived, doses[i].amount_mg);
        if (k > 0 && s->ev_t[k - 1] == t)
            s->ev_amt[k - 1] += amt;
        else {
            s->ev_t[k] = t;
            s->ev_amt[k++] = amt;
        }
    }
    s->n_ev = k;
    s->cursor = 0;
    return PK_OK;
}

/* Builds (or reuses) the propagator, then the PK state after each dose. */
/* The propagator's tolerance: pk_rtol, or by default ten times tighter
 * than the PD's and at most 1e-7.  The PD amplifies C's error: while Ls is
 * fed from a niche thousands of times larger, d ln Ls/dt moves with
 * kx (1 - I(C)) Q/Ls, and a table at 1e-7 (C within 9e-9) left blood
 * blasts 9e-6 off at PD rtol 1e-8, against 2e-6 at 1e-8. */
static double prop_rtol(const pk_solver *s)
{
    return s->o.pk_rtol > 0 ? s->o.pk_rtol : fmin(1e-7, s->o.rtol / 10);
}

static int prepare_pk(pk_solver *s, double t_end, int allow_interp, pk_err *err)
{
    const pk_model *m = s->m;
    size_t npk = m->n_pk, K = s->n_ev;
    if (K == 0)
        return PK_OK;
    /* a resumable run covers the whole horizon at once: later re-doses
     * (pauses) then never need a longer table */
    double tau_max = s->cover_horizon ? t_end - s->ev_t[0] : 0;
    for (size_t k = 0; k < K; k++) {
        s->len[k] = (k + 1 < K ? s->ev_t[k + 1] : fmax(t_end, s->ev_t[k])) - s->ev_t[k];
        tau_max = fmax(tau_max, s->len[k]);
    }
    int reuse = s->prop_valid &&
                memcmp(s->prop_key, s->derived, m->n_pk_derived * sizeof(double)) == 0 &&
                s->prop.tau_end >= tau_max;
    /* a re-dose may use interpolated Phi at new interval lengths (error
     * ~1e-8) rather than rebuild the table */
    for (size_t k = 0; reuse && !allow_interp && !s->pk_pinned && k < K; k++)
        reuse = pk_prop_has_jump(&s->prop, s->len[k]);
    if (!reuse) {
        double *uniq = malloc(K * sizeof *uniq);
        if (!uniq)
            return pk_err_set(err, PK_ENOMEM, "", "out of memory");
        memcpy(uniq, s->len, K * sizeof *uniq);
        qsort(uniq, K, sizeof *uniq, pk_text_cmp_double);
        size_t u = 0;
        for (size_t k = 0; k < K; k++)
            if (u == 0 || uniq[k] != uniq[u - 1])
                uniq[u++] = uniq[k];
        s->prop_valid = 0;
        s->pk_pinned = 0;
        int rc = pk_prop_build(&s->prop, m, s->derived, tau_max, uniq, u, prop_rtol(s), err);
        free(uniq);
        if (rc != PK_OK)
            return rc;
        memcpy(s->prop_key, s->derived, m->n_pk_derived * sizeof(double));
        s->prop_valid = 1;
        s->stats.prop_builds++;
        s->stats.prop_steps += s->prop.steps;
    }
    s->ex_t = NAN; /* a new table or new doses: no cached exposure */
    s->rhs_p = NULL;
    /* PK is empty before the first dose; then dose after dose by linearity,
     * the AUC over each interval from the same interpolant as C(t). */
    double y[PK_MAX_STATE] = {0}, auc = 0.0;
    for (size_t k = 0; k < K; k++) {
        double *yk = s->ypk + k * npk, c, a;
        memcpy(yk, y, npk * sizeof *y);
        yk[0] += s->ev_amt[k];
        s->ev_auc[k] = auc;
        pk_prop_conc_auc(&s->prop, s->len[k], yk, &c, &a);
        auc += a;
        pk_prop_jump(&s->prop, s->len[k], yk, y);
    }
    return PK_OK;
}

/* PK state at t for output: just before any dose at t. */
static void pk_state_split(pk_solver *s, double t, double *x)
{
    size_t npk = s->m->n_pk;
    size_t k = event_at(s, t);
    while (k != s->n_ev && k > 0 && s->ev_t[k] == t)
        k--;
    if (k == s->n_ev || s->ev_t[k] >= t) {
        memset(x, 0, npk * sizeof *x);
        return;
    }
    pk_prop_jump(&s->prop, t - s->ev_t[k], s->ypk + k * npk, x);
}

static int check_finite(const pk_model *m, const double *x, double t, pk_err *err)
{
    for (size_t i = 0; i < m->n_state; i++)
        if (!isfinite(x[i]))
            return pk_err_set(err, PK_ESOLVER, "", "state %s is not finite at day %g",
                              m->state[i].name, t);
    return PK_OK;
}

/* The model's PD integration aids at the run's derived constants and
 * doses (after prepare_pk).  The mean concentration is taken from the
 * first to the last dose, so that it does not depend on the output
 * horizon; a single dose gives 0.  The shift then stays fixed for the
 * run, re-doses included: it defines the solver's variables. */
static void set_aids(pk_solver *s)
{
    const pk_model *m = s->m;
    int on = !s->o.coupled && !s->o.plain_pd;
    s->shifted = 0;
    s->loosened = on && m->err_loosen;
    memset(s->shift, 0, sizeof s->shift);
    if (!on || !m->exposure_shift)
        return;
    size_t K = s->n_ev;
    double span = K > 1 ? s->ev_t[K - 1] - s->ev_t[0] : 0.0;
    double c_mean = span > 0 ? (s->ev_auc[K - 1] - s->ev_auc[0]) / span : 0.0;
    m->exposure_shift(s->derived, c_mean, s->shift);
    for (size_t i = 0; i + m->n_pk < m->n_state; i++) {
        if (!m->state[m->n_pk + i].log_scale || !isfinite(s->shift[i]))
            s->shift[i] = 0.0;
        s->shifted |= s->shift[i] != 0.0;
    }
}

/* Split engine, resumable: start at 0, advance through output times,
 * re-dose from the current time (rule-based dosing). */
static int split_start(pk_solver *s, const double *x0, double t_end, pk_err *err)
{
    const pk_model *m = s->m;
    size_t npk = m->n_pk;
    s->t_now = 0.0;
    s->t_end = t_end;
    s->seen_steps = s->seen_rhs = 0;
    memcpy(s->x0, x0, m->n_state * sizeof *x0);
    if (prepare_pk(s, t_end, 0, err))
        return err->code;
    set_aids(s);
    cv_problem *p = &s->pd;
    if (p->ready) {
        to_solver(m, npk, p->n, x0 + npk, N_VGetArrayPointer(p->y));
        s->cv_msg[0] = 0;
        if (CVodeReInit(p->mem, 0.0, p->y) < 0)
            return pk_err_set(err, PK_EINTERNAL, "", "cannot re-initialise the PD solver");
    }
    return PK_OK;
}

static void count_pd(pk_solver *s)
{
    long nst = 0, nfe = 0;
    CVodeGetNumSteps(s->pd.mem, &nst);
    CVodeGetNumRhsEvals(s->pd.mem, &nfe);
    s->stats.steps += nst - s->seen_steps;
    s->stats.rhs_evals += nfe - s->seen_rhs;
    s->seen_steps = nst;
    s->seen_rhs = nfe;
}

static int split_advance(pk_solver *s, const double *t_out, size_t n_out, double *x_out,
                         pk_err *err)
{
    const pk_model *m = s->m;
    size_t ns = m->n_state, npk = m->n_pk;
    cv_problem *p = &s->pd;
    double *y = p->ready ? N_VGetArrayPointer(p->y) : NULL;
    /* stop exactly at the last output: a later re-dose starts from there */
    if (p->ready && t_out[n_out - 1] > s->t_now && CVodeSetStopTime(p->mem, t_out[n_out - 1]) < 0)
        return pk_err_set(err, PK_EINTERNAL, "", "cannot set the stop time");
    int rc = PK_OK;
    for (size_t i = 0; i < n_out; i++) {
        double *xo = x_out + i * ns;
        if (p->ready && t_out[i] > s->t_now) {
            double tret;
            int flag = CVode(p->mem, t_out[i], p->y, &tret, CV_NORMAL);
            if (flag < 0) {
                rc = solver_error(s, p, flag, err);
                break;
            }
            s->t_now = t_out[i];
        }
        if (p->ready)
            pd_state(s, p, t_out[i], y, xo + npk);
        else if (ns > npk)
            memcpy(xo + npk, s->x0 + npk, (ns - npk) * sizeof *xo);
        pk_state_split(s, t_out[i], xo);
        if ((rc = check_finite(m, xo, t_out[i], err)))
            break;
    }
    if (p->ready)
        count_pd(s);
    return rc;
}

static int run_split(pk_solver *s, const double *x0, const double *t_out, size_t n_out,
                     double *x_out, pk_err *err)
{
    if (split_start(s, x0, t_out[n_out - 1], err))
        return err->code;
    return split_advance(s, t_out, n_out, x_out, err);
}

static int run_coupled(pk_solver *s, const double *x0, const double *t_out, size_t n_out,
                       double *x_out, pk_err *err)
{
    const pk_model *m = s->m;
    size_t ns = m->n_state;
    cv_problem *p = &s->all;
    double *y = N_VGetArrayPointer(p->y);
    to_solver(m, 0, ns, x0, y);
    s->t_last_dose = -INFINITY;
    s->cv_msg[0] = 0;
    double t_now = 0.0;
    size_t k = 0;
    int rc = PK_OK;
    double t_end = t_out[n_out - 1];
    if (CVodeReInit(p->mem, 0.0, p->y) < 0 ||
        CVodeSetStopTime(p->mem, s->n_ev ? fmin(s->ev_t[0], t_end) : t_end) < 0)
        return pk_err_set(err, PK_EINTERNAL, "", "cannot initialise the coupled solver");
    for (size_t i = 0; i < n_out && rc == PK_OK; i++) {
        /* Doses strictly before this output: integrate to each, add, restart. */
        while (k < s->n_ev && s->ev_t[k] < t_out[i]) {
            double te = s->ev_t[k], tret;
            if (te > t_now) {
                int flag = CVode(p->mem, te, p->y, &tret, CV_NORMAL);
                if (flag < 0)
                    return solver_error(s, p, flag, err);
                t_now = te;
            }
            y[0] += s->ev_amt[k]; /* PK states are linear-scale */
            s->t_last_dose = te;
            k++;
            add_counts(s, p->mem);
            double stop = k < s->n_ev ? fmin(s->ev_t[k], t_end) : t_end;
            if (CVodeReInit(p->mem, te, p->y) < 0 || CVodeSetStopTime(p->mem, stop) < 0)
                return pk_err_set(err, PK_EINTERNAL, "", "cannot re-initialise after a dose");
        }
        if (t_out[i] > t_now) {
            double tret;
            int flag = CVode(p->mem, t_out[i], p->y, &tret, CV_NORMAL);
            if (flag < 0)
                return solver_error(s, p, flag, err);
            t_now = t_out[i];
        }
        double *xo = x_out + i * ns;
        from_solver(p, y, xo, NULL, 0.0);
        rc = check_finite(m, xo, t_out[i], err);
    }
    add_counts(s, p->mem);
    return rc;
}

/* What every run starts with: derived constants (kept as they were when
 * the parameters are invalid), dose events and the initial state, whose
 * log-scale states must be positive. */
static int prepare_run(pk_solver *s, const double *theta, double weight_kg, const pk_dose *doses,
                       size_t n_doses, double *x0, pk_err *err)
{
    const pk_model *m = s->m;
    double saved[PK_MAX_DERIVED];
    memcpy(saved, s->derived, sizeof saved);
    if (m->derive(theta, weight_kg, s->derived, err) != PK_OK) {
        memcpy(s->derived, saved, sizeof saved);
        return err->code;
    }
    if (make_events(s, doses, n_doses, err))
        return err->code;
    m->init(s->derived, x0);
    for (size_t i = 0; i < m->n_state; i++)
        if (m->state[i].log_scale && !(x0[i] > 0))
            return pk_err_set(err, PK_EINPUT, "", "initial %s must be positive (got %g)",
                              m->state[i].name, x0[i]);
    return PK_OK;
}

int pk_solver_pin_pk(pk_solver *s, const double *theta, double weight_kg, double t_end,
                     const double *jumps, size_t n_jumps, pk_err *err)
{
    const pk_model *m = s->m;
    if (s->o.coupled)
        return PK_OK;
    double saved[PK_MAX_DERIVED];
    memcpy(saved, s->derived, sizeof saved);
    if (m->derive(theta, weight_kg, s->derived, err) != PK_OK) {
        memcpy(s->derived, saved, sizeof saved);
        return err->code;
    }
    s->prop_valid = s->pk_pinned = 0;
    int rc = pk_prop_build(&s->prop, m, s->derived, t_end, jumps, n_jumps, prop_rtol(s), err);
    if (rc != PK_OK)
        return rc;
    memcpy(s->prop_key, s->derived, m->n_pk_derived * sizeof(double));
    s->prop_valid = s->pk_pinned = 1;
    s->stats.prop_builds++;
    s->stats.prop_steps += s->prop.steps;
    return PK_OK;
}

int pk_solver_run(pk_solver *s, const double *theta, double weight_kg, const pk_dose *doses,
                  size_t n_doses, const double *t_out, size_t n_out, double *x_out,
                  pk_err *err)
{
    if (n_out == 0)
        return PK_OK;
    for (size_t i = 0; i < n_out; i++)
        if (!(t_out[i] >= 0) || !isfinite(t_out[i]) || (i > 0 && t_out[i] < t_out[i - 1]))
            return pk_err_set(err, PK_EINPUT, "", "output times must be finite, >= 0 and sorted");
    double x0[PK_MAX_STATE];
    if (prepare_run(s, theta, weight_kg, doses, n_doses, x0, err))
        return err->code;
    return s->o.coupled ? run_coupled(s, x0, t_out, n_out, x_out, err)
                        : run_split(s, x0, t_out, n_out, x_out, err);
}

/* ---- forward sensitivities ---- */

/* PD right-hand side at the parameters CVODES may have perturbed: the
 * derived constants are recomputed from sens_theta; C(t) stays the
 * propagator's (these parameters do not touch the PK). */
static int pd_rhs_sens_cb(double t, N_Vector y, N_Vector ydot, void *ud)
{
    pk_solver *s = ud;
    double d[PK_MAX_DERIVED];
    pk_err err = {0};
    if (s->m->derive(s->sens_theta, s->sens_weight, d, &err) != PK_OK)
        return 1;
    /* the exposure shift stays at the nominal parameters: y's definition
     * then does not depend on theta, and d y/d theta = d ln x/d theta */
    return pd_rhs_at(s, &s->sens, d, t, y, ydot);
}

/* Initial solver-scale PD state at theta (for finite-difference yS0). */
static int initial_pd(const pk_solver *s, const double *theta, double *y)
{
    double d[PK_MAX_DERIVED], x[PK_MAX_STATE];
    pk_err err = {0};
    if (s->m->derive(theta, s->sens_weight, d, &err) != PK_OK)
        return -1;
    s->m->init(d, x);
    to_solver(s->m, s->m->n_pk, s->m->n_state - s->m->n_pk, x + s->m->n_pk, y);
    return 0;
}

static int sens_setup(pk_solver *s, int np, pk_err *err)
{
    cv_problem *p = &s->sens;
    const pk_model *m = s->m;
    if (p->ready && s->sens_np == np)
        return PK_OK;
    problem_free(p);
    if (s->yS)
        N_VDestroyVectorArray(s->yS, s->sens_np);
    s->yS = NULL;
    s->sens_np = 0;
    int rc = problem_init(s, p, m->n_pk, m->n_state - m->n_pk, pd_rhs_sens_cb, PK_ADAMS, err);
    if (rc)
        return rc;
    if (!(s->yS = N_VCloneVectorArray(np, p->y)))
        return pk_err_set(err, PK_ENOMEM, "", "cannot allocate sensitivities");
    s->sens_np = np;
    for (int j = 0; j < np; j++)
        N_VConst(0.0, s->yS[j]);
    SUNNonlinearSolver nls = SUNNonlinSol_FixedPointSens(np + 1, p->y, 0, s->sun);
    if (!nls || CVodeSensInit(p->mem, np, CV_SIMULTANEOUS, NULL, s->yS) < 0 ||
        CVodeSetNonlinearSolverSensSim(p->mem, nls) < 0 || CVodeSensEEtolerances(p->mem) < 0 ||
        CVodeSetSensErrCon(p->mem, SUNFALSE) < 0 ||
        CVodeSetSensDQMethod(p->mem, CV_CENTERED, 1e30) < 0) {
        SUNNonlinSolFree(nls);
        return pk_err_set(err, PK_EINTERNAL, "", "cannot set up forward sensitivities");
    }
    /* Sensitivities stay out of the local error test: they ride on the
     * states' steps, which the states need anyway; against central
     * differences of rtol-1e-12 solutions they agree to ~1e-5 even at rtol
     * 1e-6 (tests/test_fit.c), while differences of solutions at the
     * working tolerance carry its step-selection noise (~1e-3).  Centred
     * differences perturbing y and p together (rhomax huge) cost two
     * right-hand sides per sensitivity instead of four, at the same
     * accuracy. */
    p->NLS_sens = nls;
    return PK_OK;
}

int pk_solver_run_sens(pk_solver *s, const double *theta, double weight_kg, const pk_dose *doses,
                       size_t n_doses, const double *t_out, size_t n_out, size_t n_par,
                       const int *par, double *x_out, double *xs_out, pk_err *err)
{
    const pk_model *m = s->m;
    size_t ns = m->n_state, npk = m->n_pk, npd = ns - npk;
    if (s->o.coupled || npd == 0 || n_par == 0 || n_par > PK_MAX_PARAM)
        return pk_err_set(err, PK_EINTERNAL, "", "sensitivities need the split engine, a PD "
                                                 "and 1-%d parameters", PK_MAX_PARAM);
    if (n_out == 0)
        return PK_OK;
    for (size_t i = 0; i < n_out; i++)
        if (!(t_out[i] >= 0) || !isfinite(t_out[i]) || (i > 0 && t_out[i] < t_out[i - 1]))
            return pk_err_set(err, PK_EINPUT, "", "output times must be finite, >= 0 and sorted");
    if (m->derive(theta, weight_kg, s->derived, err) != PK_OK)
        return err->code;
    if (make_events(s, doses, n_doses, err) || sens_setup(s, (int)n_par, err) ||
        prepare_pk(s, t_out[n_out - 1], 0, err))
        return err->code;
    set_aids(s);
    /* the sensitivities ride on the states' steps (no error test of their
     * own): they need the states' full tolerances */
    s->loosened = 0;
    memcpy(s->sens_theta, theta, m->n_param * sizeof(double));
    s->sens_weight = weight_kg;
    for (size_t j = 0; j < n_par; j++) {
        s->sens_plist[j] = par[j];
        double v = fabs(theta[par[j]]);
        s->sens_pbar[j] = v > 0 ? v : 1.0;
    }
    cv_problem *p = &s->sens;
    double *y = N_VGetArrayPointer(p->y);
    if (initial_pd(s, theta, y))
        return pk_err_set(err, PK_EINPUT, "", "parameters give no valid initial state");
    /* yS0 = d y0 / d theta_j by central differences: init is algebraic. */
    double yp[PK_MAX_STATE], ym[PK_MAX_STATE], th[PK_MAX_PARAM];
    for (size_t j = 0; j < n_par; j++) {
        memcpy(th, theta, m->n_param * sizeof(double));
        double h = 1e-6 * s->sens_pbar[j];
        th[par[j]] = theta[par[j]] + h;
        int ok = initial_pd(s, th, yp) == 0;
        th[par[j]] = theta[par[j]] - h;
        ok = ok && initial_pd(s, th, ym) == 0;
        if (!ok)
            return pk_err_set(err, PK_EINPUT, "", "%s: no valid initial state near %g",
                              m->param[par[j]].name, theta[par[j]]);
        double *ys = N_VGetArrayPointer(s->yS[j]);
        for (size_t i = 0; i < npd; i++)
            ys[i] = (yp[i] - ym[i]) / (2 * h);
    }
    s->cv_msg[0] = 0;
    s->sens_active = 1;
    int rc = PK_OK;
    if (CVodeReInit(p->mem, 0.0, p->y) < 0 || CVodeSensReInit(p->mem, CV_SIMULTANEOUS, s->yS) < 0 ||
        CVodeSetSensParams(p->mem, s->sens_theta, s->sens_pbar, s->sens_plist) < 0 ||
        CVodeSetStopTime(p->mem, t_out[n_out - 1]) < 0) {
        s->sens_active = 0;
        return pk_err_set(err, PK_EINTERNAL, "", "cannot re-initialise the sensitivity solver");
    }
    double t_now = 0.0;
    for (size_t i = 0; i < n_out && rc == PK_OK; i++) {
        double *xo = x_out + i * ns, *xso = xs_out + i * n_par * ns;
        if (t_out[i] > t_now) {
            double tret;
            int flag = CVode(p->mem, t_out[i], p->y, &tret, CV_NORMAL);
            if (flag < 0 || CVodeGetSens(p->mem, &tret, s->yS) < 0) {
                rc = solver_error(s, p, flag < 0 ? flag : CV_ILL_INPUT, err);
                break;
            }
            t_now = t_out[i];
        }
        pd_state(s, p, t_out[i], y, xo + npk);
        pk_state_split(s, t_out[i], xo);
        rc = check_finite(m, xo, t_out[i], err);
        for (size_t j = 0; j < n_par && rc == PK_OK; j++) {
            const double *ys = N_VGetArrayPointer(s->yS[j]);
            double *row = xso + j * ns;
            memset(row, 0, npk * sizeof *row);
            for (size_t k = 0; k < npd; k++) {
                /* d x / d theta = x * d ln x / d theta for log-scale states */
                double v = m->state[npk + k].log_scale ? xo[npk + k] * ys[k] : ys[k];
                if (!isfinite(v))
                    rc = pk_err_set(err, PK_ESOLVER, "", "sensitivity of %s to %s is not finite",
                                    m->state[npk + k].name, m->param[par[j]].name);
                row[npk + k] = v;
            }
        }
    }
    add_counts(s, p->mem);
    s->sens_active = 0;
    return rc;
}

/* ---- resumable runs (rule-based dosing) ---- */

int pk_solver_start(pk_solver *s, const double *theta, double weight_kg, const pk_dose *doses,
                    size_t n_doses, double t_end, pk_err *err)
{
    if (s->o.coupled)
        return pk_err_set(err, PK_EINTERNAL, "", "resumable runs need the split engine");
    if (!(t_end >= 0) || !isfinite(t_end))
        return pk_err_set(err, PK_EINPUT, "", "the horizon must be finite and >= 0");
    double x0[PK_MAX_STATE];
    if (prepare_run(s, theta, weight_kg, doses, n_doses, x0, err))
        return err->code;
    s->cover_horizon = 1;
    int rc = split_start(s, x0, t_end, err);
    s->cover_horizon = 0;
    return rc;
}

int pk_solver_advance(pk_solver *s, const double *t_out, size_t n_out, double *x_out,
                      pk_err *err)
{
    if (n_out == 0)
        return PK_OK;
    for (size_t i = 0; i < n_out; i++)
        if (!(t_out[i] >= s->t_now) || t_out[i] > s->t_end || (i > 0 && t_out[i] < t_out[i - 1]))
            return pk_err_set(err, PK_EINPUT, "", "output times must be sorted, from day %g to "
                              "the horizon %g", s->t_now, s->t_end);
    return split_advance(s, t_out, n_out, x_out, err);
}

int pk_solver_redose(pk_solver *s, const pk_dose *doses, size_t n_doses, pk_err *err)
{
    s->cover_horizon = 1;
    int rc = make_events(s, doses, n_doses, err) || prepare_pk(s, s->t_end, 1, err);
    s->cover_horizon = 0;
    if (rc)
        return err->code;
    /* The shifted states' y holds AUC(t_now).  The new events sum the AUC
     * from day 0 again over the same past doses, so it carries on; the
     * shift itself stays the run's (set_aids at the start). */
    cv_problem *p = &s->pd;
    /* the PD state at t_now is exact (the last advance stopped there); the
     * forcing after it changed, so the method restarts from it */
    if (p->ready) {
        count_pd(s);
        s->seen_steps = s->seen_rhs = 0;
        if (CVodeReInit(p->mem, s->t_now, p->y) < 0)
            return pk_err_set(err, PK_EINTERNAL, "", "cannot restart after a dose change");
    }
    return PK_OK;
}
