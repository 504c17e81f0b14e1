/* pk_sweep: the runner.  Every (scenario, draw) is simulated on one grid,
 * block by block, and fed to the reducer in draw order. */
#include "pk_sweep.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "pk_clock.h"
#include "pk_prior.h"
#include "pk_rules.h"
#include "pk_simulate.h"
#include "pk_solver.h"
#include "pk_sweep_impl.h"

/* The output grid: every 0.25 day to the horizon, and every 15 min over
 * the model's exposure window [w, w + 1] (w a multiple of 0.25 day). */
static double *sweep_grid(double days, double w, size_t *n)
{
    size_t nq = (size_t)floor(days * 4 + 1e-9) + 1, cap = nq + 100;
    double *t = malloc(cap * sizeof *t);
    size_t k = 0;
    for (size_t i = 0; i < nq; i++) {
        double ti = i * 0.25;
        if (days >= w + 1 && ti > w && ti < w + 1)
            continue;
        if (days >= w + 1 && ti == w) {
            for (int j = 0; j < 96; j++)
                t[k++] = w + j / 96.0;
            continue;
        }
        t[k++] = ti;
    }
    if (t[k - 1] < days - 1e-9)
        t[k++] = days;
    *n = k;
    return t;
}

void pk_sweep_result_free(pk_sweep_result *r)
{
    free(r->scen);
    free(r->q);
    free(r->traj);
    free(r->dose);
    free(r->order);
    free(r->change);
    free(r->ro);
    free(r->prcc);
    memset(r, 0, sizeof *r);
}

/* Daily doses (mg/day, one per day) -> dose events, each day split by the
 * schedule. */
static int plan_doses(const pk_model *m, const double *daily, size_t ndays, int bid,
                      pk_dose **doses, size_t *n, pk_err *err)
{
    pk_regimen *reg = malloc((ndays ? ndays : 1) * sizeof *reg);
    if (!reg)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    size_t k = 0;
    for (size_t d = 0; d < ndays; d++) {
        if (k > 0 && reg[k - 1].last_day == (int)d - 1 &&
            reg[k - 1].morning_mg + reg[k - 1].evening_mg == daily[d]) {
            reg[k - 1].last_day = (int)d;
            continue;
        }
        reg[k] = (pk_regimen){.first_day = (int)d, .last_day = (int)d};
        if (pk_dosing_split(m, daily[d], bid ? "bid" : "qd", &reg[k].morning_mg,
                            &reg[k].evening_mg, err)) {
            free(reg);
            return err->code;
        }
        k++;
    }
    int rc = pk_dosing_expand(reg, k, doses, n, err);
    free(reg);
    return rc;
}

/* Measurement error of the error model on a count the rules see. */
static void add_noise(const pk_model *m, double *obs, gsl_rng *rng)
{
    for (size_t j = 0; j < m->n_obs; j++) {
        const pk_obs_def *od = &m->obs[j];
        if (od->error == PK_ERRMODEL_LOGNORMAL)
            obs[j] *= exp(gsl_ran_gaussian(rng, od->a));
        else if (od->error == PK_ERRMODEL_BINOMIAL && od->default_n > 0)
            obs[j] = 100.0 * gsl_ran_binomial(rng, fmin(fmax(obs[j] / 100, 0), 1),
                                               (unsigned)od->default_n) / od->default_n;
    }
}

/* Observables of grid rows a..b-1, as simulate writes them: a state
 * within the solver's tolerance below 0 is 0, one further below fails
 * the simulation (pk_simulate_outputs). */
static int observe_rows(const pk_model *m, pk_solver *s, const pk_sweep_opts *o,
                        const double *grid, double *x, double *ob, size_t a, size_t b, pk_err *err)
{
    pk_solver_opts so = pk_solver_default_opts();
    so.rtol = o->rtol;
    return pk_simulate_outputs(m, &so, pk_solver_derived(s), grid + a, b - a, x + a * m->n_state,
                               ob + a * m->n_obs, NULL, err);
}

/* One (scenario, draw): states x and observables ob on the grid, and the
 * applied daily doses.  With rules the doses change on count days. */
