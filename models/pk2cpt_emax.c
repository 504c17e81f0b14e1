/* pk2cpt_emax: two-compartment PK with first-order absorption and a direct
 * (immediate) inhibitory Emax effect of the concentration on a biomarker:
 * B(t) = E0 (1 - Imax C / (IC50 + C)).  A generic example of a model in
 * one file: nothing outside this file names it. */
#include <math.h>
#include <string.h>

#include "models.h"
#include "pk_course.h"
#include "pk_text.h"

enum { DEPOT, CENTRAL, PERIPH, AEL, N_STATE };

static const pk_state_def state_defs[N_STATE] = {
    {"Ad", "mg", "gut depot", 0, 1.0},
    {"Ac", "mg", "central compartment", 0, 1.0},
    {"Ap", "mg", "peripheral compartment", 0, 1.0},
    {"Ael", "mg", "cumulative amount eliminated", 0, 1.0},
};

enum { KA_H, CL_H, V1_L, Q_H, V2_L, E0, IMAX, IC50, N_PARAM };

/* Priors are generic: a typical small-molecule oral drug (tag G: a
 * textbook-scale assumption, not a literature value for one drug). */
static const pk_param_def param_defs[N_PARAM] = {
    {"ka_per_h", "1/h", "first-order absorption rate", 1.0, PK_PRIOR_LOGNORMAL, 0.5, 1e-3, 100, "G"},
    {"CL_L_per_h", "L/h", "clearance from the central compartment (CL/F)", 5.0, PK_PRIOR_LOGNORMAL, 0.5, 1e-3, 1e3, "G"},
    {"V1_L", "L", "central volume (V1/F) at 80 kg, scaled by weight/80", 30, PK_PRIOR_LOGNORMAL, 0.5, 1e-2, 1e4, "G"},
    {"Q_L_per_h", "L/h", "inter-compartmental clearance", 10, PK_PRIOR_LOGNORMAL, 0.5, 1e-3, 1e3, "G"},
    {"V2_L", "L", "peripheral volume at 80 kg, scaled by weight/80", 60, PK_PRIOR_LOGNORMAL, 0.5, 1e-2, 1e4, "G"},
    {"E0", "biomarker unit", "biomarker without drug", 100, PK_PRIOR_LOGNORMAL, 0.3, 1e-6, 1e9, "G"},
    {"Imax", "1", "largest fraction of the biomarker the drug removes", 0.9, PK_PRIOR_LOGITNORMAL, 1.0, 1e-6, 0.999999, "G"},
    {"IC50_mg_per_L", "mg/L", "concentration of half the largest inhibition", 2.0, PK_PRIOR_LOGNORMAL, 1.0, 1e-6, 1e4, "G"},
};

enum { OBS_CONC, OBS_BIO, N_OBS };

static const pk_obs_def obs_defs[N_OBS] = {
    {"conc", "conc_mg_per_L", "mg/L", "plasma concentration", PK_ERRMODEL_PROP_ADD, 0.01, 0.15, 0},
    {"biomarker", "biomarker", "biomarker unit", "biomarker E0 (1 - Imax C/(IC50 + C))",
     PK_ERRMODEL_LOGNORMAL, 0.1, 0, 0},
};

enum { KA, K10, K12, K21, VOL1, N_DERIVED };

static int derive(const double *th, double weight_kg, double *d, pk_err *err)
{
    for (int k = 0; k < N_PARAM; k++)
        if (!(th[k] >= param_defs[k].lo && th[k] <= param_defs[k].hi)) {
            char v[40];
            return pk_err_set(err, PK_EINPUT, "", "%s = %s %s is outside its admissible range "
                              "%g-%g", param_defs[k].name, pk_text_exact(v, sizeof v, th[k]),
                              param_defs[k].unit, param_defs[k].lo, param_defs[k].hi);
        }
    double w = (isfinite(weight_kg) && weight_kg > 0) ? weight_kg : 80.0;
    double v1 = th[V1_L] * w / 80.0, v2 = th[V2_L] * w / 80.0;
    d[KA] = 24.0 * th[KA_H];
    d[K10] = 24.0 * th[CL_H] / v1;
    d[K12] = 24.0 * th[Q_H] / v1;
    d[K21] = 24.0 * th[Q_H] / v2;
    d[VOL1] = v1;
    return PK_OK;
}

static void pk_rhs(double tad_day, const double *a, const double *d, double *da)
{
    (void)tad_day;
    da[DEPOT] = -d[KA] * a[DEPOT];
    da[CENTRAL] = d[KA] * a[DEPOT] - (d[K10] + d[K12]) * a[CENTRAL] + d[K21] * a[PERIPH];
    da[PERIPH] = d[K12] * a[CENTRAL] - d[K21] * a[PERIPH];
    da[AEL] = d[K10] * a[CENTRAL];
}

static double conc(const double *a, const double *d)
{
    return a[CENTRAL] / d[VOL1];
}

/* Fine nodes while the fastest process runs, coarser after it. */
static void pk_grid(const double *d, double *h_fine, double *t_fine, double *h_coarse,
                    double *h_far)
{
    double fast = fmax(d[KA], d[K10] + d[K12] + d[K21]);
    double slow = fmin(d[KA], fmin(d[K10], d[K21]));
    *h_fine = 0.02 / fast;
    *t_fine = 12.0 / fast;
    *h_coarse = fmax(*h_fine, 0.02 / slow);
    *h_far = 4.0 * *h_coarse;
}

