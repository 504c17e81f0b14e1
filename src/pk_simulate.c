#include "pk_simulate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pk_observe.h"

pk_sim_request pk_sim_default_request(void)
{
    pk_sim_request r = {.days = 0, .every_day = 1, .dose_mg_per_day = 0, .schedule = "bid",
                        .coupled = -1, .rtol = 0};
    return r;
}

void pk_sim_result_free(pk_sim_result *res)
{
    free(res->t_day);
    free(res->dose_mg_per_day);
    free(res->x);
    free(res->obs);
    memset(res, 0, sizeof *res);
}

/* The dosing: the file's, or the command line's from day 0, or (a
 * forecast) the file's before from_day and the command line's after.
 * *days: the horizon (the file's last day unless given).  *fc_reg: the
 * regimen made here (NULL when it is the file's), the caller's to free. */
static int sim_regimen(const pk_patient *p, const pk_sim_request *rq, double *days,
                       pk_regimen **fc_reg, const pk_regimen **reg, size_t *n_reg, pk_err *err)
{
    const pk_model *m = p->model;
    *fc_reg = NULL;
    *reg = p->regimen;
    *n_reg = p->n_regimen;
    *days = rq->days > 0 ? rq->days : ceil(pk_patient_last_day(p));
    if (!rq->dose_set)
        return PK_OK;
    if (*days < 1)
        return pk_err_set(err, PK_EINPUT, "--days", "give --days with --dose");
    if (!(rq->from_day < *days))
        return pk_err_set(err, PK_EINPUT, "--from-day", "day %g is not before the horizon "
                          "(day %g)", rq->from_day, *days);
    int first = (int)rq->from_day;
    pk_regimen cli = {.first_day = first, .last_day = (int)ceil(*days) - 1};
    if (rq->dose_mg_per_day > 0 &&
        (pk_dosing_split(m, rq->dose_mg_per_day, rq->schedule, &cli.morning_mg,
                         &cli.evening_mg, err) ||
         pk_dosing_check(m, &cli, 1, "--dose", err)))
        return err->code;
    if (!(*fc_reg = malloc((p->n_regimen + 1) * sizeof **fc_reg)))
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    *n_reg = pk_dosing_before(p->regimen, p->n_regimen, first, *fc_reg, p->n_regimen);
    (*fc_reg)[(*n_reg)++] = cli;
    *reg = *fc_reg;
    return PK_OK;
}

/* The output rows: every every_day days, and the horizon itself when the
 * spacing does not land on it; each row's daily dose. */
static int sim_rows(const pk_model *m, const pk_sim_request *rq, double days,
                    const pk_regimen *reg, size_t n_reg, pk_sim_result *res, pk_err *err)
{
    size_t n = (size_t)floor(days / rq->every_day + 1e-9) + 1;
    if (n > 10000000)
        return pk_err_set(err, PK_EINPUT, "--every", "%zu output rows are too many", n);
    int extra = fabs((n - 1) * rq->every_day - days) > 1e-9;
    res->n_time = n + extra;
    res->t_day = malloc(res->n_time * sizeof(double));
    res->dose_mg_per_day = malloc(res->n_time * sizeof(double));
    res->x = malloc(res->n_time * m->n_state * sizeof(double));
    res->obs = malloc(res->n_time * m->n_obs * sizeof(double));
    if (!res->t_day || !res->dose_mg_per_day || !res->x || !res->obs)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory for %zu output rows", res->n_time);
    for (size_t i = 0; i < n; i++)
        res->t_day[i] = i * rq->every_day;
    if (extra)
        res->t_day[n] = days;
    for (size_t i = 0; i < res->n_time; i++)
        res->dose_mg_per_day[i] = pk_dosing_daily_mg(reg, n_reg, res->t_day[i]);
    return PK_OK;
}

/* The solver's options: the command line's engine and tolerance, else
 * the patient file's, else the defaults. */
static pk_solver_opts sim_solver_opts(const pk_patient *p, const pk_sim_request *rq)
{
    pk_solver_opts o = pk_solver_default_opts();
    o.coupled = rq->coupled >= 0 ? rq->coupled : p->coupled;
    if (o.coupled)
        o.method = PK_BDF;
    if (rq->rtol > 0)
        o.rtol = rq->rtol;
    else if (p->rtol > 0)
        o.rtol = p->rtol;
    return o;
}

