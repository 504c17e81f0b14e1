/* pk_model: what a model is to the engine.
 *
 * A model is a linear pharmacokinetic (PK) subsystem, states [0, n_pk),
 * which the drug concentration C(t) summarises, driving a pharmacodynamic
 * (PD) subsystem, states [n_pk, n_state), through C alone.  The PK must be
 * compartmental (amounts flowing between compartments and out), so its
 * propagator is non-negative.  The PK may
 * depend on the time since the last dose (enterohepatic switches) but never
 * on the PD: that is what lets the engine solve the PK once with a
 * propagator and the PD with C(t) interpolated (pk_prop.h, pk_solver.h).
 *
 * All times inside a model are in days; amounts in mg; concentrations in
 * mg/L; cell counts in 10^9/L.  A model is one file, models/<name>.c,
 * defining `const pk_model model_<name>`: CMake generates the registry
 * from the files there.  Callbacks marked optional may be NULL. */
#ifndef PK_MODEL_H
#define PK_MODEL_H

#include <stddef.h>

#include "pk_err.h"

#define PK_MAX_STATE 32
#define PK_MAX_PARAM 48
#define PK_MAX_DERIVED 64
#define PK_MAX_OBS 8
#define PK_MAX_READOUT 32

typedef enum {
    PK_PRIOR_FIXED = 0,    /* not estimable unless the file gives a spread */
    PK_PRIOR_LOGNORMAL,    /* spread = CV (fraction); omega = sqrt(ln(1+CV^2)) */
    PK_PRIOR_LOGITNORMAL,  /* spread = SD of logit(theta); theta in (0,1) */
    PK_PRIOR_LOG10NORMAL   /* spread = SD of log10(theta) */
} pk_prior_kind;

typedef struct pk_param_def {
    const char *name;    /* docs/model.md table name: INI key and CSV column */
    const char *unit;
    const char *meaning;
    double median;       /* prior median in unit; NAN = from the patient's data */
    pk_prior_kind prior;
    double spread;       /* CV or SD, see pk_prior_kind */
    double lo, hi;       /* admissible values (inclusive) */
    const char *source;  /* literature tag of docs/model.md, e.g. "J11" */
} pk_param_def;

typedef struct pk_state_def {
    const char *name;    /* docs/model.md name: CSV column */
    const char *unit;
    const char *meaning;
    int log_scale;       /* 1: integrated as ln(state); state stays > 0 */
    double scale;        /* magnitude below which absolute error stops
                            mattering: atol = rtol * scale (linear states) */
} pk_state_def;

typedef enum {
    PK_ERRMODEL_LOGNORMAL = 0, /* ln(obs) ~ N(ln(pred), a^2) */
    PK_ERRMODEL_BINOMIAL,      /* k of n cells; pred is a percentage */
    PK_ERRMODEL_PROP_ADD,      /* obs ~ N(pred, a^2 + (b*pred)^2) */
    PK_ERRMODEL_ADDITIVE,      /* obs ~ N(pred, a^2) */
    PK_ERRMODEL_NONE           /* a model output only, never observed */
} pk_errmodel;

typedef struct pk_obs_def {
    const char *name;    /* observable: INI key part */
    const char *column;  /* CSV column, unit in the name */
    const char *unit;
    const char *meaning;
    pk_errmodel error;
    double a, b;         /* error model constants (sigma, proportional part) */
    int default_n;       /* binomial: cells counted unless the file says */
} pk_obs_def;

/* One observation of a patient file. */
typedef struct pk_observation {
    double t_day;
    int obs;             /* index into the model's obs table */
    double value;        /* in the observable's unit */
    int censor;          /* 0 exact, -1 "< value", +1 "> value" */
    int n_cells;         /* binomial count; 0 = model default */
    int check;           /* 1: kept in outputs as a model check, not fitted */
    int line;            /* source line in the patient file */
} pk_observation;

/* A read-out: one number a sweep computes from each simulated course and
 * summarises over draws (median and 5-95%, or a probability). */
