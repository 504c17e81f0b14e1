#include "pk_sweep.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "pk_clock.h"
#include "pk_csv.h"
#include "pk_out.h"
#include "pk_prior.h"
#include "pk_reduce.h"
#include "pk_text.h"
#include "pk_rules.h"
#include "pk_solver.h"

const char *const pk_ro_name[PK_N_RO] = {
    "hr_day", "nadir_blast_pb_pct", "relapse_free_days", "grade4_days", "grade3_days",
    "wbc_nadir", "wbc_nadir_day", "cum_dose_mg", "mean_dose_mg_per_day", "dose_changes",
    "cmin_mg_per_L", "cmax_mg_per_L", "auc24_mg_h_per_L", "frac_inhibition_gt_0.9",
    "resistant_dominance_day", "LT_end", "log10_LT_cells_end", "p_hr", "p_relapse",
    "p_resistant_dominance"};

const char *const pk_ro_meaning[PK_N_RO] = {
    "days to hematologic response, blast_pb_pct < 1 (the horizon if none)",
    "lowest blood blast percentage",
    "days to relapse, blast_pb_pct >= 5 after an HR (the horizon if none)",
    "days with grade IV leukopenia, wbc < 1.0 x10^9/L",
    "days with grade III or worse leukopenia, wbc < 2.0 x10^9/L",
    "lowest WBC (10^9/L)",
    "day of the lowest WBC",
    "cumulative dose over the horizon (mg)",
    "mean daily dose (mg/day)",
    "number of changes of the daily dose",
    "minimum plasma concentration over day 14-15 (mg/L)",
    "maximum plasma concentration over day 14-15 (mg/L)",
    "AUC over day 14-15 (mg*h/L)",
    "fraction of time with FLT3-ITD inhibition I(C) > 0.9",
    "first day the resistant clone dominates, Lr > Q + Ls (the horizon if never)",
    "marrow burden LT = Q + Ls + Lr at the horizon (pre-treatment burden = 1)",
    "log10 of the marrow burden in cells at the horizon (LT x 1e12): an MRD-like read-out",
    "probability of a hematologic response by the horizon",
    "probability of relapse by the horizon",
    "probability that the resistant clone dominates by the horizon"};

pk_sweep_opts pk_sweep_default_opts(void)
{
    pk_sweep_opts o;
    memset(&o, 0, sizeof o);
    o.doses[0] = 200;
    o.doses[1] = 400;
    o.doses[2] = 600;
    o.doses[3] = 800;
    o.n_doses = 4;
    o.qd = o.bid = 1;
    o.days = 180;
    o.draws = 1000;
    o.seed = 1;
    o.max_g4_days = 14;
    /* Read-outs are quantiles over draws, with Monte Carlo errors of
     * percents.  On patient 2's sweep (8 scenarios x 1000 draws) rtol 1e-5
     * moves them by at most 1.5e-4 against 3e-7, changes no day-based
     * read-out, probability or ranking, and takes 13 s instead of 24. */
    o.rtol = 1e-5;
    return o;
}

