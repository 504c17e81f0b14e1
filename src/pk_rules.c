#include "pk_rules.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pk_dosing.h"
#include "pk_ini.h"
#include "pk_text.h"

static int bad(pk_err *err, const pk_rules *r, const pk_ini_entry *e, const char *msg,
               const char *arg)
{
    char where[700];
    pk_err_where(where, sizeof where, r->path, e->line, e->key);
    return pk_err_set(err, PK_EINPUT, where, msg, arg);
}

static int multiple_of(double x, double unit)
{
    return unit <= 0 || fabs(x / unit - nearbyint(x / unit)) < 1e-9;
}

static int parse_rule(const pk_model *m, const pk_rules *r, const pk_ini_entry *e, pk_rule *u,
                      pk_err *err)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", e->value);
    char *arrow = strstr(buf, "->");
    if (!arrow)
        return bad(err, r, e, "expected 'CONDITION -> ACTION' (e.g. 'wbc < 1.0 -> pause')%s", "");
    *arrow = 0;
    char *cond = buf, *act = arrow + 2, *ct[6], *at[3];
    int nc = pk_text_tokenize(cond, ct, 6), na = pk_text_tokenize(act, at, 3);
    if (nc != 3 && !(nc == 6 && strcmp(ct[3], "for") == 0 && strcmp(ct[5], "days") == 0))
        return bad(err, r, e, "condition: expected 'OBSERVABLE OP VALUE [for N days]'%s", "");
    u->obs = pk_model_obs_index(m, ct[0]);
    if (u->obs < 0 || m->obs[u->obs].error == PK_ERRMODEL_NONE)
        return bad(err, r, e, "unknown observable '%s'", ct[0]);
    static const char *const ops[4] = {"<", "<=", ">=", ">"};
    static const int codes[4] = {-2, -1, 1, 2};
    u->op = 0;
    for (int k = 0; k < 4; k++)
        if (strcmp(ct[1], ops[k]) == 0)
            u->op = codes[k];
    if (!u->op)
        return bad(err, r, e, "'%s' is not one of < <= >= >", ct[1]);
    if (pk_text_number(ct[2], &u->value, 0))
        return bad(err, r, e, "'%s' is not a number", ct[2]);
    if (nc == 6 && (pk_text_number(ct[4], &u->for_days, 0) || u->for_days < 1 || u->for_days > 365))
        return bad(err, r, e, "'for %s days': give 1-365 days", ct[4]);
    static const char *const acts[6] = {"reduce", "increase", "pause", "resume", "stop", "set"};
    int a = -1;
    for (int k = 0; na >= 1 && k < 6; k++)
        if (strcmp(at[0], acts[k]) == 0)
            a = k;
    if (a < 0)
        return bad(err, r, e, "action '%s': use reduce MG, increase MG, pause, resume, stop or "
                   "set MG", na >= 1 ? at[0] : "");
    u->action = (pk_action)a;
    int needs_mg = a == PK_ACT_REDUCE || a == PK_ACT_INCREASE || a == PK_ACT_SET;
    if (needs_mg != (na == 2))
        return bad(err, r, e, needs_mg ? "action '%s' needs an amount in mg/day"
                                       : "action '%s' takes no amount", at[0]);
    if (needs_mg) {
        if (pk_text_number(at[1], &u->mg, 0) || !(u->mg > 0) || !multiple_of(u->mg, m->unit_dose_mg))
            return bad(err, r, e, "'%s': give mg/day in whole tablets", at[1]);
        if (a == PK_ACT_SET && (u->mg < m->daily_min_mg || u->mg > m->daily_max_mg))
            return bad(err, r, e, "set %s mg/day is outside the dose range", at[1]);
    }
    u->line = e->line;
    return PK_OK;
}

