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

/* The key a message names: "FIRST-LAST", or a once dose's day exactly. */
static void regimen_key(const pk_regimen *r, char *key, size_t size)
{
    if (r->once)
        pk_text_exact(key, size, r->at_day);
    else
        snprintf(key, size, "%d-%d", r->first_day, r->last_day);
}

static int check_one(const pk_model *m, const pk_regimen *r, const char *file, pk_err *err)
{
    char where[512], key[64];
    regimen_key(r, key, sizeof key);
    pk_err_where(where, sizeof where, file, r->line, r->line > 0 ? key : NULL);
    if (r->first_day < 0 || r->last_day < r->first_day)
        return pk_err_set(err, PK_EINPUT, where, "days must run forward from day 0");
    double am = r->morning_mg, pm = r->evening_mg;
    if (!isfinite(am) || !isfinite(pm) || am < 0 || pm < 0)
        return pk_err_set(err, PK_EINPUT, where, "doses must be finite and non-negative (mg)");
    char a[32], b[32];
    if (r->once) {
        if (!(r->at_day >= 0 && r->at_day <= 100000) || r->first_day != (int)floor(r->at_day) ||
            r->last_day != r->first_day || pm != 0)
            return pk_err_set(err, PK_EINPUT, where, "a once dose is one amount at one time "
                              "(day 0-100000)");
        if (!(am > 0))
            return pk_err_set(err, PK_EINPUT, where, "a once dose must be a positive amount (mg)");
        if (!is_multiple(am, m->unit_dose_mg))
            return pk_err_set(err, PK_EINPUT, where,
                              "each dose must be a multiple of the %g mg tablet (got %s mg)",
                              m->unit_dose_mg, pk_text_exact(a, sizeof a, am));
        return PK_OK; /* the day's total: pk_dosing_check, over all its once doses */
    }
    if (am == 0 && pm == 0)
        return PK_OK; /* a pause */
    double daily = am + pm;
    /* values in messages exactly as they are: %g would round
     * 800.0000002 to "800" and call it outside 200-800 */
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

/* A regimen's first and last dose times (days); 0 for a pause. */
static int dose_span(const pk_regimen *r, double *first_day, double *last_day)
{
    if (r->once) {
        *first_day = *last_day = r->at_day;
        return 1;
    }
    if (r->morning_mg <= 0 && r->evening_mg <= 0)
        return 0;
    *first_day = r->first_day + (r->morning_mg > 0 ? 0.0 : 0.5);
    *last_day = r->last_day + (r->evening_mg > 0 ? 0.5 : 0.0);
    return 1;
}

/* Regimen b after a: in order, not overlapping, and a once dose no closer
 * to its neighbour than the model's shortest interval (a FIRST-LAST
 * regimen's own interval is check_one's). */
static int check_pair(const pk_model *m, const pk_regimen *a, const pk_regimen *b,
                      const char *file, pk_err *err)
{
    char where[512], key[64], x[32];
    regimen_key(b, key, sizeof key);
    pk_err_where(where, sizeof where, file, b->line, key);
    if (a->once && b->once) {
        if (b->at_day <= a->at_day)
            return pk_err_set(err, PK_EINPUT, where, "comes at or before the once dose at day %s "
                              "(list doses in order of time)", pk_text_exact(x, sizeof x, a->at_day));
    } else if (b->first_day <= a->last_day) {
        return pk_err_set(err, PK_EINPUT, where,
                          "overlaps or precedes the regimen ending on day %d (list them in "
                          "order of days)", a->last_day);
    }
    double a0, a1, b0, b1;
    if ((a->once || b->once) && dose_span(a, &a0, &a1) && dose_span(b, &b0, &b1) &&
        (b0 - a1) * 24.0 < m->min_interval_h * (1 - 1e-12))
        return pk_err_set(err, PK_EINPUT, where, "%.6g h after the dose at day %s: dosing "
                          "intervals under %g h are refused", (b0 - a1) * 24.0,
                          pk_text_exact(x, sizeof x, a1), m->min_interval_h);
    return PK_OK;
}

int pk_dosing_check(const pk_model *m, const pk_regimen *r, size_t n, const char *file,
                    pk_err *err)
{
    double day_mg = 0; /* the once doses of the current day so far */
    for (size_t i = 0; i < n; i++) {
        if (check_one(m, &r[i], file, err) || (i > 0 && check_pair(m, &r[i - 1], &r[i], file, err)))
            return err->code;
        if (!r[i].once)
            continue;
        int same_day = i > 0 && r[i - 1].once && r[i - 1].first_day == r[i].first_day;
        day_mg = (same_day ? day_mg : 0) + r[i].morning_mg;
        int last_of_day = i + 1 == n || !r[i + 1].once || r[i + 1].first_day != r[i].first_day;
        if (day_mg > m->daily_max_mg + 1e-9 || (last_of_day && day_mg < m->daily_min_mg - 1e-9)) {
            char where[512], key[64], a[32];
            regimen_key(&r[i], key, sizeof key);
            pk_err_where(where, sizeof where, file, r[i].line, key);
            return pk_err_set(err, PK_EINPUT, where, "%s mg/day on day %d is outside %g-%g",
                              pk_text_exact(a, sizeof a, day_mg), r[i].first_day,
                              m->daily_min_mg, m->daily_max_mg);
        }
    }
    return PK_OK;
}

int pk_dosing_expand(const pk_regimen *r, size_t n, pk_dose **doses, size_t *n_doses,
                     pk_err *err)
{
    size_t cap = 0;
    for (size_t i = 0; i < n; i++)
        cap += r[i].once ? 1 : 2 * (size_t)(r[i].last_day - r[i].first_day + 1);
    pk_dose *d = malloc((cap ? cap : 1) * sizeof *d);
    if (!d)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory expanding %zu regimens", n);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (r[i].once) {
            d[k++] = (pk_dose){r[i].at_day, r[i].morning_mg};
            continue;
        }
        for (int day = r[i].first_day; day <= r[i].last_day; day++) {
            if (r[i].morning_mg > 0)
                d[k++] = (pk_dose){day, r[i].morning_mg};
            if (r[i].evening_mg > 0)
                d[k++] = (pk_dose){day + 0.5, r[i].evening_mg};
        }
    }
    *doses = d;
    *n_doses = k;
    return PK_OK;
}

