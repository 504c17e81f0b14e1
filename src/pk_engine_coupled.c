/* pk_engine_coupled: the reference engine.  CVODE integrates every
 * state in one problem, stopping at each dose to add it and restart. */
#include <math.h>

#include <cvodes/cvodes.h>
#include <nvector/nvector_serial.h>

#include "pk_solver_impl.h"

static int all_rhs_cb(double t, N_Vector y, N_Vector ydot, void *ud)
{
    cv_problem *p = ud;
    pk_solver *s = p->owner;
    const pk_model *m = s->m;
    if (pk_interrupted())
        return -1; /* unrecoverable: CVODE returns at once (sv_solver_error) */
    size_t n = m->n_state, npk = m->n_pk;
    double x[PK_MAX_STATE];
    double *dx = N_VGetArrayPointer(ydot);
    sv_from_solver(p, N_VGetArrayPointer(y), x, NULL, 0.0);
    double tad = isfinite(s->t_last_dose) ? t - s->t_last_dose : -1.0;
    m->pk_rhs(tad, x, s->derived, dx);
    if (n > npk)
        m->pd_rhs(m->conc(x, s->derived), x + npk, s->derived, dx + npk);
    return sv_finish_rhs(p, x, dx, NULL, 0.0);
}

static int run_coupled(pk_solver *s, const double *x0, const double *t_out, size_t n_out,
                       double *x_out, pk_err *err)
{
    const pk_model *m = s->m;
    size_t ns = m->n_state;
    cv_problem *p = &s->all;
    double *y = N_VGetArrayPointer(p->y);
    sv_to_solver(m, 0, ns, x0, y);
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
                    return sv_solver_error(s, p, flag, err);
                t_now = te;
            }
            y[0] += s->ev_amt[k]; /* PK states are linear-scale */
            s->t_last_dose = te;
            k++;
            sv_add_counts(s, p->mem);
            double stop = k < s->n_ev ? fmin(s->ev_t[k], t_end) : t_end;
            if (CVodeReInit(p->mem, te, p->y) < 0 || CVodeSetStopTime(p->mem, stop) < 0)
                return pk_err_set(err, PK_EINTERNAL, "", "cannot re-initialise after a dose");
        }
        if (t_out[i] > t_now) {
            double tret;
            int flag = CVode(p->mem, t_out[i], p->y, &tret, CV_NORMAL);
            if (flag < 0)
                return sv_solver_error(s, p, flag, err);
            t_now = t_out[i];
        }
        double *xo = x_out + i * ns;
        sv_from_solver(p, y, xo, NULL, 0.0);
        rc = sv_check_finite(m, xo, t_out[i], err);
    }
    sv_add_counts(s, p->mem);
    return rc;
}

static int init_coupled(pk_solver *s, pk_err *err)
{
    return sv_problem_init(s, &s->all, 0, s->m->n_state, all_rhs_cb, s->o.method, err);
}

/* No propagator, no PD aids, no resumable runs: the reference these are
 * checked against. */
const pk_engine pk_engine_coupled = {
    .name = "coupled",
    .uses_prop = 0,
    .init = init_coupled,
    .run = run_coupled,
};