int pk_rules_load(const char *path, const pk_model *m, pk_rules *r, pk_err *err)
{
    memset(r, 0, sizeof *r);
    snprintf(r->path, sizeof r->path, "%s", path);
    r->count_mod[0] = r->count_mod[3] = 1;
    pk_ini ini = {0};
    int rc = pk_ini_load(path, &ini, err), have_start = 0;
    for (size_t i = 0; rc == PK_OK && i < ini.n_section; i++)
        if (strcmp(ini.section[i].name, "rules") != 0) {
            char where[600];
            pk_err_where(where, sizeof where, path, ini.section[i].line, NULL);
            rc = pk_err_set(err, PK_EINPUT, where, "unknown section [%s] (rules)",
                            ini.section[i].name);
        }
    for (size_t i = 0; rc == PK_OK && i < ini.n_entry; i++) {
        const pk_ini_entry *e = &ini.entry[i];
        if (strcmp(e->section, "rules") != 0) {
            rc = bad(err, r, e, "key outside [rules]%s", "");
        } else if (strcmp(e->key, "start") == 0) {
            double am, pm;
            pk_regimen g = {.line = e->line};
            if (pk_dosing_parse_dose(e->value, &am, &pm) || (am != pm && pm != 0))
                rc = bad(err, r, e, "'%s': give e.g. '400 mg bid' or '800 mg qd'", e->value);
            else {
                g.morning_mg = am;
                g.evening_mg = pm;
                pk_err e2 = {0};
                if (pk_dosing_check(m, &g, 1, path, &e2))
                    rc = bad(err, r, e, "%s", e2.msg);
                r->start_mg_per_day = am + pm;
                r->bid = pm > 0;
                have_start = 1;
            }
        } else if (strcmp(e->key, "count_days") == 0) {
            memset(r->count_mod, 0, sizeof r->count_mod);
            char buf[128];
            snprintf(buf, sizeof buf, "%s", e->value);
            int n = 0;
            for (char *t = strtok(buf, ", "); t && rc == PK_OK; t = strtok(NULL, ", ")) {
                double d;
                if (pk_text_number(t, &d, 0) || d < 0 || d > 6 || d != floor(d))
                    rc = bad(err, r, e, "'%s': give weekdays 0-6 (day mod 7)", t);
                else
                    r->count_mod[(int)d] = 1, n++;
            }
            if (rc == PK_OK && n == 0)
                rc = bad(err, r, e, "no count day%s", "");
        } else if (strncmp(e->key, "rule ", 5) == 0) {
            if (r->n == PK_RULES_MAX)
                rc = bad(err, r, e, "more than 32 rules%s", "");
            else {
                pk_rule *u = &r->rule[r->n];
                snprintf(u->name, sizeof u->name, "%s", e->key + 5);
                if ((rc = parse_rule(m, r, e, u, err)) == PK_OK)
                    r->n++;
            }
        } else {
            rc = bad(err, r, e, "unknown key in [rules] (start, count_days, rule NAME)%s", "");
        }
    }
    if (rc == PK_OK && !have_start)
        rc = pk_err_set(err, PK_EINPUT, path, "[rules] has no start regimen");
    pk_ini_free(&ini);
    return rc;
}

static int holds(const pk_rule *u, double v)
{
    switch (u->op) {
    case -2:
        return v < u->value;
    case -1:
        return v <= u->value;
    case 1:
        return v >= u->value;
    default:
        return v > u->value;
    }
}

int pk_rules_apply(const pk_rules *r, const pk_model *m, const double *hist_t,
                   const double *hist_obs, size_t n_hist, pk_rule_state *st)
{
    if (n_hist == 0 || st->stopped)
        return -1;
    double today = hist_t[n_hist - 1];
    for (size_t k = 0; k < r->n; k++) {
        const pk_rule *u = &r->rule[k];
        /* "for N days" needs counts covering the whole window */
        int ok = u->for_days == 0 || hist_t[0] <= today - u->for_days;
        for (size_t i = n_hist; i-- > 0 && ok;) {
            if (hist_t[i] < today - u->for_days && i + 1 < n_hist)
                break;
            ok = holds(u, hist_obs[i * m->n_obs + u->obs]);
        }
        if (!ok)
            continue;
        double d = st->daily_mg, next = d;
        switch (u->action) {
        case PK_ACT_REDUCE:
            if (d > 0)
                next = d - u->mg < m->daily_min_mg ? 0 : d - u->mg;
            break;
        case PK_ACT_INCREASE:
            if (d > 0)
                next = fmin(d + u->mg, m->daily_max_mg);
            break;
        case PK_ACT_PAUSE:
            next = 0;
            break;
        case PK_ACT_RESUME:
            if (d == 0)
                next = st->last_mg;
            break;
        case PK_ACT_STOP:
            next = 0;
            break;
        case PK_ACT_SET:
            next = u->mg;
            break;
        }
        int stop = u->action == PK_ACT_STOP;
        if (next == d && !stop)
            continue; /* this rule would change nothing: the next one may */
        if (d > 0 && next == 0)
            st->last_mg = d;
        st->daily_mg = next;
        st->stopped = stop;
        return (int)k;
    }
    return -1;
}
