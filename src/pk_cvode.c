/* pk_cvode: one CVODE problem of the solver: creation, error weights,
 * log-scale state transforms and failure messages. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cvodes/cvodes.h>
#include <nvector/nvector_serial.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>
#include <sunnonlinsol/sunnonlinsol_fixedpoint.h>

#include "pk_solver_impl.h"

static void err_handler(int code, const char *module, const char *function, char *msg,
                        void *ud)
{
    (void)module;
    pk_solver *s = ud;
    if (code < 0)
        snprintf(s->cv_msg, sizeof s->cv_msg, "%s: %s", function, msg);
}

void sv_problem_free(cv_problem *p)
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

/* ---- state transforms: log-scale states are integrated as ln(x) ---- */

void sv_to_solver(const pk_model *m, size_t off, size_t n, const double *x, double *y)
{
    for (size_t i = 0; i < n; i++)
        y[i] = m->state[off + i].log_scale ? log(x[i]) : x[i];
}


/* Error weights: linear states the usual 1/(rtol*|y| + atol); log-scale
 * states 1/atol alone, since an absolute error in ln(x) is the relative
 * error in x (rtol*|ln x| would loosen it for small x).  With the model's
 * err_loosen, each tolerance times its factor at the current state. */
static int ewt_cb(N_Vector y, N_Vector w, void *ud)
{
    cv_problem *p = ud;
    pk_solver *s = p->owner;
    const double *yv = N_VGetArrayPointer(y), *at = N_VGetArrayPointer(p->atol);
    double *wv = N_VGetArrayPointer(w);
    double tol[PK_MAX_STATE];
    for (size_t i = 0; i < p->n; i++)
        tol[i] = p->rtol_lin[i] * fabs(yv[i]) + at[i];
    if (s->loosened) { /* only with an engine that uses the aids (sv_set_aids) */
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
            sv_pd_state(s, p, t, yv, x);
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

int sv_problem_init(pk_solver *s, cv_problem *p, size_t off, size_t n, CVRhsFn f,
                    pk_method method, pk_err *err)
{
    p->owner = s;
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
    if (CVodeInit(p->mem, f, 0.0, p->y) < 0 || CVodeSetUserData(p->mem, p) < 0 ||
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

void sv_add_counts(pk_solver *s, void *mem)
{
    long nst = 0, nfe = 0;
    CVodeGetNumSteps(mem, &nst);
    CVodeGetNumRhsEvals(mem, &nfe);
    s->stats.steps += nst;
    s->stats.rhs_evals += nfe;
}

/* A solver failure becomes one line naming the time and the state. */
int sv_solver_error(pk_solver *s, cv_problem *p, int flag, pk_err *err)
{
    if (pk_interrupted()) /* the right-hand side stopped the run */
        return pk_err_set(err, PK_EINTR, "", "interrupted: no output written");
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