double pk_dosing_daily_mg(const pk_regimen *r, size_t n, double t_day)
{
    /* regimens never overlap: only once doses can share a day, and add up */
    double day = floor(t_day), sum = 0.0;
    for (size_t i = 0; i < n; i++)
        if (day >= r[i].first_day && day <= r[i].last_day)
            sum += r[i].morning_mg + r[i].evening_mg;
    return sum;
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

int pk_dosing_parse_once(const char *key, const char *value, pk_regimen *r)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", value);
    char *tok[4];
    int n = pk_text_tokenize(buf, tok, 4);
    if (n < 2 || strcmp(tok[n - 1], "once") != 0)
        return 1;
    char kbuf[64];
    size_t kl = strlen(key);
    int hours = kl > 1 && key[kl - 1] == 'h';
    double t, x;
    if (kl >= sizeof kbuf)
        return -1;
    memcpy(kbuf, key, kl + 1);
    if (hours)
        kbuf[kl - 1] = 0;
    if (pk_text_number(kbuf, &t, 0) || !(t >= 0))
        return -1;
    if (hours)
        t /= 24.0;
    if (t > 100000)
        return -1;
    if (!(n == 2 || (n == 3 && strcmp(tok[1], "mg") == 0)) || pk_text_number(tok[0], &x, 0))
        return -2;
    r->first_day = r->last_day = (int)floor(t);
    r->morning_mg = x;
    r->evening_mg = 0;
    r->once = 1;
    r->at_day = t;
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
