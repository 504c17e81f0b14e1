/* pk_exposure: the PK side of the split engine.  Dose events (lag and
 * bioavailability applied), the propagator that carries the PK from dose
 * to dose, and what the PD and the outputs read from it: C(t), AUC(t) and
 * the PK states. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pk_solver_impl.h"
#include "pk_text.h"

/* ---- concentration from the propagator ---- */


/* Dose events: lag and bioavailability applied, same times merged. */
int sv_make_events(pk_solver *s, const pk_dose *doses, size_t n, pk_err *err)
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
    double lag = m->lag_day ? m->lag_day(s->derived) : 0.0; /* optional: no lag */
    size_t k = 0;
    s->ex_t = NAN; /* new doses: no cached exposure */
    s->rhs_p = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!(doses[i].t_day >= 0) || !isfinite(doses[i].amount_mg) || doses[i].amount_mg < 0 ||
            (i > 0 && doses[i].t_day < doses[i - 1].t_day))
            return pk_err_set(err, PK_EINPUT, "", "dose %zu: times must be >= 0 and sorted", i);
        double t = doses[i].t_day + lag;
        double amt = doses[i].amount_mg *
                     (m->bioavailability ? m->bioavailability(s->derived, doses[i].amount_mg) : 1.0);
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

int sv_prepare_pk(pk_solver *s, double t_end, int allow_interp, pk_err *err)
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
void sv_pk_state(pk_solver *s, double t, double *x)
{
    size_t npk = s->m->n_pk;
    size_t k = sv_event_at(s, t);
    while (k != s->n_ev && k > 0 && s->ev_t[k] == t)
        k--;
    if (k == s->n_ev || s->ev_t[k] >= t) {
        memset(x, 0, npk * sizeof *x);
        return;
    }
    pk_prop_jump(&s->prop, t - s->ev_t[k], s->ypk + k * npk, x);
}

int pk_solver_pin_pk(pk_solver *s, const double *theta, double weight_kg, double t_end,
                     const double *jumps, size_t n_jumps, pk_err *err)
{
    const pk_model *m = s->m;
    if (!s->engine->uses_prop)
        return PK_OK;
    double saved[PK_MAX_DERIVED];
    memcpy(saved, s->derived, sizeof saved);
    if (sv_derive(s, theta, weight_kg, s->derived, err) != PK_OK) {
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