typedef struct pk_readout_def {
    const char *name;     /* CSV column, unit in the name */
    const char *meaning;  /* one line for summaries: what, and when censored */
    int better;           /* +1 higher is better, -1 lower is better, 0 neither */
    int probability;      /* 1: an indicator per course, reported as its mean */
    int in_window;        /* 1: from the exposure window (needs a horizon past it) */
    int show;             /* 1: a column of the ranked table on the terminal */
} pk_readout_def;

/* One simulated course as a read-out function sees it.  t is a 0.25-day
 * grid from 0 to days with 15-minute steps over the model's exposure
 * window [window_day, window_day + 1]; from_day: read-outs count events
 * from this day on (a forecast), day numbers stay absolute. */
typedef struct pk_course {
    const double *t;        /* n times (days) */
    size_t n;
    const double *obs;      /* n x n_obs observables */
    const double *x;        /* n x n_state states (physical scale) */
    const double *daily_mg; /* applied dose of days 0 .. ceil(days)-1 */
    double days;            /* horizon */
    double from_day;
    const double *theta;    /* parameters (model units) */
} pk_course;

/* A horizontal reference line of a figure panel (a threshold, a target,
 * an EC50): at `value`, or at level(theta) when given, theta being the
 * parameters the figure shows (the MAP, the file's values or the prior
 * medians).  The figure labels it with its level and the panel's unit. */
typedef struct pk_plot_ref {
    const char *label;                    /* e.g. "grade IV"; NULL ends a list */
    double value;                         /* in the panel's unit */
    double (*level)(const double *theta); /* optional (NULL: value) */
} pk_plot_ref;

#define PK_PANEL_REFS 3

/* A panel of a trajectory figure (simulate, fit), below the daily dose:
 * one output, its band, prediction interval and observations. */
typedef struct pk_plot_panel {
    const char *title;                    /* e.g. "White blood cells" */
    const char *unit;                     /* the axis' unit, e.g. "10^9/L" */
    const char *obs;                      /* the observable drawn */
    int log_y;                            /* 1: a log axis */
    double y_min, y_max;                  /* a fixed range (both 0: automatic) */
    double zero_at;                       /* log axis: where an observed 0 is drawn
                                             (0: nowhere; the panel says so) */
    pk_plot_ref ref[PK_PANEL_REFS];
} pk_plot_panel;

#define PK_MAX_PANEL 6

