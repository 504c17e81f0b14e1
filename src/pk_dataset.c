#include "pk_dataset.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pk_text.h"

static const char *const col_names[PK_DS_N_COL] = {
    "ID", "TIME", "AMT", "DV", "EVID", "MDV", "CMT", "DVID", "OBS", "CENS",
    "LIMIT", "II", "ADDL", "SS", "WT", "RATE", "DATE", "DAT1", "DAT2", "DAT3"};

/* The row being read: its fields and where messages point. */
typedef struct row_ctx {
    pk_dataset *d;
    const pk_model *m;
    size_t r;       /* row index in the table */
    int line;       /* its line in the file */
    pk_err *err;
} row_ctx;

const char *pk_dataset_colname(const pk_dataset *d, pk_ds_col c)
{
    return d->col[c] >= 0 ? d->t->name[d->col[c]] : col_names[c];
}

static int bad_at(pk_err *err, const pk_dataset *d, int line, const char *column,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int bad_at(pk_err *err, const pk_dataset *d, int line, const char *column,
                  const char *fmt, ...)
{
    char where[600], msg[512];
    pk_err_where(where, sizeof where, d->t->path, line, column);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return pk_err_set(err, PK_EINPUT, where, "%s", msg);
}

#define BAD(x, c, ...) bad_at((x)->err, (x)->d, (x)->line, pk_dataset_colname((x)->d, c), __VA_ARGS__)

/* The field of column c in this row, NULL when the column is absent or
 * the value missing ("." as NONMEM writes it, empty, or R's "NA"). */
static const char *field(const row_ctx *x, pk_ds_col c)
{
    if (x->d->col[c] < 0)
        return NULL;
    const char *s = pk_table_at(x->d->t, x->r, (size_t)x->d->col[c]);
    return (!*s || !strcmp(s, ".") || !strcmp(s, "NA")) ? NULL : s;
}

/* A number in column c: 0 with *v set, 1 when missing (*v = dflt), or
 * the error code. */
static int number(const row_ctx *x, pk_ds_col c, double dflt, double *v)
{
    const char *s = field(x, c);
    *v = dflt;
    if (!s)
        return 1;
    if (pk_text_number(s, v, 0))
        return BAD(x, c, "'%s' is not a number", s);
    return 0;
}

/* A whole number in [lo, hi] (missing: dflt). */
static int whole(const row_ctx *x, pk_ds_col c, long lo, long hi, long dflt, long *v)
{
    double f;
    int rc = number(x, c, (double)dflt, &f);
    if (rc > 1)
        return rc;
    if (f != floor(f) || f < (double)lo || f > (double)hi)
        return BAD(x, c, "'%s' is not a whole number in %ld-%ld", field(x, c), lo, hi);
    *v = (long)f;
    return 0;
}

static void observable_names(const pk_model *m, char *buf, size_t size)
{
    buf[0] = 0;
    for (size_t k = 0; k < m->n_obs; k++)
        if (m->obs[k].error != PK_ERRMODEL_NONE)
            snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? ", " : "",
                     m->obs[k].name);
}

/* An observable by name, case-insensitive: its index, -1 unknown, -2 an
 * output only. */
static int obs_by_name(const pk_model *m, const char *name)
{
    for (size_t k = 0; k < m->n_obs; k++)
        if (strcasecmp(m->obs[k].name, name) == 0)
            return m->obs[k].error == PK_ERRMODEL_NONE ? -2 : (int)k;
    return -1;
}

static int the_only_observable(const pk_model *m)
{
    int found = -1;
    for (size_t k = 0; k < m->n_obs; k++)
        if (m->obs[k].error != PK_ERRMODEL_NONE) {
            if (found >= 0)
                return -1;
            found = (int)k;
        }
    return found;
}

static int obs_named(const row_ctx *x, pk_ds_col c, const char *name, int *obs)
{
    char names[256];
    observable_names(x->m, names, sizeof names);
    int k = obs_by_name(x->m, name);
    if (k == -2)
        return BAD(x, c, "%s is an output of model %s, not an observable (%s)", name, x->m->name,
                   names);
    if (k < 0)
        return BAD(x, c, "'%s' is not an observable of model %s (%s)", name, x->m->name, names);
    *obs = k;
    return 0;
}