/* Solves on res's rows and fills the observables.  doses: the run's;
 * before: the file's own, which a forecast follows up to from_day. */
static int sim_solve(const pk_patient *p, const pk_sim_request *rq, const pk_dose *doses,
                     size_t n_doses, const pk_dose *before, size_t n_before, pk_sim_result *res,
                     pk_err *err)
{
    const pk_model *m = p->model;
    pk_solver_opts o = sim_solver_opts(p, rq);
    pk_solver *s = pk_solver_new(m, &o, err);
    if (!s)
        return err->code;
    double theta[PK_MAX_PARAM];
    pk_patient_theta(p, theta);
    int rc;
    /* a forecast runs as the unmodified simulation up to from_day */
    if (rq->from_day > 0)
        rc = pk_solver_run_switch(s, theta, p->weight_kg, before, n_before, rq->from_day, doses,
                                  n_doses, res->t_day, res->n_time, res->x, err);
    else
        rc = pk_solver_run(s, theta, p->weight_kg, doses, n_doses, res->t_day, res->n_time,
                           res->x, err);
    if (rc == PK_OK) {
        rc = pk_simulate_outputs(m, &o, pk_solver_derived(s), res->t_day, res->n_time, res->x,
                                 res->obs, &res->n_clamped, err);
        res->stats = pk_solver_get_stats(s);
    }
    pk_solver_free(s);
    return rc;
}

int pk_simulate_patient(const pk_patient *p, const pk_sim_request *rq, pk_sim_result *res,
                        pk_err *err)
{
    memset(res, 0, sizeof *res);
    res->model = p->model;
    if (!(rq->every_day > 0) || rq->every_day > 1000)
        return pk_err_set(err, PK_EINPUT, "--every", "%g: give a spacing in days, > 0", rq->every_day);
    if (rq->days < 0 || rq->days > 1e5 || isnan(rq->days))
        return pk_err_set(err, PK_EINPUT, "--days", "%g: give a horizon in days, 0-100000", rq->days);
    pk_regimen *fc_reg;
    const pk_regimen *reg;
    size_t n_reg;
    double days;
    int rc = sim_regimen(p, rq, &days, &fc_reg, &reg, &n_reg, err);
    if (rc != PK_OK)
        return rc;
    if (days <= 0)
        days = 1;
    pk_dose *doses = NULL, *before = NULL;
    size_t n_doses = 0, n_before = 0;
    rc = sim_rows(p->model, rq, days, reg, n_reg, res, err);
    if (rc == PK_OK)
        rc = pk_dosing_expand(reg, n_reg, &doses, &n_doses, err);
    if (rc == PK_OK && rq->from_day > 0)
        rc = pk_dosing_expand(p->regimen, p->n_regimen, &before, &n_before, err);
    free(fc_reg);
    if (rc == PK_OK)
        rc = sim_solve(p, rq, doses, n_doses, before, n_before, res, err);
    free(doses);
    free(before);
    return rc;
}

/* The cap pk_cvode.c's error weights put on a model's err_loosen factor. */
#define LOOSEN_MAX 1000.0