static int simulate_one(const pk_model *m, pk_solver *s, const pk_sweep_opts *o,
                        const pk_scenario *sc, int with_rules, const double *theta,
                        double weight_kg, const double *grid, size_t ng, double *x, double *ob,
                        double *daily, size_t ndays, unsigned long noise_seed, pk_err *err)
{
    size_t ns = m->n_state, no = m->n_obs;
    for (size_t d = 0; d < ndays; d++)
        daily[d] = pk_dosing_daily_mg(sc->reg, sc->n_reg, (double)d);
    pk_dose *doses = NULL;
    size_t n_doses = 0;
    int rc;
    if (!with_rules) {
        rc = pk_dosing_expand(sc->reg, sc->n_reg, &doses, &n_doses, err);
        if (rc == PK_OK)
            rc = pk_solver_run(s, theta, weight_kg, doses, n_doses, grid, ng, x, err);
        free(doses);
        if (rc == PK_OK)
            rc = observe_rows(m, s, o, grid, x, ob, 0, ng, err);
        return rc;
    }
    const pk_rules *rl = o->rules;
    int bid = rl->bid;
    if ((rc = plan_doses(m, daily, ndays, bid, &doses, &n_doses, err)) ||
        (rc = pk_solver_start(s, theta, weight_kg, doses, n_doses, o->days, err))) {
        free(doses);
        return rc;
    }
    free(doses);
    double *ht = malloc((ndays + 1) * sizeof *ht), *ho = malloc((ndays + 1) * no * sizeof *ho);
    gsl_rng *rng = o->noisy_counts ? gsl_rng_alloc(gsl_rng_mt19937) : NULL;
    if (rng)
        gsl_rng_set(rng, noise_seed);
    pk_rule_state st = {daily[0], daily[0], 0};
    size_t gi = 0, nh = 0;
    for (size_t c = 0; c < ndays && rc == PK_OK; c++) {
        if (!rl->count_mod[c % 7])
            continue;
        size_t ge = gi;
        while (ge < ng && grid[ge] <= (double)c + 1e-9)
            ge++;
        if (ge > gi) {
            if ((rc = pk_solver_advance(s, grid + gi, ge - gi, x + gi * ns, err)) ||
                (rc = observe_rows(m, s, o, grid, x, ob, gi, ge, err)))
                break;
            gi = ge;
        }
        /* the count of day c: the grid row at c */
        ht[nh] = (double)c;
        memcpy(ho + nh * no, ob + (ge - 1) * no, no * sizeof(double));
        if (rng)
            add_noise(m, ho + nh * no, rng);
        nh++;
        /* the pre-treatment count decides nothing; in a forecast, the
         * rules take over at its first day */
        if ((double)c <= o->from_day)
            continue;
        if (pk_rules_apply(rl, m, ht, ho, nh, &st) < 0)
            continue;
        for (size_t d = c; d < ndays; d++)
            daily[d] = st.daily_mg;
        if ((rc = plan_doses(m, daily, ndays, bid, &doses, &n_doses, err)) == PK_OK)
            rc = pk_solver_redose(s, doses, n_doses, err);
        free(doses);
    }
    if (rc == PK_OK && gi < ng &&
        (rc = pk_solver_advance(s, grid + gi, ng - gi, x + gi * ns, err)) == PK_OK)
        rc = observe_rows(m, s, o, grid, x, ob, gi, ng, err);
    free(ht);
    free(ho);
    gsl_rng_free(rng);
    return rc;
}

/* What every (scenario, draw) of a run shares: the inputs, the grid and
 * the current block's buffers. */
typedef struct sweep_job {
    const pk_patient *p;
    const pk_sweep_opts *o;
    pk_sweep_result *r;
    const double *grid;
    size_t ng, nday, ndd;
    const size_t *day_at;  /* grid index of each integer day */
    double *th, *ro, *tr, *dly; /* the block: parameters, read-outs, trajectories, doses */
    int pin;               /* one propagator per draw, shared by its scenarios */
    const pk_sweep_posterior *post;
    double pin_day;        /* its extent, days (pin_extent) */
} sweep_job;

/* The pinned propagator's extent, days: the longest interval a dose of
 * any fixed scenario opens (to the next dose, or from the last one to
 * the horizon), so the table spans what the runs look up and no more (a
 * horizon-long table for 1-day intervals was mostly far-grid nodes never
 * read: 7.9% of an AML trial's instructions).  A rule-based scenario may pause anywhere:
 * the horizon.  The margin keeps the last node from rounding below the
 * longest interval, which would rebuild the table for every run. */
static double pin_extent(const pk_sweep_result *r, const pk_sweep_opts *o)
{
    if (r->rules_scen >= 0)
        return o->days;
    double ext = 0;
    for (size_t si = 0; si < r->n_scen; si++) {
        pk_dose *d = NULL;
        size_t n = 0;
        pk_err e = {0};
        if (pk_dosing_expand(r->scen[si].reg, r->scen[si].n_reg, &d, &n, &e) != PK_OK)
            return o->days;
        for (size_t k = 0; k < n; k++)
            ext = fmax(ext, (k + 1 < n ? d[k + 1].t_day : fmax(o->days, d[k].t_day)) - d[k].t_day);
        free(d);
    }
    return fmin(o->days, ext + 1e-6);
}