/* A CMT or DVID number: --obs first, then the default (dflt = the number
 * that means the concentration in this column). */
static int obs_numbered(const row_ctx *x, pk_ds_col c, long n, long dflt, int *obs)
{
    for (size_t i = 0; i < x->d->n_map; i++)
        if (x->d->map_number[i] == n) {
            *obs = x->d->map_obs[i];
            return 0;
        }
    if (n == dflt && x->m->conc_obs >= 0) {
        *obs = x->m->conc_obs;
        return 0;
    }
    char names[256], known[80] = "";
    observable_names(x->m, names, sizeof names);
    if (x->m->conc_obs >= 0)
        snprintf(known, sizeof known, "%s %ld is %s; ", col_names[c], dflt,
                 x->m->obs[x->m->conc_obs].name);
    return BAD(x, c, "%s %ld names no observable (%smap others with --obs %ld=NAME: model %s "
               "has %s)", col_names[c], n, known, n, x->m->name, names);
}

/* Which observable a row measures: OBS (a name), else DVID (a name or a
 * number), else CMT (a number), else the model's only one. */
static int row_observable(const row_ctx *x, int *obs)
{
    const char *s;
    long n;
    if ((s = field(x, PK_DS_OBS)))
        return obs_named(x, PK_DS_OBS, s, obs);
    if ((s = field(x, PK_DS_DVID))) {
        double v;
        if (pk_text_number(s, &v, 0))
            return obs_named(x, PK_DS_DVID, s, obs);
        int rc = whole(x, PK_DS_DVID, 0, 1000000, 0, &n);
        return rc ? rc : obs_numbered(x, PK_DS_DVID, n, 1, obs);
    }
    if (field(x, PK_DS_CMT)) {
        int rc = whole(x, PK_DS_CMT, 0, 1000000, 0, &n);
        if (rc)
            return rc;
        if (n != 0) /* CMT 0: NONMEM's default observation compartment */
            return obs_numbered(x, PK_DS_CMT, n, 2, obs);
    }
    if ((*obs = the_only_observable(x->m)) >= 0)
        return 0;
    char names[256];
    observable_names(x->m, names, sizeof names);
    return BAD(x, PK_DS_DV, "the row names no observable: give an OBS or DVID column, or CMT "
               "(model %s has %s)", x->m->name, names);
}

/* A file stem from an ID: a whole number as one ("01" and "1.0" are ID
 * 1, as NONMEM reads them), else letters, digits, '_' and '-'. */
static int id_stem(const char *text, char *id)
{
    double v;
    if (pk_text_number(text, &v, 0) == 0 && v == floor(v) && fabs(v) < 1e15) {
        snprintf(id, PK_ID_MAX, "%.0f", v + 0.0); /* + 0.0: -0 is 0 */
        return 0;
    }
    size_t n = strlen(text);
    if (n >= PK_ID_MAX)
        return -1;
    for (size_t k = 0; k <= n; k++)
        id[k] = (isalnum((unsigned char)text[k]) || text[k] == '-' || !text[k]) ? text[k] : '_';
    return 0;
}

/* p with room for one more of n items (size bytes each): p itself, or
 * p moved to a larger block; NULL when out of memory (p kept). */
static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return p;
    size_t c = *cap ? 2 * *cap : 16;
    void *q = realloc(p, c * size);
    if (q)
        *cap = c;
    return q;
}

static int is_number(const char *s)
{
    double v;
    return pk_text_number(s, &v, 0) == 0;
}