/* Nothing depends on the time since the dose: matrix exponentials throughout. */
static void pk_tau_window(const double *d, double *tau_on, double *tau_off)
{
    (void)d;
    *tau_on = *tau_off = 0.0;
}

static void init(const double *d, double *x)
{
    (void)d;
    memset(x, 0, N_STATE * sizeof *x);
}

/* The model's parameters reach observe only through derived constants:
 * E0, Imax and IC50 ride behind the PK's, unused by it. */
enum { DE0 = N_DERIVED, DIMAX, DIC50, N_ALL };

static int derive_all(const double *th, double weight_kg, double *d, pk_err *err)
{
    if (derive(th, weight_kg, d, err))
        return err->code;
    d[DE0] = th[E0];
    d[DIMAX] = th[IMAX];
    d[DIC50] = th[IC50];
    return PK_OK;
}

static void observe(const double *x, const double *d, double *o)
{
    double c = x[CENTRAL] / d[VOL1];
    o[OBS_CONC] = c;
    o[OBS_BIO] = d[DE0] * (1 - d[DIMAX] * c / (d[DIC50] + c));
}

/* ---- sweep read-outs: the biomarker held down, and exposure ---- */
enum { RO_SUPPRESSED, RO_BIO_MEAN, RO_CMIN, RO_CMAX, RO_AUC24, RO_CUM_DOSE, RO_MEAN_DOSE,
       RO_DOSE_CHANGES, N_RO };

static const pk_readout_def readout_defs[N_RO] = {
    {"frac_biomarker_below_half", "fraction of time with the biomarker below half its baseline E0",
     +1, 0, 0, 1},
    {"biomarker_mean_rel", "time-averaged biomarker relative to E0", -1, 0, 0, 1},
    {"cmin_mg_per_L", "minimum concentration over day 6-7 (mg/L)", 0, 0, 1, 1},
    {"cmax_mg_per_L", "maximum concentration over day 6-7 (mg/L)", -1, 0, 1, 1},
    {"auc24_mg_h_per_L", "AUC over day 6-7 (mg*h/L)", 0, 0, 1, 0},
    {"cum_dose_mg", "cumulative dose over the horizon (mg)", 0, 0, 0, 0},
    {"mean_dose_mg_per_day", "mean daily dose (mg/day)", -1, 0, 0, 1},
    {"dose_changes", "number of changes of the daily dose", 0, 0, 0, 0},
};

static void readouts(const pk_model *m, const pk_course *c, double *ro)
{
    (void)m;
    double e0 = c->theta[E0], below = 0, mean = 0, span = 0;
    for (size_t i = 0; i + 1 < c->n; i++) {
        if (c->t[i] < c->from_day - 1e-9)
            continue;
        double dt = c->t[i + 1] - c->t[i], b = c->obs[i * N_OBS + OBS_BIO];
        below += (b < 0.5 * e0) * dt; /* each interval with its left point */
        mean += b / e0 * dt;
        span += dt;
    }
    ro[RO_SUPPRESSED] = span > 0 ? below / span : 0;
    ro[RO_BIO_MEAN] = span > 0 ? mean / span : 1;
    pk_course_window(c, N_OBS, OBS_CONC, c->from_day + 6, &ro[RO_CMIN], &ro[RO_CMAX],
                     &ro[RO_AUC24]);
    pk_course_doses(c, &ro[RO_CUM_DOSE], &ro[RO_MEAN_DOSE], &ro[RO_DOSE_CHANGES]);
}

/* The figure's reference levels: the IC50, and half the untreated
 * biomarker (the read-out's threshold). */
static double ic50_level(const double *th)
{
    return th[IC50];
}

static double half_e0_level(const double *th)
{
    return 0.5 * th[E0];
}

static const pk_plot_panel panels[] = {
    {"Plasma concentration", "mg/L", "conc", 1, 0, 0, 0, {{"IC50", 0, ic50_level}}},
    {"Biomarker", "biomarker unit", "biomarker", 1, 0, 0, 0,
     {{"half of E0", 0, half_e0_level}}},
};

const pk_model model_pk2cpt_emax = {
    .name = "pk2cpt_emax",
    .summary = "two-compartment oral PK with a direct inhibitory Emax effect on a biomarker "
               "(a generic example model)",
    .n_state = N_STATE, .n_pk = N_STATE, .n_param = N_PARAM, .n_obs = N_OBS,
    .state = state_defs, .param = param_defs, .obs = obs_defs, .conc_obs = OBS_CONC,
    .unit_dose_mg = 0, .daily_min_mg = 0, .daily_max_mg = INFINITY, .min_interval_h = 0,
    .derive = derive_all, .n_pk_derived = N_DERIVED,
    .pk_rhs = pk_rhs, .conc = conc, .pk_grid = pk_grid, .pk_tau_window = pk_tau_window,
    .init = init, .observe = observe,
    .readout = readout_defs, .n_readout = N_RO, .readouts = readouts, .window_day = 6,
    .rank_by = "frac_biomarker_below_half", .rank_ties = {"mean_dose_mg_per_day", NULL},
    .sweep_obs = {"conc", "biomarker", NULL},
    .panel = panels, .n_panel = sizeof panels / sizeof *panels,
};
