/* oral1cpt: one-compartment PK with first-order absorption and an optional
 * lag.  Its closed form for any dosing history (superposed Bateman
 * functions) makes it the solver's reference model. */
#include <math.h>

#include "models.h"
#include "pk_course.h"
#include "pk_text.h"

enum { DEPOT, CENTRAL, AEL, N_STATE };

static const pk_state_def state_defs[N_STATE] = {
    {"Ad", "mg", "gut depot", 0, 1.0},
    {"Ac", "mg", "central compartment", 0, 1.0},
    {"Ael", "mg", "cumulative amount eliminated", 0, 1.0},
};

enum { KA_H, CL_H, V_L, TLAG_H, N_PARAM };

static const pk_param_def param_defs[N_PARAM] = {
    {"ka_per_h", "1/h", "first-order absorption rate", 1.0, PK_PRIOR_LOGNORMAL, 0.5, 1e-4, 1e3, "A"},
    {"CL_L_per_h", "L/h", "apparent clearance CL/F", 5.0, PK_PRIOR_LOGNORMAL, 0.5, 1e-4, 1e4, "A"},
    {"V_L", "L", "apparent volume V/F at 80 kg (scaled by weight/80)", 50, PK_PRIOR_LOGNORMAL, 0.5, 1e-3, 1e5, "A"},
    {"tlag_h", "h", "absorption lag", 0, PK_PRIOR_FIXED, 0, 0, 48, "A"},
};

enum { OBS_CONC, N_OBS };

static const pk_obs_def obs_defs[N_OBS] = {
    {"conc", "conc_mg_per_L", "mg/L", "plasma concentration", PK_ERRMODEL_ADDITIVE, 0.05, 0, 0},
};

enum { KA, KEL, VOL, LAG, N_DERIVED };

/* Parameters outside their admissible ranges (an optimiser's or a
 * caller's, never a checked patient file's) are refused here, before a
 * rate constant of 0 or inf reaches the solver. */
static int derive(const double *th, double weight_kg, double *d, pk_err *err)
{
    for (int k = 0; k < N_PARAM; k++)
        if (!(th[k] >= param_defs[k].lo && th[k] <= param_defs[k].hi)) {
            char v[40];
            return pk_err_set(err, PK_EINPUT, "", "%s = %s %s is outside its admissible range %g-%g",
                              param_defs[k].name, pk_text_exact(v, sizeof v, th[k]),
                              param_defs[k].unit, param_defs[k].lo, param_defs[k].hi);
        }
    double w = (isfinite(weight_kg) && weight_kg > 0) ? weight_kg : 80.0;
    d[KA] = 24.0 * th[KA_H];
    d[VOL] = th[V_L] * w / 80.0;
    d[KEL] = 24.0 * th[CL_H] / d[VOL];
    d[LAG] = th[TLAG_H] / 24.0;
    return PK_OK;
}

static double bioavailability(const double *d, double dose_mg)
{
    (void)d;
    (void)dose_mg;
    return 1.0;
}

static double lag_day(const double *d)
{
    return d[LAG];
}

static void pk_rhs(double tad_day, const double *a, const double *d, double *da)
{
    (void)tad_day;
    da[DEPOT] = -d[KA] * a[DEPOT];
    da[CENTRAL] = d[KA] * a[DEPOT] - d[KEL] * a[CENTRAL];
    da[AEL] = d[KEL] * a[CENTRAL];
}

static double conc(const double *a, const double *d)
{
    return a[CENTRAL] / d[VOL];
}

static void pk_grid(const double *d, double *h_fine, double *t_fine, double *h_coarse,
                    double *h_far)
{
    double fast = fmax(d[KA], d[KEL]), slow = fmin(d[KA], d[KEL]);
    *h_fine = 0.02 / fast;
    *t_fine = 12.0 / fast;
    *h_coarse = fmax(*h_fine, 0.02 / slow);
    *h_far = 4.0 * *h_coarse;
}

/* Nothing depends on the time since the dose: the propagator is matrix
 * exponentials throughout. */
static void pk_tau_window(const double *d, double *tau_on, double *tau_off)
{
    (void)d;
    *tau_on = *tau_off = 0.0;
}

/* (1 - e^-kt) / k, and (e^-ke t - e^-ka t) / (ka - ke) with its integral
 * from 0 to t, each without cancellation when k t or (ka - ke) t is small. */
static double e1(double k, double t)
{
    return k * t < 1e-12 ? t : -expm1(-k * t) / k;
}

static double bateman(double ka, double ke, double t)
{
    double dk = ka - ke;
    if (fabs(dk) * t < 1e-7) /* t e^-kt, k the mean: error O((dk t)^2) */
        return t * exp(-0.5 * (ka + ke) * t);
    return exp(-ke * t) * -expm1(-dk * t) / dk;
}