/* A subject starts: its ID must be new, and so must its file name. */
static int new_subject(row_ctx *x, const char *text, const char *stem)
{
    pk_dataset *d = x->d;
    for (size_t i = 0; i < d->n; i++) {
        if (strcmp(d->s[i].id, stem) != 0)
            continue;
        /* equal stems of numbers are equal numbers: the same ID */
        if (strcmp(d->s[i].id_text, text) == 0 || is_number(text))
            return BAD(x, PK_DS_ID, "ID %s appears again after ID %s (its rows end on row %d): "
                       "keep each subject's rows together", text, d->s[d->n - 1].id_text,
                       d->s[i].last_row);
        return BAD(x, PK_DS_ID, "ID '%s' would be file %s.ini, as ID '%s' (row %d) is", text,
                   stem, d->s[i].id_text, d->s[i].first_row);
    }
    pk_ds_subject *p = grow(d->s, &d->cap, d->n, sizeof *p);
    if (!p)
        return pk_err_set(x->err, PK_ENOMEM, "", "out of memory");
    d->s = p;
    pk_ds_subject *s = &d->s[d->n];
    memset(s, 0, sizeof *s);
    snprintf(s->id, sizeof s->id, "%s", stem);
    s->weight_kg = NAN;
    s->first_row = s->last_row = x->line;
    if (!(s->id_text = strdup(text)))
        return pk_err_set(x->err, PK_ENOMEM, "", "out of memory");
    d->n++;
    return 0;
}

/* A dose record (EVID 1), with its II/ADDL repeats. */
static int dose_row(row_ctx *x, pk_ds_subject *s, double t_h)
{
    double amt, v;
    long addl, cmt;
    int rc;
    if ((rc = number(x, PK_DS_AMT, 0, &amt)) > 1)
        return rc;
    if (x->d->col[PK_DS_AMT] < 0)
        return BAD(x, PK_DS_AMT, "a dose record (EVID 1) in a data set without an AMT column");
    if (!(amt > 0)) {
        char a[32];
        return BAD(x, PK_DS_AMT, rc == 1 ? "missing on a dose record (EVID 1)"
                   : "%s mg: a dose must be a positive amount", pk_text_exact(a, sizeof a, amt));
    }
    if ((rc = number(x, PK_DS_RATE, 0, &v)) > 1)
        return rc;
    if (v != 0)
        return BAD(x, PK_DS_RATE, "RATE %s: infusions are not supported (pksim's models take "
                   "oral doses into the gut depot)", field(x, PK_DS_RATE));
    if ((rc = number(x, PK_DS_SS, 0, &v)) > 1)
        return rc;
    if (v != 0)
        return BAD(x, PK_DS_SS, "SS %s: steady-state doses are not supported: write the doses "
                   "before it out (II and ADDL)", field(x, PK_DS_SS));
    if ((rc = whole(x, PK_DS_CMT, 0, 1000000, 0, &cmt)))
        return rc;
    if (cmt > 1)
        return BAD(x, PK_DS_CMT, "a dose into compartment %ld: pksim's models take oral doses "
                   "into the gut depot (CMT 1, 0 or .)", cmt);
    if ((rc = whole(x, PK_DS_ADDL, 0, PK_DATASET_MAX_ADDL, 0, &addl)))
        return rc;
    double ii = 0;
    if ((rc = number(x, PK_DS_II, 0, &ii)) > 1)
        return rc;
    if (addl > 0 && !(ii > 0))
        return BAD(x, PK_DS_II, "ADDL %ld needs a dosing interval II > 0 (hours)", addl);
    if (t_h + (double)addl * ii > PK_DATASET_MAX_TIME_H)
        return BAD(x, PK_DS_ADDL, "the last additional dose is beyond day 100000");
    if ((x->d->n_events += (size_t)addl + 1) > PK_DATASET_MAX_EVENTS)
        return BAD(x, PK_DS_ADDL, "more than %d doses and observations in the data set",
                   PK_DATASET_MAX_EVENTS);
    for (long k = 0; k <= addl; k++) {
        pk_ds_dose *p = grow(s->dose, &s->cap_dose, s->n_dose, sizeof *p);
        if (!p)
            return pk_err_set(x->err, PK_ENOMEM, "", "out of memory");
        s->dose = p;
        s->dose[s->n_dose++] = (pk_ds_dose){t_h + (double)k * ii, amt, x->line, k, addl};
    }
    return 0;
}

/* The limit of a censored observation (CENS 1: below it, -1: above).
 * DV holds it (NONMEM's M3/M4 convention); a LIMIT column may give it
 * instead (DV then a reported value beyond it), or be the far end of the
 * interval (Monolix: 0 or less below, missing above), which a patient
 * file's one-sided "< X" or "> X" already is. */