void pk_sweep_readouts(const pk_model *m, const double *theta, const double *t, size_t n,
                       const double *obs, const double *x, const double *daily_mg, double days,
                       double *ro)
{
    int iw = pk_model_obs_index(m, "wbc"), ip = pk_model_obs_index(m, "blast_pb_pct");
    int ic = m->conc_obs, iq = pk_model_state_index(m, "Q");
    int il = pk_model_state_index(m, "Ls"), ir = pk_model_state_index(m, "Lr");
    double ec50 = theta[pk_model_param_index(m, "EC50_mg_per_L")];
    double hill = theta[pk_model_param_index(m, "hill")];
    double c90 = ec50 * pow(9.0, 1.0 / hill);
    size_t no = m->n_obs, ns = m->n_state;
    double hr = NAN, relapse = NAN, dom = NAN, nadir_pb = INFINITY, wmin = INFINITY, wday = 0;
    double g4 = 0, g3 = 0, above = 0, span = 0;
    double cmin = INFINITY, cmax = 0, auc = 0;
    for (size_t i = 0; i < n; i++) {
        double w = obs[i * no + iw], pb = obs[i * no + ip], c = obs[i * no + ic];
        const double *xi = x + i * ns;
        if (isnan(hr) && pb < 1)
            hr = t[i];
        if (!isnan(hr) && isnan(relapse) && pb >= 5)
            relapse = t[i];
        if (isnan(dom) && xi[ir] > xi[iq] + xi[il])
            dom = t[i];
        nadir_pb = fmin(nadir_pb, pb);
        if (w < wmin) {
            wmin = w;
            wday = t[i];
        }
        /* time fractions: each interval counts with its left point */
        if (i + 1 < n) {
            double dt = t[i + 1] - t[i];
            g4 += (w < 1.0) * dt;
            g3 += (w < 2.0) * dt;
            above += (c > c90) * dt;
            span += dt;
        }
        /* exposure window: day 14 to 15 */
        if (t[i] >= 14 && t[i] <= 15) {
            cmin = fmin(cmin, c);
            cmax = fmax(cmax, c);
            if (i > 0 && t[i - 1] >= 14)
                auc += 0.5 * (c + obs[(i - 1) * no + ic]) * (t[i] - t[i - 1]) * 24;
        }
    }
    double cum = 0, prev = -1, changes = 0;
    for (int d = 0; d < (int)ceil(days - 1e-9); d++) {
        double mg = daily_mg[d];
        cum += mg;
        if (prev >= 0 && mg != prev)
            changes++;
        prev = mg;
    }
    const double *xe = x + (n - 1) * ns;
    double lt = xe[iq] + xe[il] + xe[ir];
    ro[PK_RO_HR_DAY] = isnan(hr) ? days : hr;
    ro[PK_RO_NADIR_PB] = nadir_pb;
    ro[PK_RO_RELAPSE_FREE] = isnan(relapse) ? days : relapse;
    ro[PK_RO_G4_DAYS] = g4;
    ro[PK_RO_G3_DAYS] = g3;
    ro[PK_RO_WBC_NADIR] = wmin;
    ro[PK_RO_WBC_NADIR_DAY] = wday;
    ro[PK_RO_CUM_DOSE] = cum;
    ro[PK_RO_MEAN_DOSE] = days > 0 ? cum / ceil(days - 1e-9) : 0;
    ro[PK_RO_DOSE_CHANGES] = changes;
    ro[PK_RO_CMIN] = isfinite(cmin) ? cmin : 0;
    ro[PK_RO_CMAX] = cmax;
    ro[PK_RO_AUC24] = auc;
    ro[PK_RO_FRAC_I90] = span > 0 ? above / span : 0;
    ro[PK_RO_DOMINANCE_DAY] = isnan(dom) ? days : dom;
    ro[PK_RO_LT_END] = lt;
    ro[PK_RO_LOG10_LT] = log10(fmax(lt, 1e-300) * 1e12);
    ro[PK_RO_P_HR] = !isnan(hr);
    ro[PK_RO_P_RELAPSE] = !isnan(relapse);
    ro[PK_RO_P_DOMINANCE] = !isnan(dom);
}

/* The output grid: every 0.25 day to the horizon, and every 15 min over
 * day 14-15 for the exposure read-outs. */
static double *sweep_grid(double days, size_t *n)
{
    size_t nq = (size_t)floor(days * 4 + 1e-9) + 1, cap = nq + 100;
    double *t = malloc(cap * sizeof *t);
    size_t k = 0;
    for (size_t i = 0; i < nq; i++) {
        double ti = i * 0.25;
        if (days >= 15 && ti > 14 && ti < 15)
            continue;
        if (days >= 15 && ti == 14) {
            for (int j = 0; j < 96; j++)
                t[k++] = 14 + j / 96.0;
            continue;
        }
        t[k++] = ti;
    }
    if (t[k - 1] < days - 1e-9)
        t[k++] = days;
    *n = k;
    return t;
}

int pk_sweep_draws(const pk_patient *p, const pk_sweep_opts *o, size_t first, size_t nd,
                   double *th, int *from_fit, pk_err *err)
{
    const pk_model *m = p->model;
    size_t np = m->n_param;
    double base[PK_MAX_PARAM];
    pk_patient_prior_theta(p, base);
    if (o->point) {
        pk_patient_theta(p, th); /* the MAP of a fit.ini, else prior medians */
        *from_fit = p->posterior[0] != 0;
        return PK_OK;
    }
    pk_csv post = {0};
    int col[PK_MAX_PARAM];
    *from_fit = 0;
    if (o->posterior[0]) {
        if (pk_csv_read(o->posterior, &post, err))
            return err->code;
        for (size_t j = 0; j < np; j++)
            col[j] = pk_csv_col(&post, m->param[j].name);
        for (size_t c = 0; c < post.n_col; c++)
            if (strcmp(post.name[c], "draw") != 0 && pk_model_param_index(m, post.name[c]) < 0) {
                pk_err_set(err, PK_EINPUT, o->posterior, "column %.60s is not a parameter of "
                           "model %s", post.name[c], m->name);
                pk_csv_free(&post);
                return err->code;
            }
        /* every draw must be a value the model accepts */
        for (size_t r = 0; r < post.n_row; r++)
            for (size_t j = 0; j < np; j++) {
                double v = col[j] >= 0 ? post.v[r * post.n_col + (size_t)col[j]] : 0;
                const pk_param_def *pd = &m->param[j];
                if (col[j] >= 0 && !(v >= pd->lo && v <= pd->hi)) {
                    char where[1200];
                    snprintf(where, sizeof where, "%s: row %zu", o->posterior, r + 1);
                    pk_csv_free(&post);
                    return pk_err_set(err, PK_EINPUT, where, "%s: %g is outside %g-%g",
                                      pd->name, v, pd->lo, pd->hi);
                }
            }
        *from_fit = 1;
    }
    for (size_t i = 0; i < nd; i++) {
        size_t d = first + i;
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(rng, pk_prior_stream_seed(o->seed, 2000000 + d));
        double *t = th + i * np;
        for (size_t j = 0; j < np; j++) {
            const pk_param_setting *s = &p->param[j];
            int has_prior = !s->fixed && s->prior != PK_PRIOR_FIXED && s->spread > 0;
            if (*from_fit && col[j] >= 0) {
                t[j] = post.v[(d % post.n_row) * post.n_col + (size_t)col[j]];
                if (has_prior)
                    gsl_rng_uniform(rng); /* keep the stream aligned */
            } else {
                t[j] = has_prior ? pk_prior_draw_in(s->prior, base[j], s->spread, m->param[j].lo,
                                                    m->param[j].hi, rng)
                                 : base[j];
            }
        }
        gsl_rng_free(rng);
    }
    pk_csv_free(&post);
    return PK_OK;
}