/* Draw d (block row b) in every scenario; returns the failed simulations. */
static long run_draw(const sweep_job *j, pk_solver *s, double *x, double *ob, size_t b, size_t d)
{
    /* exact at the qd and bid dosing intervals that occur (--point keeps
     * simulate's own tables) */
    static const double pin_jumps[2] = {0.5, 1.0};
    size_t n_jumps = (pin_jumps[0] <= j->pin_day) + (pin_jumps[1] <= j->pin_day);
    const pk_model *m = j->p->model;
    const pk_sweep_result *r = j->r;
    size_t ns = r->n_scen, np = m->n_param, nro = r->n_ro, ntr = r->n_tr, nt = j->nday + 1;
    const double *theta = j->th + b * np;
    pk_err ek = {0};
    long fails = 0;
    /* one table for the draw's scenarios; should it fail, each run builds
     * its own and reports any error itself */
    if (s && j->pin && !pk_interrupted())
        pk_solver_pin_pk(s, theta, j->p->weight_kg, j->pin_day, pin_jumps, n_jumps, &ek);
    for (size_t si = 0; si < ns; si++) {
        double *rod = j->ro + (b * ns + si) * nro;
        double *trd = j->tr + (b * ns + si) * nt * ntr;
        double *dl = j->dly + (b * ns + si) * j->ndd;
        int ok = s && x && ob && !pk_interrupted() &&
                 simulate_one(m, s, j->o, &r->scen[si], (int)si == r->rules_scen, theta,
                              j->p->weight_kg, j->grid, j->ng, x, ob, dl, j->ndd,
                              pk_prior_stream_seed(j->o->seed, 4000000 + d * 64 + si),
                              &ek) == PK_OK;
        if (!ok) {
            fails++;
            for (size_t k = 0; k < nro; k++)
                rod[k] = NAN;
            for (size_t k = 0; k < nt * ntr; k++)
                trd[k] = NAN;
            continue;
        }
        if (m->readouts) {
            pk_course c = {j->grid, j->ng, ob, x, dl, j->o->days, j->o->from_day, theta};
            m->readouts(m, &c, rod);
        }
        for (size_t k = 0; k < nt; k++)
            for (size_t c = 0; c < ntr; c++)
                trd[k * ntr + c] = ob[j->day_at[k] * m->n_obs + (size_t)r->tr_obs[c]];
    }
    return fails;
}

static void progress(double t0, long dn, size_t total, size_t ns)
{
#pragma omp critical(pk_sweep_progress)
    {
        double el = pk_clock_s() - t0;
        fprintf(stderr, "\rpksim sweep: %ld/%zu simulations (%zu scenarios), %.0f/s, about %.0f s "
                        "left   ", dn, total, ns, dn / el, el * ((double)total - dn) / dn);
        if (dn == (long)total)
            fputc('\n', stderr);
    }
}

/* Every block of draws on the threads; each block is reduced (in draw
 * order, on one thread) before the next starts.  Sets *bad on a memory
 * failure of the reducer. */
static long run_blocks(sweep_job *j, sweep_reducer *rd, int *bad)
{
    const pk_patient *p = j->p;
    const pk_sweep_opts *o = j->o;
    pk_sweep_result *r = j->r;
    const pk_model *m = p->model;
    size_t nd = r->n_draws, ns = r->n_scen;
    double t0 = pk_clock_s();
    long done = 0, fails = 0;
    int nthr = 1;
#ifdef _OPENMP
    nthr = o->threads > 0 ? o->threads : omp_get_max_threads();
#endif
    (void)nthr;
#pragma omp parallel num_threads(nthr) reduction(+ : fails)
    {
        pk_err e = {0};
        pk_solver_opts so = pk_solver_default_opts();
        so.rtol = o->rtol;
        pk_solver *s = pk_solver_new(m, &so, &e);
        double *x = malloc(j->ng * m->n_state * sizeof *x);
        double *ob = malloc(j->ng * m->n_obs * sizeof *ob);
        for (size_t d0 = 0; d0 < nd; d0 += SWEEP_BLOCK) {
            size_t nb = nd - d0 < SWEEP_BLOCK ? nd - d0 : SWEEP_BLOCK;
#pragma omp single
            pk_sweep_draws(p, o, j->post, d0, nb, j->th);
#pragma omp for schedule(dynamic, 1)
            for (size_t b = 0; b < nb; b++) {
                fails += run_draw(j, s, x, ob, b, d0 + b);
                long dn;
#pragma omp atomic capture
                dn = done += (long)ns;
                if (o->progress)
                    progress(t0, dn, ns * nd, ns);
            }
            /* the implicit barrier above: the block is complete */
#pragma omp single
            {
                if (sweep_reducer_add_block(rd, d0, nb, j->ro, j->tr, j->dly))
                    *bad = 1;
                for (size_t b = 0; b < nb && r->rules_scen >= 0; b++)
                    if (sweep_record_changes(r, d0 + b,
                                             j->dly + (b * ns + (size_t)r->rules_scen) * j->ndd,
                                             j->ndd))
                        *bad = 1;
            }
            /* (the implicit barriers of for and single keep the blocks apart) */
        }
        free(x);
        free(ob);
        pk_solver_free(s);
    }
    r->seconds = pk_clock_s() - t0;
    return fails;
}