static double bateman_int(double ka, double ke, double t)
{
    double dk = ka - ke;
    if (fabs(dk) * t < 1e-7) { /* integral of s e^-ks */
        double k = 0.5 * (ka + ke), kt = k * t;
        return kt < 1e-4 ? t * t / 2 * (1 - 2 * kt / 3) : (-expm1(-kt) - kt * exp(-kt)) / (k * k);
    }
    return (e1(ke, t) - e1(ka, t)) / dk;
}

/* Phi(tau) and its integral in closed form (pk_model.pk_phi): the depot
 * empties at ka, the central compartment at kel, Ael takes what leaves. */
static void pk_phi(const double *d, double t, double *phi, double *iphi)
{
    double ka = d[KA], ke = d[KEL], b = bateman(ka, ke, t), ib = bateman_int(ka, ke, t);
    double ea = exp(-ka * t), ee = exp(-ke * t);
    for (int i = 0; i < N_STATE * N_STATE; i++)
        phi[i] = iphi[i] = 0.0;
#define AT(M, i, k) M[(i) * N_STATE + (k)]
    AT(phi, DEPOT, DEPOT) = ea;
    AT(phi, CENTRAL, DEPOT) = ka * b;
    AT(phi, CENTRAL, CENTRAL) = ee;
    AT(phi, AEL, DEPOT) = -expm1(-ka * t) - ka * b;
    AT(phi, AEL, CENTRAL) = -expm1(-ke * t);
    AT(phi, AEL, AEL) = 1.0;
    AT(iphi, DEPOT, DEPOT) = e1(ka, t);
    AT(iphi, CENTRAL, DEPOT) = ka * ib;
    AT(iphi, CENTRAL, CENTRAL) = e1(ke, t);
    AT(iphi, AEL, DEPOT) = t - e1(ka, t) - ka * ib;
    AT(iphi, AEL, CENTRAL) = t - e1(ke, t);
    AT(iphi, AEL, AEL) = t;
#undef AT
}

static void init(const double *d, double *x)
{
    (void)d;
    x[DEPOT] = x[CENTRAL] = x[AEL] = 0.0;
}

static void observe(const double *x, const double *d, double *o)
{
    o[OBS_CONC] = x[CENTRAL] / d[VOL];
}

/* ---- sweep read-outs: exposure ----
 * A target range of 10-20 mg/L, theophylline's therapeutic range (the
 * Theoph data this model is checked on); the window is day 6-7, at steady
 * state for any half-life under a day. */
#define TARGET_LO 10.0 /* mg/L */
#define TARGET_HI 20.0 /* mg/L */

static const pk_readout_def readout_defs[PK_COURSE_N_EXPOSURE] = {
    {"frac_in_10_20_mg_per_L", "fraction of time with C in the target range 10-20 mg/L", +1, 0,
     0, 1},
    {"frac_above_20_mg_per_L", "fraction of time with C above 20 mg/L (toxic range)", -1, 0, 0,
     1},
    {"frac_below_10_mg_per_L", "fraction of time with C below 10 mg/L (subtherapeutic)", -1, 0,
     0, 1},
    PK_COURSE_EXPOSURE_DEFS("day 6-7"),
};

static void readouts(const pk_model *m, const pk_course *c, double *ro)
{
    pk_course_exposure(m, c, TARGET_LO, TARGET_HI, ro);
}

/* The target range of the read-outs, on a linear axis (the usual one for
 * a single dose's curve). */
static const pk_plot_panel panels[] = {
    {"Plasma concentration", "mg/L", "conc", 0, 0, 0, 0,
     {{"target range, low", TARGET_LO, NULL}, {"high", TARGET_HI, NULL}}},
};

const pk_model model_oral1cpt = {
    .name = "oral1cpt",
    .summary = "one-compartment PK, first-order absorption, optional lag (solver reference)",
    .n_state = N_STATE, .n_pk = N_STATE, .n_param = N_PARAM, .n_obs = N_OBS,
    .state = state_defs, .param = param_defs, .obs = obs_defs, .conc_obs = OBS_CONC,
    .unit_dose_mg = 0, .daily_min_mg = 0, .daily_max_mg = INFINITY, .min_interval_h = 0,
    .derive = derive, .n_pk_derived = N_DERIVED,
    .bioavailability = bioavailability, .lag_day = lag_day,
    .pk_rhs = pk_rhs, .conc = conc, .pk_grid = pk_grid, .pk_tau_window = pk_tau_window,
    .pk_phi = pk_phi,
    .pd_rhs = NULL, .init = init, .observe = observe, .data_priors = NULL,
    .readout = readout_defs, .n_readout = PK_COURSE_N_EXPOSURE, .readouts = readouts,
    .window_day = 6,
    .rank_by = "frac_in_10_20_mg_per_L", .rank_limit = "frac_above_20_mg_per_L",
    .rank_limit_max = 0.05, .rank_ties = {"frac_below_10_mg_per_L", NULL},
    .sweep_obs = {"conc", NULL},
    .panel = panels, .n_panel = 1,
};