void pk_sweep_result_free(pk_sweep_result *r)
{
    free(r->scen);
    free(r->q);
    free(r->traj);
    free(r->dose);
    free(r->order);
    free(r->change);
    memset(r, 0, sizeof *r);
}

static int build_scenarios(const pk_patient *p, const pk_sweep_opts *o, pk_sweep_result *r,
                           pk_err *err)
{
    const pk_model *m = p->model;
    size_t cap = o->n_doses * 2 + p->n_scenario + 1;
    r->rules_scen = -1;
    r->scen = calloc(cap ? cap : 1, sizeof *r->scen);
    if (!r->scen)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    int last = (int)ceil(o->days - 1e-9) - 1;
    for (size_t i = 0; i < o->n_doses; i++)
        for (int sch = 0; sch < 2; sch++) {
            if (!(sch ? o->bid : o->qd))
                continue;
            pk_scenario *s = &r->scen[r->n_scen];
            pk_regimen *g = &s->reg[0];
            *g = (pk_regimen){0, last, 0, 0, 0};
            const char *name = sch ? "bid" : "qd";
            if (pk_dosing_split(m, o->doses[i], name, &g->morning_mg, &g->evening_mg, err))
                return err->code;
            char where[64];
            snprintf(where, sizeof where, "--doses %g %s", o->doses[i], name);
            pk_err e2 = {0};
            if (o->doses[i] != 0 && pk_dosing_check(m, g, 1, where, &e2))
                return pk_err_set(err, PK_EINPUT, where, "%s", e2.msg);
            s->n_reg = 1;
            snprintf(s->name, sizeof s->name, "%g mg/day %s", o->doses[i], name);
            r->n_scen++;
        }
    for (size_t k = 0; k < p->n_scenario; k++)
        r->scen[r->n_scen++] = p->scenario[k];
    if (o->rules) {
        /* the rule scenario: the start regimen throughout, changed by rules */
        pk_scenario *s = &r->scen[r->n_scen];
        double am = o->rules->start_mg_per_day, pm = 0;
        if (o->rules->bid)
            pk_dosing_split(m, am, "bid", &am, &pm, err);
        s->reg[0] = (pk_regimen){0, last, am, pm, 0};
        s->n_reg = 1;
        const char *base = strrchr(o->rules->path, '/');
        char stem[24];
        snprintf(stem, sizeof stem, "%.23s", base ? base + 1 : o->rules->path);
        stem[strcspn(stem, ".,")] = 0;
        snprintf(s->name, sizeof s->name, "rules %s (start %g mg/day %s)", stem,
                 o->rules->start_mg_per_day, o->rules->bid ? "bid" : "qd");
        r->rules_scen = (int)r->n_scen++;
    }
    if (r->n_scen == 0)
        return pk_err_set(err, PK_EINPUT, "", "no scenario to simulate");
    return PK_OK;
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
        reg[k] = (pk_regimen){(int)d, (int)d, 0, 0, 0};
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

static void observe_rows(const pk_model *m, pk_solver *s, const double *x, double *ob, size_t a,
                         size_t b)
{
    for (size_t i = a; i < b; i++)
        m->observe(x + i * m->n_state, pk_solver_derived(s), ob + i * m->n_obs);
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
            observe_rows(m, s, x, ob, 0, ng);
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
            if ((rc = pk_solver_advance(s, grid + gi, ge - gi, x + gi * ns, err)))
                break;
            observe_rows(m, s, x, ob, gi, ge);
            gi = ge;
        }
        /* the count of day c: the grid row at c */
        ht[nh] = (double)c;
        memcpy(ho + nh * no, ob + (ge - 1) * no, no * sizeof(double));
        if (rng)
            add_noise(m, ho + nh * no, rng);
        nh++;
        if (c == 0)
            continue; /* the pre-treatment count decides nothing */
        if (pk_rules_apply(rl, m, ht, ho, nh, &st) < 0)
            continue;
        for (size_t d = c; d < ndays; d++)
            daily[d] = st.daily_mg;
        if ((rc = plan_doses(m, daily, ndays, bid, &doses, &n_doses, err)) == PK_OK)
            rc = pk_solver_redose(s, doses, n_doses, err);
        free(doses);
    }
    if (rc == PK_OK && gi < ng && (rc = pk_solver_advance(s, grid + gi, ng - gi, x + gi * ns, err)) == PK_OK)
        observe_rows(m, s, x, ob, gi, ng);
    free(ht);
    free(ho);
    gsl_rng_free(rng);
    return rc;
}