static int censored_value(row_ctx *x, long cens, double dv, pk_ds_obs *o)
{
    double lim;
    int rc = number(x, PK_DS_LIMIT, NAN, &lim);
    if (rc > 1)
        return rc;
    o->censor = cens == 1 ? -1 : 1;
    o->value = dv;
    o->from = PK_DS_DV;
    if (rc == 1 || (cens == 1 && lim <= 0) || lim == dv)
        return 0;
    if ((cens == 1 && lim > dv) || (cens == -1 && lim < dv)) {
        o->value = lim;
        o->from = PK_DS_LIMIT;
        return 0;
    }
    char a[32], b[32];
    return BAD(x, PK_DS_LIMIT, "CENS %ld with DV %s and LIMIT %s is the interval between them; "
               "pksim takes one-sided censoring only (%s the limit)", cens,
               pk_text_exact(a, sizeof a, dv), pk_text_exact(b, sizeof b, lim),
               cens == 1 ? "below" : "above");
}

/* An observation record (EVID 0); missing DV with MDV 1 (or without an
 * MDV column) is no observation. */
static int obs_row(row_ctx *x, pk_ds_subject *s, double t_h, long mdv)
{
    double dv;
    long cens;
    int rc;
    if (mdv == 1)
        return 0;
    if ((rc = number(x, PK_DS_DV, NAN, &dv)) > 1)
        return rc;
    if (rc == 1) {
        if (x->d->col[PK_DS_MDV] < 0)
            return 0;
        return BAD(x, PK_DS_DV, "missing on an observation record (MDV 0): give the value, or "
                   "MDV 1 to skip the row");
    }
    pk_ds_obs o = {.t_h = t_h, .row = x->line, .value = dv, .from = PK_DS_DV};
    if ((rc = row_observable(x, &o.obs)))
        return rc;
    double c;
    if ((rc = number(x, PK_DS_CENS, 0, &c)) > 1)
        return rc;
    if (c != 0 && c != 1 && c != -1)
        return BAD(x, PK_DS_CENS, "%s: expected 0, 1 (below the limit) or -1 (above it)",
                   field(x, PK_DS_CENS));
    cens = (long)c;
    if (cens != 0 && (rc = censored_value(x, cens, dv, &o)))
        return rc;
    for (size_t i = s->n_obs; i-- > 0 && s->obs[i].t_h == t_h;)
        if (s->obs[i].obs == o.obs) {
            char h[32];
            return BAD(x, PK_DS_TIME, "a second %s observation at %s h (row %d has one): give "
                       "one value per time and observable", x->m->obs[o.obs].name,
                       pk_text_exact(h, sizeof h, t_h), s->obs[i].row);
        }
    if (++x->d->n_events > PK_DATASET_MAX_EVENTS)
        return BAD(x, PK_DS_DV, "more than %d doses and observations in the data set",
                   PK_DATASET_MAX_EVENTS);
    pk_ds_obs *p = grow(s->obs, &s->cap_obs, s->n_obs, sizeof *p);
    if (!p)
        return pk_err_set(x->err, PK_ENOMEM, "", "out of memory");
    s->obs = p;
    s->obs[s->n_obs++] = o;
    return 0;
}

/* The row's subject (a new one when the ID changes), its TIME in order,
 * its WT the subject's one weight. */
