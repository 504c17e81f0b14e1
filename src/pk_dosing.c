#include "pk_dosing.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pk_text.h"

/* A whole number of tablets up to the rounding of the division itself
 * (400.0000001 mg is not two 200 mg tablets). */
static int is_multiple(double x, double unit)
{
    if (unit <= 0)
        return 1;
    double q = x / unit;
    return fabs(q - nearbyint(q)) <= 4 * DBL_EPSILON * fmax(1.0, fabs(q));
}

static int check_one(const pk_model *m, const pk_regimen *r, const char *file, pk_err *err)
{
    char where[512], key[64];
    snprintf(key, sizeof key, "%d-%d", r->first_day, r->last_day);
    pk_err_where(where, sizeof where, file, r->line, r->line > 0 ? key : NULL);
    if (r->first_day < 0 || r->last_day < r->first_day)
        return pk_err_set(err, PK_EINPUT, where, "days must run forward from day 0");
    double am = r->morning_mg, pm = r->evening_mg;
    if (!isfinite(am) || !isfinite(pm) || am < 0 || pm < 0)
        return pk_err_set(err, PK_EINPUT, where, "doses must be finite and non-negative (mg)");
    if (am == 0 && pm == 0)
        return PK_OK; /* a pause */
    double daily = am + pm;
    /* values in messages exactly as they are: %g would round
     * 800.0000002 to "800" and call it outside 200-800 */
    char a[32], b[32];
    if (daily < m->daily_min_mg - 1e-9 || daily > m->daily_max_mg + 1e-9)
        return pk_err_set(err, PK_EINPUT, where, "%s mg/day is outside %g-%g",
                          pk_text_exact(a, sizeof a, daily), m->daily_min_mg, m->daily_max_mg);
    if (!is_multiple(am, m->unit_dose_mg) || !is_multiple(pm, m->unit_dose_mg))
        return pk_err_set(err, PK_EINPUT, where,
                          "each dose must be a multiple of the %g mg tablet (got %s + %s mg)",
                          m->unit_dose_mg, pk_text_exact(a, sizeof a, am),
                          pk_text_exact(b, sizeof b, pm));
    if (am > 0 && pm > 0 && 12.0 < m->min_interval_h)
        return pk_err_set(err, PK_EINPUT, where, "dosing intervals under %g h are refused",
                          m->min_interval_h);
    return PK_OK;
}

int pk_dosing_check(const pk_model *m, const pk_regimen *r, size_t n, const char *file,
                    pk_err *err)
{
    for (size_t i = 0; i < n; i++) {
        if (check_one(m, &r[i], file, err))
            return err->code;
        if (i > 0 && r[i].first_day <= r[i - 1].last_day) {
            char where[512], key[64];
            snprintf(key, sizeof key, "%d-%d", r[i].first_day, r[i].last_day);
            pk_err_where(where, sizeof where, file, r[i].line, key);
            return pk_err_set(err, PK_EINPUT, where,
                              "overlaps or precedes the regimen ending on day %d (list them in "
                              "order of days)",
                              r[i - 1].last_day);
        }
    }
    return PK_OK;
}

int pk_dosing_expand(const pk_regimen *r, size_t n, pk_dose **doses, size_t *n_doses,
                     pk_err *err)
{
    size_t cap = 0;
    for (size_t i = 0; i < n; i++)
        cap += 2 * (size_t)(r[i].last_day - r[i].first_day + 1);
    pk_dose *d = malloc((cap ? cap : 1) * sizeof *d);
    if (!d)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory expanding %zu regimens", n);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (int day = r[i].first_day; day <= r[i].last_day; day++) {
            if (r[i].morning_mg > 0)
                d[k++] = (pk_dose){day, r[i].morning_mg};
            if (r[i].evening_mg > 0)
                d[k++] = (pk_dose){day + 0.5, r[i].evening_mg};
        }
    *doses = d;
    *n_doses = k;
    return PK_OK;
}

double pk_dosing_daily_mg(const pk_regimen *r, size_t n, double t_day)
{
    double day = floor(t_day);
    for (size_t i = 0; i < n; i++)
        if (day >= r[i].first_day && day <= r[i].last_day)
            return r[i].morning_mg + r[i].evening_mg;
    return 0.0;
}

int pk_dosing_split(const pk_model *m, double daily_mg, const char *schedule,
                    double *morning_mg, double *evening_mg, pk_err *err)
{
    if (strcmp(schedule, "qd") == 0) {
        *morning_mg = daily_mg;
        *evening_mg = 0;
    } else if (strcmp(schedule, "bid") == 0) {
        double unit = m->unit_dose_mg > 0 ? m->unit_dose_mg : 0;
        if (unit > 0) {
            double tabs = nearbyint(daily_mg / unit);
            *morning_mg = ceil(tabs / 2.0) * unit;
            *evening_mg = daily_mg - *morning_mg;
        } else {
            *morning_mg = *evening_mg = daily_mg / 2.0;
        }
    } else {
        return pk_err_set(err, PK_EINPUT, "--schedule", "'%s' is not qd or bid", schedule);
    }
    return PK_OK;
}