/* ---- reduction over the draws ----
 * Draws run in blocks of SWEEP_BLOCK and are fed to the reducer in draw
 * order, so the result does not depend on the thread count.  Read-outs
 * are kept, 20 numbers per simulation, for exact quantiles.  Daily
 * trajectories are not kept: within one block their quantiles are exact;
 * beyond it each (scenario, day, output) goes into a pk_loghist whose
 * range comes from the first block, so their memory does not grow with
 * the draws.  The median daily dose is exact (pk_tally). */

#define SWEEP_BLOCK 128 /* draws simulated between two reductions */
typedef struct {
    size_t ns, nd, nday, ndd;
    double *ro;          /* nd x ns x PK_N_RO, every read-out */
    pk_loghist *tr;           /* ns x (nday+1) x 3, after the first block */
    pk_tally *dose;         /* ns x (nday+1) */
    long clipped;        /* trajectory quantiles that fell outside a range */
} reducer;

static const double quant_p[3] = {0.05, 0.5, 0.95};

static void reducer_free(reducer *rd)
{
    free(rd->ro);
    free(rd->tr);
    free(rd->dose);
    memset(rd, 0, sizeof *rd);
}

static int reducer_init(reducer *rd, size_t ns, size_t nd, size_t nday, size_t ndd)
{
    *rd = (reducer){ns, nd, nday, ndd, NULL, NULL, NULL, 0};
    rd->ro = malloc(nd * ns * PK_N_RO * sizeof *rd->ro);
    rd->dose = calloc(ns * (nday + 1), sizeof *rd->dose);
    if (nd > SWEEP_BLOCK)
        rd->tr = calloc(ns * (nday + 1) * 3, sizeof *rd->tr);
    return rd->ro && rd->dose && (nd <= SWEEP_BLOCK || rd->tr) ? 0 : -1;
}

/* Exact 5/50/95% of n values (NaN skipped), v scratch of n. */
static void exact_quantiles(const double *val, size_t n, size_t stride, double *v, double *q)
{
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(val[i * stride]))
            v[u++] = val[i * stride];
    qsort(v, u, sizeof *v, pk_text_cmp_double);
    for (int z = 0; z < 3; z++)
        q[z] = u ? gsl_stats_quantile_from_sorted_data(v, 1, u, quant_p[z]) : 0;
}

/* One block of draws d0 .. d0+nb-1: read-outs (nb x ns x PK_N_RO),
 * trajectories (nb x ns x (nday+1) x 3: conc, wbc, blast_pb_pct) and
 * daily doses (nb x ns x ndd). */
static int reducer_add_block(reducer *rd, size_t d0, size_t nb, const double *ro,
                             const double *tr, const double *daily)
{
    size_t ns = rd->ns, nt = rd->nday + 1, ndd = rd->ndd;
    memcpy(rd->ro + d0 * ns * PK_N_RO, ro, nb * ns * PK_N_RO * sizeof *ro);
    for (size_t si = 0; si < ns; si++)
        for (size_t k = 0; k < nt; k++) {
            /* the horizon day itself shows the last day's dose */
            for (size_t b = 0; b < nb && ndd > 0; b++)
                if (pk_tally_add(&rd->dose[si * nt + k],
                              daily[(b * ns + si) * ndd + (k < ndd ? k : ndd - 1)]))
                    return -1;
            if (!rd->tr)
                continue;
            for (size_t c = 0; c < 3; c++) {
                pk_loghist *h = &rd->tr[(si * nt + k) * 3 + c];
                const double *col = tr + (si * nt + k) * 3 + c;
                size_t stride = ns * nt * 3;
                if (d0 == 0)
                    pk_loghist_init(h, col, nb, stride);
                for (size_t b = 0; b < nb; b++)
                    pk_loghist_add(h, col[b * stride]);
            }
        }
    return 0;
}

/* Quantiles into r; tr0 is the first block's trajectories (all of them
 * when nd <= SWEEP_BLOCK). */
