/* pk_course: helpers for a model's sweep read-outs of one simulated
 * course (pk_course in pk_model.h). */
#ifndef PK_COURSE_H
#define PK_COURSE_H

#include "pk_model.h"

/* Over the dose days from_day .. ceil(days)-1: the cumulative dose (mg),
 * the mean daily dose (mg/day) and the number of changes of the daily
 * dose. */
void pk_course_doses(const pk_course *c, double *cum_mg, double *mean_mg_per_day,
                     double *changes);

/* Observable k of a model with n_obs observables over the exposure window
 * [w, w + 1] day: its minimum, maximum and AUC (trapezoids, unit x h).
 * All NAN when the horizon ends before the window does. */
void pk_course_window(const pk_course *c, size_t n_obs, int k, double w, double *min,
                      double *max, double *auc_h);

/* The exposure read-outs of a PK model with a target range of its
 * concentration, in the order pk_course_exposure fills them: the fractions
 * of time within, above and below the range, the window's Cmin, Cmax and
 * AUC, and the doses (pk_course_doses). */
enum { PK_COURSE_IN_RANGE, PK_COURSE_ABOVE, PK_COURSE_BELOW, PK_COURSE_CMIN, PK_COURSE_CMAX,
       PK_COURSE_AUC24, PK_COURSE_CUM_DOSE, PK_COURSE_MEAN_DOSE, PK_COURSE_DOSE_CHANGES,
       PK_COURSE_N_EXPOSURE };

/* The table rows of those read-outs after the three range fractions (whose
 * names hold the model's range); WINDOW names the exposure window in the
 * meanings, e.g. "day 6-7". */
#define PK_COURSE_EXPOSURE_DEFS(WINDOW)                                                     \
    {"cmin_mg_per_L", "minimum concentration over " WINDOW " (mg/L)", 0, 0, 1, 1},          \
    {"cmax_mg_per_L", "maximum concentration over " WINDOW " (mg/L)", 0, 0, 1, 1},          \
    {"auc24_mg_h_per_L", "AUC over " WINDOW " (mg*h/L)", 0, 0, 1, 0},                       \
    {"cum_dose_mg", "cumulative dose over the horizon (mg)", 0, 0, 0, 0},                   \
    {"mean_dose_mg_per_day", "mean daily dose (mg/day)", 0, 0, 0, 1},                       \
    {"dose_changes", "number of changes of the daily dose", 0, 0, 0, 0}

/* Fills ro[0 .. PK_COURSE_N_EXPOSURE) from m's concentration observable
 * (conc_obs) over one course: from from_day on, the fractions of time
 * with C within [lo_mg_per_L, hi_mg_per_L], above and below it (each
 * interval counted with its left point; 0 over no time); Cmin, Cmax and
 * AUC over the window [from_day + m->window_day, + 1 day]; the doses. */
void pk_course_exposure(const pk_model *m, const pk_course *c, double lo_mg_per_L,
                        double hi_mg_per_L, double *ro);

#endif
