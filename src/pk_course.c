#include "pk_course.h"

#include <math.h>

void pk_course_doses(const pk_course *c, double *cum_mg, double *mean_mg_per_day,
                     double *changes)
{
    double cum = 0, prev = -1, n_changes = 0;
    int first = (int)floor(c->from_day + 1e-9), end = (int)ceil(c->days - 1e-9);
    for (int d = first; d < end; d++) {
        double mg = c->daily_mg[d];
        cum += mg;
        if (prev >= 0 && mg != prev)
            n_changes++;
        prev = mg;
    }
    *cum_mg = cum;
    *mean_mg_per_day = end > first ? cum / (end - first) : 0;
    *changes = n_changes;
}

void pk_course_window(const pk_course *c, size_t n_obs, int k, double w, double *min,
                      double *max, double *auc_h)
{
    if (c->days < w + 1 - 1e-9) {
        *min = *max = *auc_h = NAN;
        return;
    }
    double lo = INFINITY, hi = 0, auc = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (!(c->t[i] >= w && c->t[i] <= w + 1))
            continue;
        double v = c->obs[i * n_obs + (size_t)k];
        lo = fmin(lo, v);
        hi = fmax(hi, v);
        if (i > 0 && c->t[i - 1] >= w)
            auc += 0.5 * (v + c->obs[(i - 1) * n_obs + (size_t)k]) * (c->t[i] - c->t[i - 1]) * 24;
    }
    *min = isfinite(lo) ? lo : 0;
    *max = hi;
    *auc_h = auc;
}

void pk_course_exposure(const pk_model *m, const pk_course *c, double lo_mg_per_L,
                        double hi_mg_per_L, double *ro)
{
    size_t n_obs = m->n_obs, k = (size_t)m->conc_obs;
    double in = 0, above = 0, below = 0, span = 0;
    for (size_t i = 0; i + 1 < c->n; i++) {
        if (c->t[i] < c->from_day - 1e-9)
            continue;
        double dt = c->t[i + 1] - c->t[i], v = c->obs[i * n_obs + k];
        in += (v >= lo_mg_per_L && v <= hi_mg_per_L) * dt;
        above += (v > hi_mg_per_L) * dt;
        below += (v < lo_mg_per_L) * dt;
        span += dt;
    }
    ro[PK_COURSE_IN_RANGE] = span > 0 ? in / span : 0;
    ro[PK_COURSE_ABOVE] = span > 0 ? above / span : 0;
    ro[PK_COURSE_BELOW] = span > 0 ? below / span : 0;
    pk_course_window(c, n_obs, m->conc_obs, c->from_day + m->window_day, &ro[PK_COURSE_CMIN],
                     &ro[PK_COURSE_CMAX], &ro[PK_COURSE_AUC24]);
    pk_course_doses(c, &ro[PK_COURSE_CUM_DOSE], &ro[PK_COURSE_MEAN_DOSE],
                    &ro[PK_COURSE_DOSE_CHANGES]);
}