static int reducer_finish(reducer *rd, const double *tr0, pk_sweep_result *r)
{
    size_t ns = rd->ns, nd = rd->nd, nt = rd->nday + 1;
    double *v = malloc(nd * sizeof *v);
    if (!v)
        return -1;
    for (size_t si = 0; si < ns; si++) {
        for (size_t k = 0; k < PK_N_RO; k++) {
            double *q = r->q + (si * PK_N_RO + k) * 3;
            const double *col = rd->ro + si * PK_N_RO + k;
            size_t stride = ns * PK_N_RO;
            if (k >= PK_RO_P_HR) { /* a probability: the mean of the indicator */
                double sum = 0;
                size_t u = 0;
                for (size_t d = 0; d < nd; d++)
                    if (!isnan(col[d * stride])) {
                        sum += col[d * stride];
                        u++;
                    }
                q[0] = q[1] = q[2] = u ? sum / u : 0;
            } else {
                exact_quantiles(col, nd, stride, v, q);
            }
        }
        for (size_t k = 0; k < nt; k++) {
            r->dose[si * nt + k] = pk_tally_median(&rd->dose[si * nt + k]);
            for (size_t c = 0; c < 3; c++) {
                double *q = r->traj + ((si * nt + k) * 3 + c) * 3;
                if (!rd->tr)
                    exact_quantiles(tr0 + (si * nt + k) * 3 + c, nd, ns * nt * 3, v, q);
                else
                    for (int z = 0; z < 3; z++)
                        q[z] = pk_loghist_quantile(&rd->tr[(si * nt + k) * 3 + c], quant_p[z],
                                              &rd->clipped);
            }
        }
    }
    free(v);
    r->clipped = rd->clipped;
    return 0;
}

/* The applied dose history of the rules scenario: its changes. */
static int record_changes(pk_sweep_result *r, size_t draw, const double *daily, size_t ndd)
{
    for (size_t k = 0; k < ndd; k++) {
        if (k > 0 && daily[k] == daily[k - 1])
            continue;
        if (r->n_change == r->cap_change) {
            size_t cap = r->cap_change ? 2 * r->cap_change : 256;
            pk_dose_change *c = realloc(r->change, cap * sizeof *c);
            if (!c)
                return -1;
            r->change = c;
            r->cap_change = cap;
        }
        r->change[r->n_change++] = (pk_dose_change){draw, k, daily[k]};
    }
    return 0;
}

