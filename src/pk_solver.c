/* pk_solver: the public entry points.  The engine is chosen once, in
 * pk_solver_new; every run then goes through its table (pk_solver_impl.h). */
#include "pk_solver.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cvodes/cvodes.h>
#include <nvector/nvector_serial.h>

#include "pk_solver_impl.h"

pk_solver_opts pk_solver_default_opts(void)
{
    pk_solver_opts o = {.rtol = 3e-7, .atol_scale = 1.0, .pk_rtol = 0, .coupled = 0,
                        .method = PK_ADAMS, .max_steps = 500000};
    return o;
}

void pk_solver_free(pk_solver *s)
{
    if (!s)
        return;
    sv_problem_free(&s->pd);
    sv_problem_free(&s->all);
    sv_problem_free(&s->sens);
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
    s->engine = s->o.coupled ? &pk_engine_coupled : &pk_engine_split;
    if (s->engine->init(s, err) != PK_OK) {
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

int sv_check_finite(const pk_model *m, const double *x, double t, pk_err *err)
{
    for (size_t i = 0; i < m->n_state; i++)
        if (!isfinite(x[i]))
            return pk_err_set(err, PK_ESOLVER, "", "state %s is not finite at day %g",
                              m->state[i].name, t);
    return PK_OK;
}

/* No NaN, and no infinity outside a parameter's admissible range (D50_mg
 * = inf is a dose-independent absorption), before a model sees them; no
 * NaN among the PK's derived constants after: it would defeat the
 * propagator cache (NaN never compares equal); pk_prop_build refuses
 * constants it cannot tabulate. */
int sv_derive(pk_solver *s, const double *theta, double weight_kg, double *derived, pk_err *err)
{
    const pk_model *m = s->m;
    for (size_t j = 0; j < m->n_param; j++)
        if (isnan(theta[j]) ||
            (isinf(theta[j]) && !(theta[j] >= m->param[j].lo && theta[j] <= m->param[j].hi)))
            return pk_err_set(err, PK_EINPUT, "", "%s is %g: not a number a model can take",
                              m->param[j].name, theta[j]);
    if (m->derive(theta, weight_kg, derived, err) != PK_OK)
        return err->code;
    for (size_t k = 0; k < m->n_pk_derived; k++)
        if (isnan(derived[k]))
            return pk_err_set(err, PK_EINPUT, "", "the parameters give a PK constant that is not "
                              "a number (derived value %zu)", k);
    return PK_OK;
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
    if (sv_derive(s, theta, weight_kg, s->derived, err) != PK_OK) {
        memcpy(s->derived, saved, sizeof saved);
        return err->code;
    }
    if (sv_make_events(s, doses, n_doses, err))
        return err->code;
    m->init(s->derived, x0);
    for (size_t i = 0; i < m->n_state; i++)
        if (m->state[i].log_scale && !(x0[i] > 0))
            return pk_err_set(err, PK_EINPUT, "", "initial %s must be positive (got %g)",
                              m->state[i].name, x0[i]);
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
    return s->engine->run(s, x0, t_out, n_out, x_out, err);
}

int pk_solver_run_switch(pk_solver *s, const double *theta, double weight_kg,
                         const pk_dose *before, size_t n_before, double t_switch,
                         const pk_dose *after, size_t n_after, const double *t_out,
                         size_t n_out, double *x_out, pk_err *err)
{
    if (!s->engine->run_switch)
        return pk_solver_run(s, theta, weight_kg, after, n_after, t_out, n_out, x_out, err);
    if (n_out == 0)
        return PK_OK;
    for (size_t i = 0; i < n_out; i++)
        if (!(t_out[i] >= 0) || !isfinite(t_out[i]) || (i > 0 && t_out[i] < t_out[i - 1]))
            return pk_err_set(err, PK_EINPUT, "", "output times must be finite, >= 0 and sorted");
    if (!(t_switch >= 0) || !(t_switch <= t_out[n_out - 1]))
        return pk_err_set(err, PK_EINPUT, "", "the forecast's day %g is outside the run",
                          t_switch);
    double x0[PK_MAX_STATE];
    if (prepare_run(s, theta, weight_kg, before, n_before, x0, err))
        return err->code;
    return s->engine->run_switch(s, x0, t_out, n_out, x_out, t_switch, after, n_after, err);
}

/* ---- resumable runs (rule-based dosing) ---- */

int pk_solver_start(pk_solver *s, const double *theta, double weight_kg, const pk_dose *doses,
                    size_t n_doses, double t_end, pk_err *err)
{
    if (!s->engine->start)
        return pk_err_set(err, PK_EINTERNAL, "", "resumable runs need the split engine");
    if (!(t_end >= 0) || !isfinite(t_end))
        return pk_err_set(err, PK_EINPUT, "", "the horizon must be finite and >= 0");
    double x0[PK_MAX_STATE];
    if (prepare_run(s, theta, weight_kg, doses, n_doses, x0, err))
        return err->code;
    return s->engine->start(s, x0, t_end, err);
}

int pk_solver_advance(pk_solver *s, const double *t_out, size_t n_out, double *x_out,
                      pk_err *err)
{
    if (!s->engine->advance)
        return pk_err_set(err, PK_EINTERNAL, "", "resumable runs need the split engine");
    if (n_out == 0)
        return PK_OK;
    for (size_t i = 0; i < n_out; i++)
        if (!(t_out[i] >= s->t_now) || t_out[i] > s->t_end || (i > 0 && t_out[i] < t_out[i - 1]))
            return pk_err_set(err, PK_EINPUT, "", "output times must be sorted, from day %g to "
                              "the horizon %g", s->t_now, s->t_end);
    return s->engine->advance(s, t_out, n_out, x_out, err);
}

int pk_solver_redose(pk_solver *s, const pk_dose *doses, size_t n_doses, pk_err *err)
{
    if (!s->engine->redose)
        return pk_err_set(err, PK_EINTERNAL, "", "resumable runs need the split engine");
    return s->engine->redose(s, doses, n_doses, err);
}