/* The options no other part checks: the horizon, a forecast's day, rtol. */
static int check_run_opts(const pk_sweep_opts *o, pk_err *err)
{
    if (!(o->days >= 1 && o->days <= 3650))
        return pk_err_set(err, PK_EINPUT, "--days", "%g: give a horizon of 1-3650 days", o->days);
    if (o->from_day != 0 && !(o->from_day >= 1 && o->from_day == floor(o->from_day) &&
                              o->from_day < o->days))
        return pk_err_set(err, PK_EINPUT, "--from-day", "%g: give a whole day from 1 to before "
                          "the horizon (%g)", o->from_day, o->days);
    if (!(o->rtol >= 1e-14 && o->rtol <= 1e-3))
        return pk_err_set(err, PK_EINPUT, "--rtol", "'%g' must lie in 1e-14..1e-3", o->rtol);
    return PK_OK;
}

/* The result's sizes: draws, days, dose days, read-outs, and the model's
 * sweep observables (up to 3) whose trajectories are kept. */
static void size_result(const pk_model *m, const pk_sweep_opts *o, pk_sweep_result *r)
{
    r->n_draws = o->point ? 1 : (size_t)(o->draws > 0 ? o->draws : 1);
    r->n_days = (size_t)floor(o->days + 1e-9);
    r->n_dose_days = (size_t)ceil(o->days - 1e-9);
    r->n_ro = m->n_readout;
    for (size_t c = 0; c < 3 && m->sweep_obs[c]; c++) {
        int k = pk_model_obs_index(m, m->sweep_obs[c]);
        if (k >= 0)
            r->tr_obs[r->n_tr++] = k;
    }
}

/* One block's buffers in j and the result's arrays (the caller frees r);
 * nonzero when any is missing. */
static int alloc_run(sweep_job *j, const pk_model *m, pk_sweep_result *r)
{
    size_t nd = r->n_draws, ns = r->n_scen, nday = j->nday, ndd = j->ndd;
    size_t nb_max = nd < SWEEP_BLOCK ? nd : SWEEP_BLOCK;
    size_t nro = r->n_ro ? r->n_ro : 1, ntr = r->n_tr ? r->n_tr : 1;
    j->th = malloc(nb_max * m->n_param * sizeof *j->th);
    j->ro = malloc(nb_max * ns * nro * sizeof *j->ro);
    j->tr = malloc(nb_max * ns * (nday + 1) * ntr * sizeof *j->tr);
    j->dly = malloc(nb_max * ns * (ndd ? ndd : 1) * sizeof *j->dly);
    r->q = malloc(ns * nro * 3 * sizeof *r->q);
    r->traj = malloc(ns * (nday + 1) * ntr * 3 * sizeof *r->traj);
    r->dose = malloc(ns * (nday + 1) * sizeof *r->dose);
    r->order = malloc(ns * sizeof *r->order);
    return !j->th || !j->ro || !j->tr || !j->dly || !r->q || !r->traj || !r->dose || !r->order;
}

/* The output grid (*ng rows) and in day_at (nday + 1, or NULL when out of
 * memory) each integer day's row, for the trajectories. */
static double *day_grid(const pk_sweep_opts *o, const pk_model *m, size_t nday, size_t *ng,
                        size_t **day_at)
{
    *day_at = malloc((nday + 1) * sizeof **day_at);
    double *grid = sweep_grid(o->days, o->from_day + m->window_day, ng);
    if (grid && *day_at)
        for (size_t i = 0, d = 0; i < *ng && d <= nday; i++)
            if (fabs(grid[i] - (double)d) < 1e-9)
                (*day_at)[d++] = i;
    return grid;
}

/* After the blocks: why the run failed, or the quantiles, the ranking and
 * (over draws) which parameters drive the ranking. */