int pk_sweep_run(const pk_patient *p, const pk_sweep_opts *o, pk_sweep_result *r, pk_err *err)
{
    const pk_model *m = p->model;
    memset(r, 0, sizeof *r);
    if (pk_model_obs_index(m, "blast_pb_pct") < 0 || pk_model_state_index(m, "Lr") < 0)
        return pk_err_set(err, PK_EINPUT, p->path, "model %s has no leukemia: sweeps need "
                          "sorafenib_flt3", m->name);
    if (!(o->days >= 1 && o->days <= 3650))
        return pk_err_set(err, PK_EINPUT, "--days", "%g: give a horizon of 1-3650 days", o->days);
    if (!(o->rtol >= 1e-14 && o->rtol <= 1e-3))
        return pk_err_set(err, PK_EINPUT, "--rtol", "'%g' must lie in 1e-14..1e-3", o->rtol);
    if (build_scenarios(p, o, r, err))
        return err->code;
    size_t nd = o->point ? 1 : (size_t)(o->draws > 0 ? o->draws : 1), ns = r->n_scen;
    size_t np = m->n_param, nday = (size_t)floor(o->days + 1e-9);
    size_t ndd = (size_t)ceil(o->days - 1e-9);
    size_t nb_max = nd < SWEEP_BLOCK ? nd : SWEEP_BLOCK;
    r->n_draws = nd;
    r->n_days = nday;
    r->n_dose_days = ndd;
    reducer rd;
    int rc = PK_OK, rd_ok = reducer_init(&rd, ns, nd, nday, ndd) == 0;
    double *th = malloc(nb_max * np * sizeof *th);
    double *ro = malloc(nb_max * ns * PK_N_RO * sizeof *ro);
    double *tr = malloc(nb_max * ns * (nday + 1) * 3 * sizeof *tr);
    double *dly = malloc(nb_max * ns * (ndd ? ndd : 1) * sizeof *dly);
    size_t *day_at = malloc((nday + 1) * sizeof *day_at);
    r->q = malloc(ns * PK_N_RO * 3 * sizeof *r->q);
    r->traj = malloc(ns * (nday + 1) * 9 * sizeof *r->traj);
    r->dose = malloc(ns * (nday + 1) * sizeof *r->dose);
    r->order = malloc(ns * sizeof *r->order);
    size_t ng;
    double *grid = sweep_grid(o->days, &ng);
    if (!rd_ok || !th || !ro || !tr || !dly || !day_at || !r->q || !r->traj || !r->dose ||
        !r->order || !grid) {
        rc = pk_err_set(err, PK_ENOMEM, "", "out of memory for %zu draws", nd);
        goto done;
    }
    /* the posterior file is read and checked once before any work */
    if ((rc = pk_sweep_draws(p, o, 0, 1, th, &r->from_fit, err)))
        goto done;
    /* integer days on the grid, for the trajectories */
    for (size_t i = 0, d = 0; i < ng && d <= nday; i++)
        if (fabs(grid[i] - (double)d) < 1e-9)
            day_at[d++] = i;
    /* one propagator per draw, shared by its scenarios: exact at the qd
     * and bid dosing intervals (--point keeps simulate's own tables) */
    static const double pin_jumps[2] = {0.5, 1.0};
    int pin = !o->point;
    double t0 = pk_clock_s();
    long done = 0, fails = 0, bad_dose = 0, draw_fail = 0;
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
        double *x = malloc(ng * m->n_state * sizeof *x), *ob = malloc(ng * m->n_obs * sizeof *ob);
        for (size_t d0 = 0; d0 < nd; d0 += SWEEP_BLOCK) {
            size_t nb = nd - d0 < SWEEP_BLOCK ? nd - d0 : SWEEP_BLOCK;
#pragma omp single
            if (pk_sweep_draws(p, o, d0, nb, th, &r->from_fit, &e) != PK_OK)
                draw_fail = 1; /* the file changed under us */
#pragma omp for schedule(dynamic, 1)
            for (size_t b = 0; b < nb; b++) {
                size_t d = d0 + b;
                const double *theta = th + b * np;
                pk_err ek = {0};
                /* one table for the draw's scenarios; should it fail, each run
                 * builds its own and reports any error itself */
                if (s && pin && !pk_interrupted())
                    pk_solver_pin_pk(s, theta, p->weight_kg, o->days, pin_jumps, 2, &ek);
                for (size_t si = 0; si < ns; si++) {
                    double *rod = ro + (b * ns + si) * PK_N_RO;
                    double *trd = tr + (b * ns + si) * (nday + 1) * 3;
                    double *dl = dly + (b * ns + si) * ndd;
                    int ok = s && x && ob && !draw_fail && !pk_interrupted() &&
                             simulate_one(m, s, o, &r->scen[si], (int)si == r->rules_scen, theta,
                                          p->weight_kg, grid, ng, x, ob, dl, ndd,
                                          pk_prior_stream_seed(o->seed, 4000000 + d * 64 + si),
                                          &ek) == PK_OK;
                    if (ok) {
                        pk_sweep_readouts(m, theta, grid, ng, ob, x, dl, o->days, rod);
                        for (size_t k = 0; k <= nday; k++) {
                            const double *oi = ob + day_at[k] * m->n_obs;
                            trd[k * 3 + 0] = oi[m->conc_obs];
                            trd[k * 3 + 1] = oi[pk_model_obs_index(m, "wbc")];
                            trd[k * 3 + 2] = oi[pk_model_obs_index(m, "blast_pb_pct")];
                        }
                    } else {
                        fails++;
                        for (size_t k = 0; k < PK_N_RO; k++)
                            rod[k] = NAN;
                        for (size_t k = 0; k < (nday + 1) * 3; k++)
                            trd[k] = NAN;
                    }
                }
                long dn;
#pragma omp atomic capture
                dn = done += (long)ns;
                if (o->progress) {
#pragma omp critical(pk_sweep_progress)
                    {
                        double el = pk_clock_s() - t0;
                        fprintf(stderr, "\rpksim sweep: %ld/%zu simulations (%zu scenarios), "
                                        "%.0f/s, about %.0f s left   ",
                                dn, ns * nd, ns, dn / el, el * ((double)(ns * nd) - dn) / dn);
                        if (dn == (long)(ns * nd))
                            fputc('\n', stderr);
                    }
                }
            }
            /* the implicit barrier above: the block is complete */
#pragma omp single
            {
                if (reducer_add_block(&rd, d0, nb, ro, tr, dly))
                    bad_dose = 1;
                for (size_t b = 0; b < nb && r->rules_scen >= 0; b++)
                    if (record_changes(r, d0 + b, dly + (b * ns + (size_t)r->rules_scen) * ndd,
                                       ndd))
                        bad_dose = 1;
            }
            /* (the implicit barriers of for and single keep the blocks apart) */
        }
        free(x);
        free(ob);
        pk_solver_free(s);
    }
    r->seconds = pk_clock_s() - t0;
    r->sims = (long)(ns * nd);
    r->fails = fails;
    if (pk_interrupted()) {
        rc = pk_err_set(err, PK_EINTR, "", "interrupted: no output written");
        goto done;
    }
    if (draw_fail) {
        rc = pk_err_set(err, PK_EINPUT, o->posterior, "changed during the sweep");
        goto done;
    }
    if (bad_dose) {
        rc = pk_err_set(err, PK_ENOMEM, "", "out of memory for the dose histories");
        goto done;
    }
    if (fails == (long)(ns * nd)) {
        rc = pk_err_set(err, PK_ESOLVER, "", "every simulation failed");
        goto done;
    }
    if (reducer_finish(&rd, tr, r)) {
        rc = pk_err_set(err, PK_ENOMEM, "", "out of memory");
        goto done;
    }
    /* rank: the default is the longest median relapse-free time among the
     * scenarios with at most max_g4_days median grade IV days, then the
     * others; --rank orders by one read-out's median (descending). */
    int key = PK_RO_RELAPSE_FREE;
    if (o->rank) {
        key = -1;
        for (int k = 0; k < PK_N_RO; k++)
            if (strcmp(o->rank, pk_ro_name[k]) == 0)
                key = k;
        if (key < 0) {
            rc = pk_err_set(err, PK_EINPUT, "--rank", "'%s' is not a read-out (see sweep.csv "
                            "columns)", o->rank);
            goto done;
        }
    }
    for (size_t i = 0; i < ns; i++)
        r->order[i] = (int)i;
    for (size_t i = 1; i < ns; i++)
        for (size_t j = i; j > 0; j--) {
            int a = r->order[j - 1], b = r->order[j];
            int oka = o->rank || r->q[(a * PK_N_RO + PK_RO_G4_DAYS) * 3 + 1] <= o->max_g4_days;
            int okb = o->rank || r->q[(b * PK_N_RO + PK_RO_G4_DAYS) * 3 + 1] <= o->max_g4_days;
            double va = r->q[(a * PK_N_RO + key) * 3 + 1], vb = r->q[(b * PK_N_RO + key) * 3 + 1];
            /* ties (e.g. no relapse by the horizon): the lower P(relapse) */
            double pa = r->q[(a * PK_N_RO + PK_RO_P_RELAPSE) * 3 + 1];
            double pb = r->q[(b * PK_N_RO + PK_RO_P_RELAPSE) * 3 + 1];
            int swap = (okb && !oka) || (oka == okb && (vb > va || (vb == va && pb < pa)));
            if (!swap)
                break;
            r->order[j - 1] = b;
            r->order[j] = a;
        }
