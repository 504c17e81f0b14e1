/* iv1cpt: one-compartment PK after intravenous boluses, clearance and
 * volume proportional to body weight (neonatal phenobarbital, G85).  Its
 * closed form for any dosing history is a sum of exponentials:
 *   C(t) = sum over doses D_i at t_i < t of D_i / V exp(-k (t - t_i)),
 *   V = V_L_per_kg * weight, k = CL_L_per_h_per_kg / V_L_per_kg (weight cancels).
 * The body weight is required: a dose in mg means nothing per kg without
 * it, and no default weight suits neonates and adults alike. */
#include <math.h>

#include "models.h"
#include "pk_course.h"
#include "pk_text.h"

/* The engine gives every dose to state 0: here the central compartment. */
enum { CENTRAL, AEL, N_STATE };

static const pk_state_def state_defs[N_STATE] = {
    {"Ac", "mg", "central compartment", 0, 1.0},
    {"Ael", "mg", "cumulative amount eliminated", 0, 1.0},
};

enum { CL_KG, V_KG, N_PARAM };

/* Priors: Grasela & Donn's population means for 59 preterm neonates
 * (G85: CL 0.0047 L/h/kg, V 0.96 L/kg; this repository's nlme fit of their
 * data, scripts/validation/phenobarb_nlme.R, gives 0.0047 and 0.99), with
 * CV 50%, wider than their between-infant CVs of 19% and 16%. */
static const pk_param_def param_defs[N_PARAM] = {
    {"CL_L_per_h_per_kg", "L/h/kg", "clearance per kg of body weight (CL = CL_L_per_h_per_kg * weight)", 0.0047, PK_PRIOR_LOGNORMAL, 0.5, 1e-6, 10, "G85"},
    {"V_L_per_kg", "L/kg", "volume of distribution per kg of body weight (V = V_L_per_kg * weight)", 0.96, PK_PRIOR_LOGNORMAL, 0.5, 1e-3, 100, "G85"},
};

enum { OBS_CONC, N_OBS };

/* Additive SD 2.7 mg/L: the residual SD of the nlme fit of G85's data
 * (tests/data/popfit/phenobarb_nlme_reference.csv, sigma 2.71). */
static const pk_obs_def obs_defs[N_OBS] = {
    {"conc", "conc_mg_per_L", "mg/L", "plasma concentration", PK_ERRMODEL_ADDITIVE, 2.7, 0, 0},
};

enum { KEL, VOL, N_DERIVED };

/* Parameters outside their admissible ranges (an optimiser's or a
 * caller's, never a checked patient file's) are refused here, before a
 * rate constant of 0 or inf reaches the solver; so is a missing weight. */
static int derive(const double *th, double weight_kg, double *d, pk_err *err)
{
    for (int k = 0; k < N_PARAM; k++)
        if (!(th[k] >= param_defs[k].lo && th[k] <= param_defs[k].hi)) {
            char v[40];
            return pk_err_set(err, PK_EINPUT, "", "%s = %s %s is outside its admissible range %g-%g",
                              param_defs[k].name, pk_text_exact(v, sizeof v, th[k]),
                              param_defs[k].unit, param_defs[k].lo, param_defs[k].hi);
        }
    if (!(isfinite(weight_kg) && weight_kg > 0))
        return pk_err_set(err, PK_EINPUT, "",
                          "model iv1cpt needs the body weight (CL and V are per kg): give "
                          "weight_kg in [patient]");
    d[VOL] = th[V_KG] * weight_kg;
    d[KEL] = 24.0 * th[CL_KG] / th[V_KG];
    return PK_OK;
}

static void pk_rhs(double tad_day, const double *a, const double *d, double *da)
{
    (void)tad_day;
    da[CENTRAL] = -d[KEL] * a[CENTRAL];
    da[AEL] = d[KEL] * a[CENTRAL];
}

static double conc(const double *a, const double *d)
{
    return a[CENTRAL] / d[VOL];
}

/* One rate: fine nodes over 12 time constants, and as fine after them. */
static void pk_grid(const double *d, double *h_fine, double *t_fine, double *h_coarse,
                    double *h_far)
{
    *h_fine = 0.02 / d[KEL];
    *t_fine = 12.0 / d[KEL];
    *h_coarse = *h_fine;
    *h_far = 4.0 * *h_coarse;
}