int pk_dosing_parse_days(const char *key, int *first, int *last)
{
    char *end;
    errno = 0;
    long a = strtol(key, &end, 10), b = a;
    if (end == key || errno)
        return -1;
    if (*end == '-') {
        const char *s = end + 1;
        b = strtol(s, &end, 10);
        if (end == s || errno)
            return -1;
    }
    if (*end || a < 0 || b < a || b > 100000)
        return -1;
    *first = (int)a;
    *last = (int)b;
    return 0;
}

/* Accepts "pause", "0", "X mg qd", "X mg bid", "X + Y mg", "X mg + Y mg"
 * ("mg" optional): X and Y are mg per administration. */
int pk_dosing_parse_dose(const char *value, double *am, double *pm)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", value);
    char *tok[8];
    int n = pk_text_tokenize(buf, tok, 8);
    if (n < 1)
        return -1;
    if (n == 1 && (strcmp(tok[0], "pause") == 0 || strcmp(tok[0], "0") == 0)) {
        *am = *pm = 0;
        return 0;
    }
    /* drop "mg" words */
    int k = 0;
    for (int i = 0; i < n; i++)
        if (strcmp(tok[i], "mg") != 0)
            tok[k++] = tok[i];
    n = k;
    double x, y;
    if (n == 2 && pk_text_number(tok[0], &x, 0) == 0) {
        if (strcmp(tok[1], "qd") == 0) {
            *am = x;
            *pm = 0;
            return 0;
        }
        if (strcmp(tok[1], "bid") == 0) {
            *am = *pm = x;
            return 0;
        }
    }
    if (n == 3 && strcmp(tok[1], "+") == 0 && pk_text_number(tok[0], &x, 0) == 0 &&
        pk_text_number(tok[2], &y, 0) == 0) {
        *am = x;
        *pm = y;
        return 0;
    }
    return -1;
}

int pk_dosing_parse_scenario(const pk_model *m, const char *name, const char *text,
                             const char *file, int line, pk_scenario *s, pk_err *err)
{
    memset(s, 0, sizeof *s);
    s->line = line;
    char where[600];
    snprintf(where, sizeof where, "%s:%d: scenario %s", file, line, name);
    if (strlen(name) == 0 || strlen(name) >= sizeof s->name || strchr(name, ','))
        return pk_err_set(err, PK_EINPUT, where, "give a name of 1-63 characters without commas");
    snprintf(s->name, sizeof s->name, "%s", name);
    char buf[512];
    snprintf(buf, sizeof buf, "%s", text);
    char *save = NULL;
    for (char *part = strtok_r(buf, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(part, ':');
        if (!colon)
            return pk_err_set(err, PK_EINPUT, where, "'%s': expected DAYS: DOSE (e.g. 0-29: 400 mg "
                              "bid)", part);
        *colon = 0;
        char *days = part, *dose = colon + 1;
        while (*days == ' ' || *days == '\t')
            days++;
        size_t l = strlen(days);
        while (l > 0 && (days[l - 1] == ' ' || days[l - 1] == '\t'))
            days[--l] = 0;
        if (s->n_reg == PK_SCENARIO_MAX_REG)
            return pk_err_set(err, PK_EINPUT, where, "more than %d regimens", PK_SCENARIO_MAX_REG);
        pk_regimen *r = &s->reg[s->n_reg];
        r->line = line;
        if (pk_dosing_parse_days(days, &r->first_day, &r->last_day))
            return pk_err_set(err, PK_EINPUT, where, "'%s': expected days as FIRST-LAST", days);
        if (pk_dosing_parse_dose(dose, &r->morning_mg, &r->evening_mg))
            return pk_err_set(err, PK_EINPUT, where, "'%s': expected e.g. '400 mg bid', '400 mg qd', "
                              "'400 + 200 mg' or 'pause'", dose);
        s->n_reg++;
    }
    if (s->n_reg == 0)
        return pk_err_set(err, PK_EINPUT, where, "no regimen");
    pk_err e2 = {0};
    if (pk_dosing_check(m, s->reg, s->n_reg, file, &e2))
        return pk_err_set(err, PK_EINPUT, where, "%s", e2.msg);
    return PK_OK;
}

size_t pk_dosing_before(const pk_regimen *r, size_t n, int day, pk_regimen *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k < cap; i++)
        if (r[i].first_day < day) {
            out[k] = r[i];
            if (out[k].last_day >= day)
                out[k].last_day = day - 1;
            k++;
        }
    return k;
}