typedef struct pk_model {
    const char *name;
    const char *summary;
    size_t n_state, n_pk, n_param, n_obs;
    const pk_state_def *state;
    const pk_param_def *param;
    const pk_obs_def *obs;
    int conc_obs;               /* index of the concentration observable */

    /* Dosing limits: each administration a multiple of unit_dose_mg (0 =
     * any positive amount); daily totals in [daily_min, daily_max] or 0. */
    double unit_dose_mg, daily_min_mg, daily_max_mg, min_interval_h;

    /* Parameters (model units) -> derived constants in days.  Returns PK_OK
     * or PK_EINPUT with err naming the parameter. */
    int (*derive)(const double *theta, double weight_kg, double *derived, pk_err *err);
    /* Number of leading derived values the PK uses: equal values give the
     * same propagator. */
    size_t n_pk_derived;
    /* Optional (NULL: 1): fraction of an administered dose (mg) that
     * reaches the depot. */
    double (*bioavailability)(const double *derived, double dose_mg);
    /* Optional (NULL: 0): delay from administration to depot entry, days. */
    double (*lag_day)(const double *derived);
    /* Linear PK right-hand side; tad_day < 0 before the first dose. */
    void (*pk_rhs)(double tad_day, const double *a, const double *derived, double *da);
    /* Concentration, linear in the PK states (mg/L). */
    double (*conc)(const double *a, const double *derived);
    /* Node spacing for the PK propagator: fine step up to t_fine_day after a
     * dose, coarse step for two days after it, far step after that (only
     * the slow elimination left: 4 x the coarse step, or coarser). */
    void (*pk_grid)(const double *derived, double *h_fine_day, double *t_fine_day,
                    double *h_coarse_day, double *h_far_day);
    /* Optional: pk_rhs depends on the time since the dose only within
     * [tau_on, tau_off] (days); before it, it equals its value at 0, after
     * it its value at tau_off, to rounding.  tau_off <= tau_on: never.  The
     * propagator steps the constant stretches by matrix exponentials.
     * NULL: time-varying over pk_grid's fine region and two days after. */
    void (*pk_tau_window)(const double *derived, double *tau_on_day, double *tau_off_day);
    /* Optional: the PK's fundamental matrix in closed form, for a PK whose
     * coefficients do not depend on the time since the dose: phi = Phi(tau)
     * (Phi(0) = I) and iphi = its integral from 0 to tau (day), n_pk x
     * n_pk each, row-major.  With it the propagator builds no table: every
     * look-up is exact (pk_prop.h), and a fit's thousands of parameter
     * sets cost microseconds each instead of a table each. */
    void (*pk_phi)(const double *derived, double tau_day, double *phi, double *iphi);
    /* PD right-hand side given the concentration; x and dx are the PD states
     * only (state n_pk onwards).  May be NULL for a PK-only model. */
    void (*pd_rhs)(double conc_mg_per_L, const double *x, const double *derived, double *dx);
    /* Initial state (all n_state states, physical scale). */
    void (*init)(const double *derived, double *x0);
    /* Observables from all states; obs has n_obs entries. */
    void (*observe)(const double *x, const double *derived, double *obs);
    /* Known weak points, printed with every fit (lines, may be NULL). */
    const char *weak_points;
    /* Sets data-derived prior medians (those that are NAN in the table)
     * from the patient's observations.  May be NULL. */
    void (*data_priors)(const pk_observation *o, size_t n, double *median);

    /* PD integration aids for the split engine (each may be NULL).
     * exposure_shift: per PD state, a (L/(mg day)) with d ln x/dt about
     * -a*C(t) + smooth terms near the run's mean concentration c_mean
     * (mg/L); the engine integrates ln x + a*AUC(t) instead, from which
     * that dosing-interval ripple is gone.  A change of variables, exact
     * for any a (log-scale states only; 0 = none).
     * err_loosen: per PD state at x (PD states, physical scale), a factor
     * >= 1 on its error tolerance, for a pool whose error matters only
     * against a larger one it is summed with and which forgets its errors;
     * this one does change what accuracy means, so the model says why. */
    void (*exposure_shift)(const double *derived, double c_mean, double *a);
    void (*err_loosen)(const double *x, const double *derived, double *factor);

    /* Sweeps (each may be NULL / 0: a sweep then reports nothing).
     * readouts: fills ro[0 .. n_readout) from one course (pk_course.h has
     * helpers); a read-out with no value (a window past the horizon) is
     * NAN.  rank_by: the read-out a sweep maximises or minimises (its
     * direction), among scenarios whose median rank_limit read-out is at
     * most rank_limit_max (NULL: no constraint); ties go to rank_ties in
     * their directions, then to the order of the scenarios.  events: time
     * to event read-outs, each a day read-out and its 0/1 indicator, for
     * the fraction of draws still event-free by day.  sweep_obs:
     * observables whose daily quantiles sweep_trajectories.csv gives. */
    const pk_readout_def *readout;
    size_t n_readout;
    void (*readouts)(const struct pk_model *m, const pk_course *c, double *ro);
    double window_day;
    const char *rank_by, *rank_limit, *rank_ties[4]; /* NULL-terminated */
    double rank_limit_max;
    const char *events[4][3];   /* {name, day read-out, indicator read-out}; NULL name ends */
    const char *sweep_obs[4];   /* NULL-terminated, at most 3 */

    /* Figures (optional): the panels of a trajectory figure under its
     * daily dose, at most PK_MAX_PANEL.  0: one panel per observed
     * output, on a log axis, without reference lines. */
    const pk_plot_panel *panel;
    size_t n_panel;
} pk_model;

/* The registry (src/pk_models.c). */
const pk_model *pk_model_find(const char *name);
size_t pk_model_count(void);
const pk_model *pk_model_at(size_t i);

int pk_model_param_index(const pk_model *m, const char *name);
int pk_model_obs_index(const pk_model *m, const char *name);
int pk_model_state_index(const pk_model *m, const char *name);
int pk_model_readout_index(const pk_model *m, const char *name);

#endif