static int finish_run(const pk_patient *p, const pk_sweep_opts *o,
                      const pk_sweep_posterior *post, const sweep_rule *rule, sweep_reducer *rd,
                      const double *tr0, int bad, pk_sweep_result *r, pk_err *err)
{
    if (pk_interrupted())
        return pk_err_set(err, PK_EINTR, "", "interrupted: no output written");
    if (bad)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory for the dose histories");
    if (r->fails == (long)(r->n_scen * r->n_draws))
        return pk_err_set(err, PK_ESOLVER, "", "every simulation failed");
    if (sweep_reducer_finish(rd, tr0, r))
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    sweep_rank(rule, r);
    if (!o->point && sweep_sensitivity(p, o, post, rule, r))
        return pk_err_set(err, PK_ENOMEM, "", "out of memory for the sensitivity analysis");
    return PK_OK;
}

int pk_sweep_run(const pk_patient *p, const pk_sweep_opts *o, pk_sweep_result *r, pk_err *err)
{
    const pk_model *m = p->model;
    memset(r, 0, sizeof *r);
    sweep_rule rule;
    if (check_run_opts(o, err) || sweep_rank_rule(m, o, &rule, err) ||
        sweep_build_scenarios(p, o, r, err))
        return err->code;
    size_result(m, o, r);
    size_t nd = r->n_draws, ns = r->n_scen, nday = r->n_days, ndd = r->n_dose_days;
    /* the posterior is read and checked before anything is allocated for
     * the run (the caller frees r) */
    pk_sweep_posterior post;
    if (pk_sweep_posterior_load(p, o, nd, &post, err))
        return err->code;
    sweep_reducer rd;
    int rc = PK_OK, rd_ok = sweep_reducer_init(&rd, m, ns, nd, nday, ndd, r->n_tr) == 0;
    r->from_fit = o->point ? p->posterior[0] != 0 : post.loaded;
    sweep_job j = {p, o, r, NULL, 0, nday, ndd, NULL, NULL, NULL, NULL, NULL, !o->point, &post,
                   pin_extent(r, o)};
    size_t *day_at;
    double *grid = day_grid(o, m, nday, &j.ng, &day_at);
    j.grid = grid;
    j.day_at = day_at;
    if (alloc_run(&j, m, r) || !rd_ok || !day_at || !grid) {
        rc = pk_err_set(err, PK_ENOMEM, "", "out of memory for %zu draws", nd);
    } else {
        int bad = 0;
        r->fails = run_blocks(&j, &rd, &bad);
        r->sims = (long)(ns * nd);
        rc = finish_run(p, o, &post, &rule, &rd, j.tr, bad, r, err);
    }
    pk_sweep_posterior_free(&post);
    sweep_reducer_free(&rd);
    free(grid);
    free(j.th);
    free(j.ro);
    free(j.tr);
    free(j.dly);
    free(day_at);
    return rc;
}

/* ---- the runner's pieces for other drivers (pk_trial) ---- */

int sweep_sim_init(sweep_sim *sm, const pk_model *m, const pk_sweep_opts *o,
                   const pk_sweep_result *r)
{
    memset(sm, 0, sizeof *sm);
    sm->pin_day = pin_extent(r, o);
    sm->nday = (size_t)floor(o->days + 1e-9);
    sm->ndd = (size_t)ceil(o->days - 1e-9);
    sm->grid = sweep_grid(o->days, o->from_day + m->window_day, &sm->ng);
    sm->day_at = malloc((sm->nday + 1) * sizeof *sm->day_at);
    if (!sm->grid || !sm->day_at) {
        sweep_sim_free(sm);
        return -1;
    }
    for (size_t i = 0, d = 0; i < sm->ng && d <= sm->nday; i++)
        if (fabs(sm->grid[i] - (double)d) < 1e-9)
            sm->day_at[d++] = i;
    return 0;
}

void sweep_sim_free(sweep_sim *sm)
{
    free(sm->grid);
    free(sm->day_at);
    memset(sm, 0, sizeof *sm);
}

long sweep_sim_draw(const sweep_sim *sm, const pk_patient *p, const pk_sweep_opts *o,
                    pk_sweep_result *r, pk_solver *s, double *x, double *ob, const double *theta,
                    size_t d, double *ro, double *tr, double *dly)
{
    sweep_job j = {p, o, r, sm->grid, sm->ng, sm->nday, sm->ndd, sm->day_at, (double *)theta,
                   ro, tr, dly, !o->point, NULL, sm->pin_day};
    return run_draw(&j, s, x, ob, 0, d);
}