/* Nothing depends on the time since the dose: the propagator is matrix
 * exponentials throughout. */
static void pk_tau_window(const double *d, double *tau_on, double *tau_off)
{
    (void)d;
    *tau_on = *tau_off = 0.0;
}

/* Phi(tau) and its integral in closed form (pk_model.pk_phi): the central
 * compartment empties at kel into Ael. */
static void pk_phi(const double *d, double t, double *phi, double *iphi)
{
    double k = d[KEL], e = exp(-k * t), e1 = k * t < 1e-12 ? t : -expm1(-k * t) / k;
    phi[CENTRAL * N_STATE + CENTRAL] = e;
    phi[CENTRAL * N_STATE + AEL] = 0.0;
    phi[AEL * N_STATE + CENTRAL] = -expm1(-k * t);
    phi[AEL * N_STATE + AEL] = 1.0;
    iphi[CENTRAL * N_STATE + CENTRAL] = e1;
    iphi[CENTRAL * N_STATE + AEL] = 0.0;
    iphi[AEL * N_STATE + CENTRAL] = t - e1;
    iphi[AEL * N_STATE + AEL] = t;
}

static void init(const double *d, double *x)
{
    (void)d;
    x[CENTRAL] = x[AEL] = 0.0;
}

static void observe(const double *x, const double *d, double *o)
{
    o[OBS_CONC] = x[CENTRAL] / d[VOL];
}

/* ---- sweep read-outs: exposure ----
 * Phenobarbital's usual target range in neonatal seizures, 15-40 mg/L.
 * The window is day 6-7 as in oral1cpt: with a half-life near 6 days that
 * is not steady state, but a loading dose (15-20 mg/kg) reaches the range
 * at once and the window shows whether maintenance keeps it there. */
#define TARGET_LO 15.0 /* mg/L */
#define TARGET_HI 40.0 /* mg/L */

static const pk_readout_def readout_defs[PK_COURSE_N_EXPOSURE] = {
    {"frac_in_15_40_mg_per_L", "fraction of time with C in the target range 15-40 mg/L", +1, 0,
     0, 1},
    {"frac_above_40_mg_per_L", "fraction of time with C above 40 mg/L (toxic range)", -1, 0, 0,
     1},
    {"frac_below_15_mg_per_L", "fraction of time with C below 15 mg/L (subtherapeutic)", -1, 0,
     0, 1},
    PK_COURSE_EXPOSURE_DEFS("day 6-7"),
};

static void readouts(const pk_model *m, const pk_course *c, double *ro)
{
    pk_course_exposure(m, c, TARGET_LO, TARGET_HI, ro);
}

const pk_model model_iv1cpt = {
    .name = "iv1cpt",
    .summary = "one-compartment PK after IV boluses, CL and V per kg of body weight (neonatal "
               "phenobarbital)",
    .n_state = N_STATE, .n_pk = N_STATE, .n_param = N_PARAM, .n_obs = N_OBS,
    .state = state_defs, .param = param_defs, .obs = obs_defs, .conc_obs = OBS_CONC,
    .unit_dose_mg = 0, .daily_min_mg = 0, .daily_max_mg = INFINITY, .min_interval_h = 0,
    .derive = derive, .n_pk_derived = N_DERIVED,
    .bioavailability = NULL, .lag_day = NULL,
    .pk_rhs = pk_rhs, .conc = conc, .pk_grid = pk_grid, .pk_tau_window = pk_tau_window,
    .pk_phi = pk_phi,
    .pd_rhs = NULL, .init = init, .observe = observe, .data_priors = NULL,
    .readout = readout_defs, .n_readout = PK_COURSE_N_EXPOSURE, .readouts = readouts,
    .window_day = 6,
    .rank_by = "frac_in_15_40_mg_per_L", .rank_limit = "frac_above_40_mg_per_L",
    .rank_limit_max = 0.05, .rank_ties = {"frac_below_15_mg_per_L", NULL},
    .sweep_obs = {"conc", NULL},
};