static int row_subject(row_ctx *x, double *t_h)
{
    pk_dataset *d = x->d;
    const char *text = field(x, PK_DS_ID);
    char stem[PK_ID_MAX];
    int rc;
    if (!text)
        return BAD(x, PK_DS_ID, "missing");
    if (id_stem(text, stem))
        return BAD(x, PK_DS_ID, "'%.40s...' is longer than %d characters", text, PK_ID_MAX - 1);
    if ((d->n == 0 || strcmp(d->s[d->n - 1].id_text, text) != 0) &&
        (rc = new_subject(x, text, stem)))
        return rc;
    pk_ds_subject *s = &d->s[d->n - 1];
    if ((rc = number(x, PK_DS_TIME, 0, t_h)) > 1)
        return rc;
    char a[32], b[32];
    if (rc == 1)
        return BAD(x, PK_DS_TIME, "missing");
    if (*t_h < 0)
        return BAD(x, PK_DS_TIME, "%s h: time runs from 0 (shift the subject's times so that "
                   "none is negative)", pk_text_exact(a, sizeof a, *t_h));
    if (*t_h > PK_DATASET_MAX_TIME_H)
        return BAD(x, PK_DS_TIME, "%s h is beyond day 100000", pk_text_exact(a, sizeof a, *t_h));
    if (s->last_row != x->line && *t_h < s->last_t_h)
        return BAD(x, PK_DS_TIME, "%s h comes before %s h on row %d: sort each subject's rows "
                   "by TIME", pk_text_exact(a, sizeof a, *t_h),
                   pk_text_exact(b, sizeof b, s->last_t_h), s->last_row);
    s->last_row = x->line;
    s->last_t_h = *t_h;
    for (pk_ds_col c = PK_DS_DATE; c <= PK_DS_DAT3; c++)
        if (field(x, c))
            return BAD(x, c, "calendar dates are not read: give TIME as hours from the "
                       "subject's time 0, without a %s column", col_names[c]);
    double wt;
    if ((rc = number(x, PK_DS_WT, NAN, &wt)) > 1)
        return rc;
    if (rc == 0) {
        if (isnan(s->weight_kg)) {
            s->weight_kg = wt;
            s->wt_row = x->line;
        } else if (wt != s->weight_kg) {
            return BAD(x, PK_DS_WT, "%s kg differs from %s kg on row %d: pksim takes one weight "
                       "per subject", pk_text_exact(a, sizeof a, wt),
                       pk_text_exact(b, sizeof b, s->weight_kg), s->wt_row);
        }
    }
    return 0;
}

static int read_row(row_ctx *x)
{
    double t_h, amt;
    long evid, mdv;
    int rc;
    if ((rc = row_subject(x, &t_h)))
        return rc;
    pk_ds_subject *s = &x->d->s[x->d->n - 1];
    if ((rc = whole(x, PK_DS_MDV, 0, 1, 0, &mdv)))
        return rc;
    if (x->d->col[PK_DS_EVID] >= 0) {
        if ((rc = whole(x, PK_DS_EVID, 0, 4, 0, &evid)))
            return rc;
    } else { /* no EVID: a positive AMT is a dose, MDV 1 other, else an observation */
        if ((rc = number(x, PK_DS_AMT, 0, &amt)) > 1)
            return rc;
        evid = amt > 0 ? 1 : mdv == 1 ? 2 : 0;
    }
    if (evid == 3 || evid == 4)
        return BAD(x, PK_DS_EVID, "EVID %ld resets the subject (%s): not supported; start a new "
                   "ID for the new occasion", evid, evid == 3 ? "reset" : "reset and dose");
    if (evid == 2)
        return 0;
    return evid == 1 ? dose_row(x, s, t_h) : obs_row(x, s, t_h, mdv);
}

static int by_time(const void *a, const void *b)
{
    const pk_ds_dose *x = a, *y = b;
    if (x->t_h != y->t_h)
        return x->t_h < y->t_h ? -1 : 1;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    return (x->addl_k > y->addl_k) - (x->addl_k < y->addl_k);
}

/* Doses in order of time (ADDL repeats fall between later records); two
 * at one time are refused. */
static int sort_doses(pk_dataset *d, pk_ds_subject *s, pk_err *err)
{
    if (s->n_dose > 1) /* none: no array at all */
        qsort(s->dose, s->n_dose, sizeof *s->dose, by_time);
    for (size_t i = 1; i < s->n_dose; i++) {
        const pk_ds_dose *a = &s->dose[i - 1], *b = &s->dose[i];
        if (a->t_h != b->t_h)
            continue;
        const pk_ds_dose *late = b->row >= a->row ? b : a, *early = late == b ? a : b;
        char h[32], from[64] = "";
        if (early->addl_k > 0)
            snprintf(from, sizeof from, ", additional dose %ld of %ld", early->addl_k,
                     early->addl_n);
        return bad_at(err, d, late->row, pk_dataset_colname(d, late->addl_k ? PK_DS_ADDL : PK_DS_TIME),
                      "a second dose at %s h for ID %s (row %d%s): give one dose record per time",
                      pk_text_exact(h, sizeof h, b->t_h), s->id_text, early->row, from);
    }
    return 0;
}

