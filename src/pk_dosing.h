/* pk_dosing: regimens as a clinician writes them, and the dose events the
 * engine integrates over. */
#ifndef PK_DOSING_H
#define PK_DOSING_H

#include <stddef.h>

#include "pk_err.h"
#include "pk_model.h"

/* Days first_day..last_day (inclusive, days after the first dose): morning
 * dose at 0 h and evening dose at 12 h of each day, in mg per
 * administration.  Both 0 is a pause.
 * A one-off dose ("DAY = X mg once", once = 1): morning_mg at at_day, any
 * time of a day; first_day = last_day = floor(at_day), evening_mg = 0.  No
 * FIRST-LAST regimen may cover its day; several once doses may share one. */
typedef struct pk_regimen {
    int first_day, last_day;
    double morning_mg, evening_mg;
    int line;            /* source line, 0 when from the command line */
    int once;            /* 1: a one-off dose of morning_mg at at_day */
    double at_day;       /* the once dose's time (days), 0 otherwise */
} pk_regimen;

/* One administration: time in days, amount in mg as given (before
 * bioavailability and lag, which belong to the model). */
typedef struct pk_dose {
    double t_day;
    double amount_mg;
} pk_dose;

/* A named dosing scenario for sweeps: regimens in order of days. */
#define PK_SCENARIO_MAX_REG 64
typedef struct pk_scenario {
    char name[64];
    pk_regimen reg[PK_SCENARIO_MAX_REG];
    size_t n_reg;
    int line;            /* source line, 0 when generated */
} pk_scenario;

/* Parses "DAYS: DOSE, DAYS: DOSE, ..." (e.g. "0-29: 400 mg bid, 30-36:
 * pause, 37-179: 400 mg bid") into s, checked against the model's limits.
 * file and line name the source in messages. */
int pk_dosing_parse_scenario(const pk_model *m, const char *name, const char *text,
                             const char *file, int line, pk_scenario *s, pk_err *err);

/* Checks regimens against the model's dose limits and against each other
 * (order, overlap).  `file` names the source in messages. */
int pk_dosing_check(const pk_model *m, const pk_regimen *r, size_t n, const char *file,
                    pk_err *err);

/* Expands regimens into dose events, sorted by time.  *doses is malloc'ed;
 * the caller frees it.  An all-pause list gives zero doses. */
int pk_dosing_expand(const pk_regimen *r, size_t n, pk_dose **doses, size_t *n_doses,
                     pk_err *err);

/* "FIRST-LAST" or "DAY" (days after the first dose) -> first, last. */
int pk_dosing_parse_days(const char *key, int *first, int *last);

/* A one-off dose: key "DAY" (a decimal day, e.g. 2.25) or "HOURSh" (e.g.
 * "54h", hours after day 0), value "X mg once" ("mg" optional).  Returns 0
 * with r's days, amount, once and at_day set; 1 when value is not a once
 * dose (not ending in "once": the caller reads a regimen); -1 when the
 * key is not a day or hours in 0-100000 days; -2 when the amount is not
 * a number. */
int pk_dosing_parse_once(const char *key, const char *value, pk_regimen *r);

/* "pause", "0", "X mg qd", "X mg bid", "X + Y mg" ("mg" optional) ->
 * morning and evening mg per administration.  0 on success. */
int pk_dosing_parse_dose(const char *value, double *am, double *pm);

/* The regimens' part before day `day` (a forecast's history): each one
 * that starts earlier, cut to end at day-1, into out (at most cap);
 * returns how many. */
size_t pk_dosing_before(const pk_regimen *r, size_t n, int day, pk_regimen *out, size_t cap);

/* Daily dose (mg/day) in force on day t: the regimen covering floor(t),
 * or the sum of the once doses on that day (0 outside every regimen). */
double pk_dosing_daily_mg(const pk_regimen *r, size_t n, double t_day);

/* Splits a daily dose into morning and evening administrations for a
 * schedule ("qd" or "bid"): bid puts the larger half in the morning in
 * whole tablets (600 = 400 + 200).  Returns PK_EINPUT on a bad schedule. */
int pk_dosing_split(const pk_model *m, double daily_mg, const char *schedule,
                    double *morning_mg, double *evening_mg, pk_err *err);

#endif
