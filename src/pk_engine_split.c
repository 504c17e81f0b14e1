/* pk_engine_split: the default engine.  The PK comes from the
 * propagator (pk_exposure.c); CVODE integrates the PD states alone, with
 * the model's integration aids.  Runs are resumable, for doses decided
 * during the run (rule-based dosing). */
#include <math.h>
#include <string.h>

#include <cvodes/cvodes.h>
#include <nvector/nvector_serial.h>

#include "pk_solver_impl.h"

/* The PD's physical state from the solver's y at t. */
void sv_pd_state(pk_solver *s, const cv_problem *p, double t, const double *y, double *x)
{
    double auc = 0.0;
    if (s->shifted)
        sv_exposure(s, t, &auc);
    sv_from_solver(p, y, x, s->shifted ? s->shift : NULL, auc);
}

/* The PD right-hand side at derived constants d. */
int sv_pd_rhs_at(pk_solver *s, const cv_problem *p, const double *d, double t, N_Vector y,
                     N_Vector ydot)
{
    const pk_model *m = s->m;
    if (pk_interrupted())
        return -1; /* unrecoverable: CVODE returns at once (sv_solver_error) */
    double auc = 0.0, *x = s->rhs_x; /* kept for the error weights */
    double *dx = N_VGetArrayPointer(ydot);
    const double *shift = s->shifted ? s->shift : NULL;
    double c = sv_exposure(s, t, shift ? &auc : NULL);
    sv_from_solver(p, N_VGetArrayPointer(y), x, shift, auc);
    s->rhs_p = p;
    s->rhs_t = t;
    m->pd_rhs(c, x, d, dx);
    return sv_finish_rhs(p, x, dx, shift, c);
}

static int pd_rhs_cb(double t, N_Vector y, N_Vector ydot, void *ud)
{
    cv_problem *p = ud;
    return sv_pd_rhs_at(p->owner, p, p->owner->derived, t, y, ydot);
}

/* The model's PD integration aids at the run's derived constants and
 * doses (after prepare_pk).  The mean concentration is taken from the
 * first to the last dose, so that it does not depend on the output
 * horizon; a single dose gives 0.  The shift then stays fixed for the
 * run, re-doses included: it defines the solver's variables. */
void sv_set_aids(pk_solver *s)
{
    const pk_model *m = s->m;
    int on = s->engine->uses_prop && !s->o.plain_pd;
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
    if (sv_prepare_pk(s, t_end, 0, err))
        return err->code;
    sv_set_aids(s);
    cv_problem *p = &s->pd;
    if (p->ready) {
        sv_to_solver(m, npk, p->n, x0 + npk, N_VGetArrayPointer(p->y));
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

/* Through sorted output times, CVODE stopping exactly at t_stop (at or
 * after the last output: a later re-dose starts from there). */
static int advance_to(pk_solver *s, const double *t_out, size_t n_out, double *x_out,
                      double t_stop, pk_err *err)
{
    const pk_model *m = s->m;
    size_t ns = m->n_state, npk = m->n_pk;
    cv_problem *p = &s->pd;
    double *y = p->ready ? N_VGetArrayPointer(p->y) : NULL;
    if (p->ready && t_stop > s->t_now && CVodeSetStopTime(p->mem, t_stop) < 0)
        return pk_err_set(err, PK_EINTERNAL, "", "cannot set the stop time");
    int rc = PK_OK;
    for (size_t i = 0; i < n_out; i++) {
        double *xo = x_out + i * ns;
        if (p->ready && t_out[i] > s->t_now) {
            double tret;
            int flag = CVode(p->mem, t_out[i], p->y, &tret, CV_NORMAL);
            if (flag < 0) {
                rc = sv_solver_error(s, p, flag, err);
                break;
            }
            s->t_now = t_out[i];
        }
        if (p->ready)
            sv_pd_state(s, p, t_out[i], y, xo + npk);
        else if (ns > npk)
            memcpy(xo + npk, s->x0 + npk, (ns - npk) * sizeof *xo);
        sv_pk_state(s, t_out[i], xo);
        if ((rc = sv_check_finite(m, xo, t_out[i], err)))
            break;
    }
    if (p->ready)
        count_pd(s);
    return rc;
}

static int split_advance(pk_solver *s, const double *t_out, size_t n_out, double *x_out,
                         pk_err *err)
{
    return advance_to(s, t_out, n_out, x_out, t_out[n_out - 1], err);
}

static int run_split(pk_solver *s, const double *x0, const double *t_out, size_t n_out,
                     double *x_out, pk_err *err)
{
    if (split_start(s, x0, t_out[n_out - 1], err))
        return err->code;
    return split_advance(s, t_out, n_out, x_out, err);
}

/* A resumable run's propagator spans the whole horizon at once: later
 * re-doses (pauses) then never need a longer table. */
static int resumable_start(pk_solver *s, const double *x0, double t_end, pk_err *err)
{
    s->cover_horizon = 1;
    int rc = split_start(s, x0, t_end, err);
    s->cover_horizon = 0;
    return rc;
}

static int split_redose(pk_solver *s, const pk_dose *doses, size_t n_doses, pk_err *err)
{
    s->cover_horizon = 1;
    int rc = sv_make_events(s, doses, n_doses, err) || sv_prepare_pk(s, s->t_end, 1, err);
    s->cover_horizon = 0;
    if (rc)
        return err->code;
    /* The shifted states' y holds AUC(t_now).  The new events sum the AUC
     * from day 0 again over the same past doses, so it carries on; the
     * shift itself stays the run's (sv_set_aids at the start). */
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

/* A forecast.  Up to t_switch this is run_split with the first doses,
 * step for step (the same stop time, the horizon), so those outputs are
 * bit-identical to an unmodified run; the state at t_switch is CVODE's
 * interpolant there, as an output at t_switch would be; from it the run
 * restarts with the new doses. */
static int split_run_switch(pk_solver *s, const double *x0, const double *t_out, size_t n_out,
                            double *x_out, double t_switch, const pk_dose *after,
                            size_t n_after, pk_err *err)
{
    double t_end = t_out[n_out - 1];
    size_t ns = s->m->n_state, k = 0;
    while (k < n_out && t_out[k] < t_switch)
        k++;
    if (split_start(s, x0, t_end, err) || (k && advance_to(s, t_out, k, x_out, t_end, err)))
        return err->code;
    cv_problem *p = &s->pd;
    if (p->ready && t_switch > s->t_now) {
        double tret;
        int flag = CVode(p->mem, t_switch, p->y, &tret, CV_NORMAL);
        if (flag < 0)
            return sv_solver_error(s, p, flag, err);
        s->t_now = t_switch;
    }
    if (split_redose(s, after, n_after, err))
        return err->code;
    return k < n_out ? advance_to(s, t_out + k, n_out - k, x_out + k * ns, t_end, err) : PK_OK;
}

/* Only a model with PD states needs a CVODE problem: the PK is the
 * propagator's. */
static int init_split(pk_solver *s, pk_err *err)
{
    const pk_model *m = s->m;
    if (m->n_state == m->n_pk)
        return PK_OK;
    return sv_problem_init(s, &s->pd, m->n_pk, m->n_state - m->n_pk, pd_rhs_cb, s->o.method, err);
}

const pk_engine pk_engine_split = {
    .name = "split",
    .uses_prop = 1,
    .init = init_split,
    .run = run_split,
    .start = resumable_start,
    .advance = split_advance,
    .redose = split_redose,
    .run_switch = split_run_switch,
};