int pk_simulate_outputs(const pk_model *m, const pk_solver_opts *o, const double *derived,
                        const double *t_day, size_t n_time, double *x, double *obs,
                        long *n_clamped, pk_err *err)
{
    size_t ns = m->n_state, npd = ns - m->n_pk;
    int loosened = !o->coupled && !o->plain_pd && m->err_loosen;
    long clamped = 0;
    for (size_t i = 0; i < n_time; i++) {
        double *xi = x + i * ns, f[PK_MAX_STATE];
        for (size_t k = 0; k < ns; k++)
            f[k] = 1.0;
        int neg = 0;
        for (size_t k = 0; k < ns; k++)
            neg |= xi[k] < 0;
        if (neg && loosened)
            m->err_loosen(xi + m->n_pk, derived, f + m->n_pk); /* as the solver's weights */
        for (size_t k = 0; k < ns; k++) {
            if (!(xi[k] < 0)) {
                if (xi[k] == 0)
                    xi[k] = 0.0; /* not -0 */
                continue;
            }
            const pk_state_def *sd = &m->state[k];
            double fk = k >= m->n_pk && k - m->n_pk < npd && f[k] > 1 ? fmin(f[k], LOOSEN_MAX) : 1;
            double tol = sd->log_scale ? 0
                                       : PK_NONNEG_ATOL * o->rtol * o->atol_scale * sd->scale * fk;
            if (-xi[k] > tol)
                return pk_err_set(err, PK_ESOLVER, "",
                                  "state %s is %.3g at day %g, below 0 by more than the solver's "
                                  "tolerance (%.3g): a tighter rtol (now %g) may help",
                                  sd->name, xi[k], t_day[i], tol, o->rtol);
            xi[k] = 0.0;
            clamped++;
        }
        double *oi = obs + i * m->n_obs;
        pk_observe_rows(m, derived, xi, NULL, 1, NULL, m->n_obs, oi);
        for (size_t j = 0; j < m->n_obs; j++) {
            if (oi[j] < 0)
                return pk_err_set(err, PK_ESOLVER, "", "%s is %.3g at day %g from states that "
                                  "are not negative", m->obs[j].name, oi[j], t_day[i]);
            if (oi[j] == 0)
                oi[j] = 0.0;
        }
    }
    if (n_clamped)
        *n_clamped += clamped;
    return PK_OK;
}

/* Columns: the concentration observable first, then the others. */
static size_t obs_order(const pk_model *m, size_t *order)
{
    size_t k = 0;
    order[k++] = (size_t)m->conc_obs;
    for (size_t j = 0; j < m->n_obs; j++)
        if ((int)j != m->conc_obs)
            order[k++] = j;
    return k;
}

int pk_simulate_write_csv(const pk_sim_result *res, FILE *f)
{
    const pk_model *m = res->model;
    size_t order[PK_MAX_OBS], no = obs_order(m, order);
    fprintf(f, "day,dose_mg_per_day");
    for (size_t j = 0; j < no; j++)
        fprintf(f, ",%s", m->obs[order[j]].column);
    for (size_t k = 0; k < m->n_state; k++)
        fprintf(f, ",%s", m->state[(k + m->n_pk) % m->n_state].name);
    fputc('\n', f);
    for (size_t i = 0; i < res->n_time; i++) {
        fprintf(f, "%.10g,%.10g", res->t_day[i], res->dose_mg_per_day[i]);
        for (size_t j = 0; j < no; j++)
            fprintf(f, ",%.10g", res->obs[i * m->n_obs + order[j]]);
        for (size_t k = 0; k < m->n_state; k++)
            fprintf(f, ",%.10g", res->x[i * m->n_state + (k + m->n_pk) % m->n_state]);
        fputc('\n', f);
    }
    return ferror(f) ? PK_EIO : PK_OK;
}

void pk_simulate_print_summary(const pk_patient *p, const pk_sim_result *res, FILE *f)
{
    const pk_model *m = res->model;
    size_t order[PK_MAX_OBS], no = obs_order(m, order);
    fprintf(f, "%s (%s)\n%8s %10s", p->id, m->name, "day", "mg/day");
    for (size_t j = 0; j < no; j++)
        fprintf(f, " %13s", m->obs[order[j]].column);
    fputc('\n', f);
    static const double marks[] = {0, 1, 3, 7, 14, 28};
    for (size_t i = 0; i < res->n_time; i++) {
        double t = res->t_day[i];
        int show = i + 1 == res->n_time || (t >= 28 && fmod(t, 28) == 0);
        for (size_t k = 0; k < sizeof marks / sizeof *marks; k++)
            show |= t == marks[k];
        if (!show)
            continue;
        fprintf(f, "%8.6g %10.6g", t, res->dose_mg_per_day[i]);
        for (size_t j = 0; j < no; j++)
            fprintf(f, " %13.5g", res->obs[i * m->n_obs + order[j]]);
        fputc('\n', f);
    }
    if (res->n_clamped > 0)
        fprintf(f, "%ld state values within the solver's tolerance below 0 were written as 0\n",
                res->n_clamped);
}
