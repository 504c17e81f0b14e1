/* pk_sens: forward sensitivities of the PD states to PD parameters, by
 * CVODES, on the split engine's PK. */
#include <math.h>
#include <string.h>

#include <cvodes/cvodes.h>
#include <nvector/nvector_serial.h>
#include <sunnonlinsol/sunnonlinsol_fixedpoint.h>

#include "pk_solver_impl.h"

/* ---- forward sensitivities ---- */

/* PD right-hand side at the parameters CVODES may have perturbed: the
 * derived constants are recomputed from sens_theta; C(t) stays the
 * propagator's (these parameters do not touch the PK). */
static int pd_rhs_sens_cb(double t, N_Vector y, N_Vector ydot, void *ud)
{
    cv_problem *p = ud;
    pk_solver *s = p->owner;
    double d[PK_MAX_DERIVED];
    pk_err err = {0};
    if (s->m->derive(s->sens_theta, s->sens_weight, d, &err) != PK_OK)
        return 1;
    /* the exposure shift stays at the nominal parameters: y's definition
     * then does not depend on theta, and d y/d theta = d ln x/d theta */
    return sv_pd_rhs_at(s, p, d, t, y, ydot);
}

/* Initial solver-scale PD state at theta (for finite-difference yS0). */
static int initial_pd(const pk_solver *s, const double *theta, double *y)
{
    double d[PK_MAX_DERIVED], x[PK_MAX_STATE];
    pk_err err = {0};
    if (s->m->derive(theta, s->sens_weight, d, &err) != PK_OK)
        return -1;
    s->m->init(d, x);
    sv_to_solver(s->m, s->m->n_pk, s->m->n_state - s->m->n_pk, x + s->m->n_pk, y);
    return 0;
}

static int sens_setup(pk_solver *s, int np, pk_err *err)
{
    cv_problem *p = &s->sens;
    const pk_model *m = s->m;
    if (p->ready && s->sens_np == np)
        return PK_OK;
    sv_problem_free(p);
    if (s->yS)
        N_VDestroyVectorArray(s->yS, s->sens_np);
    s->yS = NULL;
    s->sens_np = 0;
    int rc = sv_problem_init(s, p, m->n_pk, m->n_state - m->n_pk, pd_rhs_sens_cb, PK_ADAMS, err);
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

/* The initial state and yS0 = d y0 / d theta_j, by central differences:
 * init is algebraic. */
static int sens_initial(pk_solver *s, const double *theta, const int *par, size_t n_par,
                        pk_err *err)
{
    const pk_model *m = s->m;
    size_t npd = m->n_state - m->n_pk;
    if (initial_pd(s, theta, N_VGetArrayPointer(s->sens.y)))
        return pk_err_set(err, PK_EINPUT, "", "parameters give no valid initial state");
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
    return PK_OK;
}

/* One output's sensitivity rows (n_par x n_state) from yS, at the physical
 * state xo. */
static int sens_rows(const pk_solver *s, const double *xo, const int *par, size_t n_par,
                     double *xso, pk_err *err)
{
    const pk_model *m = s->m;
    size_t ns = m->n_state, npk = m->n_pk, npd = ns - npk;
    int rc = PK_OK;
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
    return rc;
}

int pk_solver_run_sens(pk_solver *s, const double *theta, double weight_kg, const pk_dose *doses,
                       size_t n_doses, const double *t_out, size_t n_out, size_t n_par,
                       const int *par, double *x_out, double *xs_out, pk_err *err)
{
    const pk_model *m = s->m;
    size_t ns = m->n_state, npk = m->n_pk, npd = ns - npk;
    if (!s->engine->uses_prop || npd == 0 || n_par == 0 || n_par > PK_MAX_PARAM)
        return pk_err_set(err, PK_EINTERNAL, "", "sensitivities need the split engine, a PD "
                                                 "and 1-%d parameters", PK_MAX_PARAM);
    if (n_out == 0)
        return PK_OK;
    for (size_t i = 0; i < n_out; i++)
        if (!(t_out[i] >= 0) || !isfinite(t_out[i]) || (i > 0 && t_out[i] < t_out[i - 1]))
            return pk_err_set(err, PK_EINPUT, "", "output times must be finite, >= 0 and sorted");
    if (sv_derive(s, theta, weight_kg, s->derived, err) != PK_OK)
        return err->code;
    if (sv_make_events(s, doses, n_doses, err) || sens_setup(s, (int)n_par, err) ||
        sv_prepare_pk(s, t_out[n_out - 1], 0, err))
        return err->code;
    sv_set_aids(s);
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
    if (sens_initial(s, theta, par, n_par, err))
        return err->code;
    cv_problem *p = &s->sens;
    double *y = N_VGetArrayPointer(p->y);
    s->cv_msg[0] = 0;
    if (CVodeReInit(p->mem, 0.0, p->y) < 0 || CVodeSensReInit(p->mem, CV_SIMULTANEOUS, s->yS) < 0 ||
        CVodeSetSensParams(p->mem, s->sens_theta, s->sens_pbar, s->sens_plist) < 0 ||
        CVodeSetStopTime(p->mem, t_out[n_out - 1]) < 0)
        return pk_err_set(err, PK_EINTERNAL, "", "cannot re-initialise the sensitivity solver");
    int rc = PK_OK;
    double t_now = 0.0;
    for (size_t i = 0; i < n_out && rc == PK_OK; i++) {
        double *xo = x_out + i * ns;
        if (t_out[i] > t_now) {
            double tret;
            int flag = CVode(p->mem, t_out[i], p->y, &tret, CV_NORMAL);
            if (flag < 0 || CVodeGetSens(p->mem, &tret, s->yS) < 0) {
                rc = sv_solver_error(s, p, flag < 0 ? flag : CV_ILL_INPUT, err);
                break;
            }
            t_now = t_out[i];
        }
        sv_pd_state(s, p, t_out[i], y, xo + npk);
        sv_pk_state(s, t_out[i], xo);
        rc = sv_check_finite(m, xo, t_out[i], err);
        if (rc == PK_OK)
            rc = sens_rows(s, xo, par, n_par, xs_out + i * n_par * ns, err);
    }
    sv_add_counts(s, p->mem);
    return rc;
}