done:
    reducer_free(&rd);
    free(grid);
    free(th);
    free(ro);
    free(tr);
    free(dly);
    free(day_at);
    return rc;
}

void pk_sweep_print(FILE *f, const pk_patient *p, const pk_sweep_opts *o,
                    const pk_sweep_result *r)
{
    fprintf(f, "pksim sweep: %s, %zu scenarios x %zu %s, %g days, solver rtol %g\n", p->id,
            r->n_scen, r->n_draws,
            o->point ? (r->from_fit ? "point (the MAP)" : "point (prior medians)")
                     : (r->from_fit ? "draws (estimated parameters from the posterior, the rest "
                                      "from their priors)"
                                    : "draws from the priors (a virtual population)"),
            o->days, o->rtol);
    fprintf(f, "ranked by %s%s; median [5%%-95%%]\n",
            o->rank ? o->rank : "median relapse-free days",
            o->rank ? "" : " among scenarios with at most the set median grade IV days");
    fprintf(f, "%-4s %-28s %-22s %8s %-18s %-16s %10s %9s\n", "rank", "scenario", "relapse-free days",
            "P(relap)", "grade IV days", "WBC nadir", "mean mg/d", "log10 LT");
    for (size_t k = 0; k < r->n_scen; k++) {
        int s = r->order[k];
        const double *q = r->q + (size_t)s * PK_N_RO * 3;
        char a[40], b[40], c[40];
        snprintf(a, sizeof a, "%.0f [%.0f-%.0f]", q[PK_RO_RELAPSE_FREE * 3 + 1],
                 q[PK_RO_RELAPSE_FREE * 3], q[PK_RO_RELAPSE_FREE * 3 + 2]);
        snprintf(b, sizeof b, "%.1f [%.1f-%.1f]", q[PK_RO_G4_DAYS * 3 + 1], q[PK_RO_G4_DAYS * 3],
                 q[PK_RO_G4_DAYS * 3 + 2]);
        snprintf(c, sizeof c, "%.2f [%.2f-%.2f]", q[PK_RO_WBC_NADIR * 3 + 1],
                 q[PK_RO_WBC_NADIR * 3], q[PK_RO_WBC_NADIR * 3 + 2]);
        fprintf(f, "%-4zu %-28s %-22s %8.2f %-18s %-16s %10.0f %9.2f\n", k + 1, r->scen[s].name, a,
                q[PK_RO_P_RELAPSE * 3 + 1], b, c, q[PK_RO_MEAN_DOSE * 3 + 1],
                q[PK_RO_LOG10_LT * 3 + 1]);
    }
}