static int read_map(pk_dataset *d, const pk_model *m, const char *const *spec, size_t n,
                    pk_err *err)
{
    if (n > PK_DATASET_MAX_MAP)
        return pk_err_set(err, PK_EINPUT, "--obs", "more than %d mappings", PK_DATASET_MAX_MAP);
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(spec[i], '=');
        char num[32];
        double v;
        int k = -1;
        if (eq && (size_t)(eq - spec[i]) < sizeof num) {
            memcpy(num, spec[i], (size_t)(eq - spec[i]));
            num[eq - spec[i]] = 0;
            k = obs_by_name(m, eq + 1);
        }
        if (!eq || pk_text_number(num, &v, 0) || v != floor(v) || v < 0 || v > 1e6)
            return pk_err_set(err, PK_EINPUT, "--obs", "'%.100s': expected N=NAME, N the CMT or "
                              "DVID number (e.g. --obs 3=wbc)", spec[i]);
        if (k < 0) {
            char names[256];
            observable_names(m, names, sizeof names);
            return pk_err_set(err, PK_EINPUT, "--obs", "'%.100s': model %s has no observable "
                              "'%.60s' (%s)", spec[i], m->name, eq + 1, names);
        }
        for (size_t j = 0; j < d->n_map; j++)
            if (d->map_number[j] == (long)v)
                return pk_err_set(err, PK_EINPUT, "--obs", "%ld is mapped twice", (long)v);
        d->map_number[d->n_map] = (long)v;
        d->map_obs[d->n_map++] = k;
    }
    return 0;
}

/* The header: each column pksim reads found once (names are
 * case-insensitive, and no name may repeat), ID, TIME and DV present. */
static int read_header(pk_dataset *d, pk_err *err)
{
    const pk_table *t = d->t;
    for (int c = 0; c < PK_DS_N_COL; c++)
        d->col[c] = -1;
    for (size_t i = 0; i < t->n_col; i++) {
        if (!t->name[i][0])
            continue;
        for (size_t j = 0; j < i; j++)
            if (strcasecmp(t->name[j], t->name[i]) == 0)
                return bad_at(err, d, t->header_line, t->name[i], "column %zu repeats the name of "
                              "column %zu (names are case-insensitive)", i + 1, j + 1);
        for (int c = 0; c < PK_DS_N_COL; c++)
            if (strcasecmp(t->name[i], col_names[c]) == 0)
                d->col[c] = (int)i;
    }
    static const pk_ds_col required[] = {PK_DS_ID, PK_DS_TIME, PK_DS_DV};
    for (size_t k = 0; k < 3; k++)
        if (d->col[required[k]] < 0) {
            char cols[300] = "";
            for (size_t i = 0; i < t->n_col && strlen(cols) < 200; i++)
                snprintf(cols + strlen(cols), sizeof cols - strlen(cols), "%s%s", i ? ", " : "",
                         t->name[i]);
            int one = t->n_col == 1 && strpbrk(t->name[0], " \t;");
            return bad_at(err, d, t->header_line, col_names[required[k]], "the header has no %s "
                          "column (it has: %s)%s", col_names[required[k]], cols,
                          one ? "; pksim reads comma-separated files" : "");
        }
    if (t->n_row == 0)
        return bad_at(err, d, t->header_line, NULL, "no data rows after the header");
    return 0;
}

int pk_dataset_read(const pk_table *t, const pk_model *m, const char *const *obs_spec,
                    size_t n_spec, pk_dataset *d, pk_err *err)
{
    memset(d, 0, sizeof *d);
    d->t = t;
    int rc;
    if ((rc = read_map(d, m, obs_spec, n_spec, err)) || (rc = read_header(d, err)))
        return rc;
    for (size_t r = 0; r < t->n_row; r++) {
        row_ctx x = {d, m, r, t->line[r], err};
        if ((rc = read_row(&x)))
            return rc;
    }
    for (size_t i = 0; i < d->n; i++)
        if ((rc = sort_doses(d, &d->s[i], err)))
            return rc;
    return PK_OK;
}

void pk_dataset_free(pk_dataset *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->s[i].id_text);
        free(d->s[i].dose);
        free(d->s[i].obs);
    }
    free(d->s);
    memset(d, 0, sizeof *d);
}
