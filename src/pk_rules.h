/* pk_rules: rule-based dose adjustment, as the clinicians of the case
 * series did it: on blood-count days, the first rule whose condition holds
 * and whose action changes the dose applies, from that day's doses on.
 *
 * File format (params/rules_clinical.ini):
 *   [rules]
 *   start = 400 mg bid              ; starting regimen
 *   count_days = 0, 3               ; count days: day mod 7 in this list
 *   rule NAME = CONDITION -> ACTION ; in order of priority
 * CONDITION: OBSERVABLE OP VALUE [for N days], OP one of < <= > >=;
 *   "for N days" means at every count day from N days ago to today.
 * ACTION: reduce MG (a reduction below the minimum pauses), increase MG
 *   (up to the maximum), pause, resume (the last dose before a pause),
 *   stop (no more drug), set MG. */
#ifndef PK_RULES_H
#define PK_RULES_H

#include <stddef.h>

#include "pk_err.h"
#include "pk_model.h"

#define PK_RULES_MAX 32

typedef enum { PK_ACT_REDUCE, PK_ACT_INCREASE, PK_ACT_PAUSE, PK_ACT_RESUME, PK_ACT_STOP,
               PK_ACT_SET } pk_action;

typedef struct pk_rule {
    char name[48];
    int obs;             /* observable index */
    int op;              /* -2 <, -1 <=, 1 >=, 2 > */
    double value;
    double for_days;     /* 0: today only */
    pk_action action;
    double mg;           /* per day, for reduce/increase/set */
    int line;
} pk_rule;

typedef struct pk_rules {
    char path[512];
    double start_mg_per_day;
    int bid;             /* schedule of every daily dose */
    int count_mod[7];    /* 1: day mod 7 is a count day */
    pk_rule rule[PK_RULES_MAX];
    size_t n;
} pk_rules;

int pk_rules_load(const char *path, const pk_model *m, pk_rules *r, pk_err *err);

/* Dose state carried from count day to count day. */
typedef struct pk_rule_state {
    double daily_mg;     /* current daily dose */
    double last_mg;      /* the dose before the latest pause */
    int stopped;
} pk_rule_state;

/* Applies the rules on a count day.  hist_t/hist_obs hold this draw's count
 * days so far (ascending, today last; hist_obs n_obs values per day).
 * Returns the index of the rule that fired (the state changed) or -1. */
int pk_rules_apply(const pk_rules *r, const pk_model *m, const double *hist_t,
                   const double *hist_obs, size_t n_hist, pk_rule_state *st);

#endif
