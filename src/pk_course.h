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

#endif