int pk_sweep_write(const char *dir, const pk_patient *p, const pk_sweep_opts *o,
                   const pk_sweep_result *r, pk_err *err)
{
    pk_out out[4];
    memset(out, 0, sizeof out);
    static const char *const names[4] = {"sweep.csv", "sweep_trajectories.csv", "sweep_summary.txt",
                                         "sweep_doses.csv"};
    int nf = r->rules_scen >= 0 ? 4 : 3, rc = PK_OK;
    for (int i = 0; i < nf && rc == PK_OK; i++)
        rc = pk_out_open(&out[i], dir, names[i], err);
    if (rc == PK_OK) {
        FILE *f = out[0].f;
        fprintf(f, "rank,scenario");
        for (int k = 0; k < PK_N_RO; k++) {
            if (k >= PK_RO_P_HR)
                fprintf(f, ",%s", pk_ro_name[k]);
            else
                fprintf(f, ",%s_p50,%s_p05,%s_p95", pk_ro_name[k], pk_ro_name[k], pk_ro_name[k]);
        }
        fputc('\n', f);
        for (size_t k = 0; k < r->n_scen; k++) {
            int s = r->order[k];
            fprintf(f, "%zu,%s", k + 1, r->scen[s].name);
            for (int j = 0; j < PK_N_RO; j++) {
                const double *q = r->q + ((size_t)s * PK_N_RO + j) * 3;
                if (j >= PK_RO_P_HR)
                    fprintf(f, ",%.6g", q[1]);
                else
                    fprintf(f, ",%.6g,%.6g,%.6g", q[1], q[0], q[2]);
            }
            fputc('\n', f);
        }
        f = out[1].f;
        fprintf(f, "scenario,day,dose_mg_per_day,conc_mg_per_L_p50,conc_mg_per_L_p05,"
                   "conc_mg_per_L_p95,wbc_p50,wbc_p05,wbc_p95,blast_pb_pct_p50,blast_pb_pct_p05,"
                   "blast_pb_pct_p95\n");
        for (size_t s = 0; s < r->n_scen; s++)
            for (size_t d = 0; d <= r->n_days; d++) {
                fprintf(f, "%s,%zu,%g", r->scen[s].name, d, r->dose[s * (r->n_days + 1) + d]);
                for (int c = 0; c < 3; c++) {
                    const double *q = r->traj + ((s * (r->n_days + 1) + d) * 3 + c) * 3;
                    fprintf(f, ",%.10g,%.10g,%.10g", q[1], q[0], q[2]);
                }
                fputc('\n', f);
            }
        f = out[2].f;
        pk_sweep_print(f, p, o, r);
        fprintf(f, "\nread-outs (sweep.csv: median, 5%% and 95%% over the draws):\n");
        for (int k = 0; k < PK_N_RO; k++)
            fprintf(f, "  %-26s %s\n", pk_ro_name[k], pk_ro_meaning[k]);
        fprintf(f, "Read-outs come from a 0.25-day grid (15 min over day 14-15); event days are "
                   "censored at the horizon.\n");
        if (r->n_draws > SWEEP_BLOCK)
            fprintf(f, "Read-out quantiles are exact.  sweep_trajectories.csv quantiles come from "
                       "histograms of %d log bins per day (ranges from the first %d draws)%s.\n",
                    PK_LOGHIST_BINS, SWEEP_BLOCK, r->clipped ? "" : "; none fell outside its range");
        if (r->fails)
            fprintf(f, "warning: %ld of %ld simulations failed (solver errors) and are left out "
                       "of the quantiles\n", r->fails, r->sims);
        if (r->clipped)
            fprintf(f, "warning: %ld trajectory quantiles fell outside their histogram range and "
                       "are given at its edge\n", r->clipped);
        if (o->rules) {
            fprintf(f, "\nrules (%s), evaluated on count days (day mod 7 in {", o->rules->path);
            for (int k = 0, first = 1; k < 7; k++)
                if (o->rules->count_mod[k]) {
                    fprintf(f, "%s%d", first ? "" : ", ", k);
                    first = 0;
                }
            fprintf(f, "}) after day 0, first that changes the dose applies from that day:\n");
            for (size_t k = 0; k < o->rules->n; k++)
                fprintf(f, "  %d. %s (line %d)\n", (int)k + 1, o->rules->rule[k].name,
                        o->rules->rule[k].line);
            fprintf(f, "applied dose histories: sweep_doses.csv%s\n",
                    o->noisy_counts ? " (counts with measurement noise)" : "");
            /* one row per draw at day 0 and at every change */
            FILE *g = out[3].f;
            fprintf(g, "scenario,draw,day,dose_mg_per_day\n");
            const char *name = r->scen[r->rules_scen].name;
            for (size_t i = 0; i < r->n_change; i++)
                fprintf(g, "%s,%zu,%zu,%g\n", name, r->change[i].draw + 1, r->change[i].day,
                        r->change[i].mg_per_day);
        }
        rc = pk_out_commit_all(out, (size_t)nf, err);
    }
    for (int i = 0; i < 4; i++)
        pk_out_abort(&out[i]);
    return rc;
}
