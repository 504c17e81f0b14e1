#include "pk_patient.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pk_ini.h"
#include "pk_text.h"

/* ---- small parsing helpers ---- */

static int bad(pk_err *err, const pk_ini *ini, const pk_ini_entry *e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int bad(pk_err *err, const pk_ini *ini, const pk_ini_entry *e, const char *fmt, ...)
{
    char where[512], msg[512];
    pk_err_where(where, sizeof where, ini->path, e->line, e->key);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return pk_err_set(err, PK_EINPUT, where, "%s", msg);
}

/* ---- [patient] ---- */

static int load_patient_section(const pk_ini *ini, pk_patient *p, pk_err *err)
{
    for (size_t i = 0; i < ini->n_entry; i++) {
        const pk_ini_entry *e = &ini->entry[i];
        if (strcmp(e->section, "patient") != 0)
            continue;
        if (strcmp(e->key, "id") == 0) {
            size_t n = strlen(e->value);
            if (n == 0 || n >= PK_ID_MAX)
                return bad(err, ini, e, "give 1-%d characters", PK_ID_MAX - 1);
            for (size_t k = 0; k < n; k++)
                if (!isalnum((unsigned char)e->value[k]) && e->value[k] != '_' &&
                    e->value[k] != '-')
                    return bad(err, ini, e, "'%s': use letters, digits, '_' and '-' only "
                               "(it names the results folder)", e->value);
            memcpy(p->id, e->value, n + 1);
        } else if (strcmp(e->key, "model") == 0) {
            if (!(p->model = pk_model_find(e->value)))
                return bad(err, ini, e, "unknown model '%s' (see 'pksim models')", e->value);
        } else if (strcmp(e->key, "weight_kg") == 0) {
            double w;
            /* neonates (Phenobarb: 0.55 kg) to the heaviest adults */
            if (pk_text_number(e->value, &w, 0) || w < 0.3 || w > 300)
                return bad(err, ini, e, "'%s' is not a body weight in kg (0.3-300)", e->value);
            p->weight_kg = w;
        } else if (strcmp(e->key, "notes") == 0) {
            snprintf(p->notes, sizeof p->notes, "%s", e->value);
        } else {
            return bad(err, ini, e, "unknown key in [patient] (id, model, weight_kg, notes)");
        }
    }
    int line = pk_ini_section_line(ini, "patient");
    char where[512];
    pk_err_where(where, sizeof where, ini->path, line, NULL);
    if (!line)
        return pk_err_set(err, PK_EINPUT, ini->path, "no [patient] section");
    if (!p->id[0])
        return pk_err_set(err, PK_EINPUT, where, "[patient] has no id");
    if (!p->model)
        return pk_err_set(err, PK_EINPUT, where, "[patient] has no model");
    return PK_OK;
}

/* ---- [dosing]: "FIRST-LAST = 400 mg bid" ---- */

/* Days between two regimens that neither covers get no dose: a pause the
 * file does not write as one.  It may be meant (a pause left implicit,
 * as in tests/data/checkpoint.ini) or a typo (0-20, then 22-50), so it
 * is simulated as written and named on standard error, once per gap;
 * writing the pause ("21-27 = pause") says it is meant and silences it.
 * sep is how the file writes a pause: " = " in [dosing], ": " in a
 * scenario. */
static void warn_gap(const char *file, int line, const char *key, const pk_regimen *before,
                     const pk_regimen *after, const char *sep)
{
    int first = before->last_day + 1, last = after->first_day - 1;
    /* once doses list every dose: the days between them are not a gap */
    if (first > last || before->once || after->once)
        return;
    char days[32], where[400], line_out[1200];
    if (first == last)
        snprintf(days, sizeof days, "%d", first);
    else
        snprintf(days, sizeof days, "%d-%d", first, last);
    pk_err_where(where, sizeof where, file, line, key);
    /* formatted as an error is: one line, control bytes shown as \xNN */
    pk_err w = {.code = PK_EINPUT};
    snprintf(w.where, sizeof w.where, "warning: %s", where);
    snprintf(w.msg, sizeof w.msg, "no dose on day%s %s (a pause; write '%s%spause' if it is meant)",
             first == last ? "" : "s", days, days, sep);
    pk_err_format(&w, line_out, sizeof line_out);
    fprintf(stderr, "%s\n", line_out);
}

/* After a successful load only: a file refused is one line. */
static void warn_gaps(const pk_patient *p)
{
    char key[80];
    for (size_t i = 1; i < p->n_regimen; i++) {
        const pk_regimen *r = &p->regimen[i];
        snprintf(key, sizeof key, "%d-%d", r->first_day, r->last_day);
        warn_gap(p->path, r->line, key, r - 1, r, " = ");
    }
    for (size_t k = 0; k < p->n_scenario; k++) {
        const pk_scenario *sc = &p->scenario[k];
        snprintf(key, sizeof key, "scenario %s", sc->name);
        for (size_t i = 1; i < sc->n_reg; i++)
            warn_gap(p->path, sc->line, key, &sc->reg[i - 1], &sc->reg[i], ": ");
    }
}

static int load_dosing(const pk_ini *ini, pk_patient *p, pk_err *err)
{
    size_t n = 0;
    for (size_t i = 0; i < ini->n_entry; i++)
        n += strcmp(ini->entry[i].section, "dosing") == 0;
    p->regimen = calloc(n ? n : 1, sizeof *p->regimen);
    if (!p->regimen)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    for (size_t i = 0; i < ini->n_entry; i++) {
        const pk_ini_entry *e = &ini->entry[i];
        if (strcmp(e->section, "dosing") != 0)
            continue;
        pk_regimen r = {.line = e->line};
        if (strstr(e->value, "0x") || strstr(e->value, "0X"))
            return bad(err, ini, e, "'%s': write doses in decimal mg (e.g. '400 mg bid')",
                       e->value);
        int once = pk_dosing_parse_once(e->key, e->value, &r);
        if (once == -1)
            return bad(err, ini, e, "expected the time of a once dose as a day (e.g. 2.25) or "
                       "hours (e.g. 54h), 0-100000 days");
        if (once == -2)
            return bad(err, ini, e, "'%s': expected e.g. '15 mg once'", e->value);
        if (once == 0) {
            p->regimen[p->n_regimen++] = r;
            continue;
        }
        if (pk_dosing_parse_days(e->key, &r.first_day, &r.last_day))
            return bad(err, ini, e, "expected days as FIRST-LAST (e.g. 0-27) or one day");
        if (pk_dosing_parse_dose(e->value, &r.morning_mg, &r.evening_mg))
            return bad(err, ini, e, "'%s': expected e.g. '400 mg bid', '400 mg qd', "
                       "'400 + 200 mg' or 'pause'", e->value);
        p->regimen[p->n_regimen++] = r;
    }
    return pk_dosing_check(p->model, p->regimen, p->n_regimen, ini->path, err);
}

/* ---- [observations]: "DAY OBSERVABLE = [<|>] VALUE [n=CELLS] [check]" ---- */

/* The key: its day and the observable, which must be one the model can
 * fit (a wrong name is told the model's list). */
static int obs_key(const pk_ini *ini, const pk_ini_entry *e, const pk_model *m,
                   pk_observation *o, pk_err *err)
{
    char kbuf[256], *kt[4];
    snprintf(kbuf, sizeof kbuf, "%s", e->key);
    if (pk_text_tokenize(kbuf, kt, 4) != 2 || pk_text_number(kt[0], &o->t_day, 0) || o->t_day < 0)
        return bad(err, ini, e, "expected 'DAY OBSERVABLE' (e.g. '7 wbc')");
    if ((o->obs = pk_model_obs_index(m, kt[1])) < 0) {
        char names[256] = "";
        for (size_t k = 0; k < m->n_obs; k++)
            if (m->obs[k].error != PK_ERRMODEL_NONE)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                         names[0] ? ", " : "", m->obs[k].name);
        return bad(err, ini, e, "unknown observable '%s' (model %s has %s)", kt[1], m->name,
                   names);
    }
    if (m->obs[o->obs].error == PK_ERRMODEL_NONE)
        return bad(err, ini, e, "%s is a model output, not an observable", m->obs[o->obs].name);
    return PK_OK;
}

/* The value: a censoring mark ("<" or ">", alone or on the number), the
 * number, then the optional n=CELLS and check. */
static int obs_value(const pk_ini *ini, const pk_ini_entry *e, const pk_obs_def *od,
                     pk_observation *o, pk_err *err)
{
    char vbuf[256], *vt[8];
    snprintf(vbuf, sizeof vbuf, "%s", e->value);
    int nv = pk_text_tokenize(vbuf, vt, 8);
    if (nv < 1)
        return bad(err, ini, e, "no value");
    int k = 0;
    if (strcmp(vt[0], "<") == 0 || strcmp(vt[0], ">") == 0) {
        o->censor = vt[0][0] == '<' ? -1 : 1;
        k = 1;
    } else if ((vt[0][0] == '<' || vt[0][0] == '>') && vt[0][1]) {
        o->censor = vt[0][0] == '<' ? -1 : 1;
        vt[0]++;
    }
    if (k >= nv || pk_text_number(vt[k], &o->value, 0))
        return bad(err, ini, e, "'%s' is not a number", k < nv ? vt[k] : "");
    for (k++; k < nv; k++) {
        if (strncmp(vt[k], "n=", 2) == 0) {
            double cells;
            if (od->error != PK_ERRMODEL_BINOMIAL)
                return bad(err, ini, e, "n= (cells counted) applies to blast counts only");
            if (pk_text_number(vt[k] + 2, &cells, 0) || cells < 1 || cells > 1e6 ||
                cells != floor(cells))
                return bad(err, ini, e, "'%s': cells counted must be a whole number 1-1000000",
                           vt[k] + 2);
            o->n_cells = (int)cells;
        } else if (strcmp(vt[k], "check") == 0) {
            o->check = 1;
        } else {
            return bad(err, ini, e, "'%s' is not understood (expected n=CELLS or check)",
                       vt[k]);
        }
    }
    return PK_OK;
}

/* The value against its error model's support: outside it the
 * likelihood is not defined (a log of 0 or less), not merely a misfit. */
static int obs_in_support(const pk_ini *ini, const pk_ini_entry *e, const pk_obs_def *od,
                          const pk_observation *o, pk_err *err)
{
    switch (od->error) {
    case PK_ERRMODEL_BINOMIAL:
        if (o->value < 0 || o->value > 100) {
            char num[32]; /* exactly: 100.0000001 is not "100% is outside 0-100" */
            return bad(err, ini, e, "%s%% is outside 0-100",
                       pk_text_exact(num, sizeof num, o->value));
        }
        if ((o->censor < 0 && o->value == 0) || (o->censor > 0 && o->value == 100))
            return bad(err, ini, e, "a censored count must leave some room (%s %g%%)",
                       o->censor < 0 ? "<" : ">", o->value);
        break;
    case PK_ERRMODEL_LOGNORMAL:
        if (!(o->value > 0))
            return bad(err, ini, e, "%g %s: a log-normal observation must be positive",
                       o->value, od->unit);
        break;
    default:
        if (o->value < 0)
            return bad(err, ini, e, "%g %s: must not be negative", o->value, od->unit);
        break;
    }
    return PK_OK;
}

static int load_observations(const pk_ini *ini, pk_patient *p, pk_err *err)
{
    const pk_model *m = p->model;
    size_t n = 0;
    for (size_t i = 0; i < ini->n_entry; i++)
        n += strcmp(ini->entry[i].section, "observations") == 0;
    p->obs = calloc(n ? n : 1, sizeof *p->obs);
    if (!p->obs)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    for (size_t i = 0; i < ini->n_entry; i++) {
        const pk_ini_entry *e = &ini->entry[i];
        if (strcmp(e->section, "observations") != 0)
            continue;
        pk_observation o = {.line = e->line};
        int rc = obs_key(ini, e, m, &o, err);
        if (rc == PK_OK)
            rc = obs_value(ini, e, &m->obs[o.obs], &o, err);
        if (rc == PK_OK)
            rc = obs_in_support(ini, e, &m->obs[o.obs], &o, err);
        if (rc != PK_OK)
            return rc;
        if (p->n_obs > 0 && o.t_day < p->obs[p->n_obs - 1].t_day)
            return bad(err, ini, e, "day %g comes after day %g: list observations in order of days",
                       o.t_day, p->obs[p->n_obs - 1].t_day);
        p->obs[p->n_obs++] = o;
    }
    return PK_OK;
}

/* ---- [parameters]: "NAME = VALUE [fixed | cv PCT% | sd X]" ---- */

static int check_range(const pk_ini *ini, const pk_ini_entry *e, const pk_param_def *d,
                       double v, pk_err *err)
{
    /* the value exactly (0.5000001 rounded is "0.5", inside 1e-20-0.5),
     * without a dimensionless unit ("1 1 is outside") */
    char x[32];
    int unit = strcmp(d->unit, "1") != 0;
    if (v < d->lo || v > d->hi)
        return bad(err, ini, e, "%s%s%s is outside %g-%g", pk_text_exact(x, sizeof x, v),
                   unit ? " " : "", unit ? d->unit : "", d->lo, d->hi);
    if ((d->prior == PK_PRIOR_LOGITNORMAL) && !(v > 0 && v < 1))
        return bad(err, ini, e, "%g must lie strictly between 0 and 1", v);
    if ((d->prior == PK_PRIOR_LOGNORMAL || d->prior == PK_PRIOR_LOG10NORMAL) && !(v > 0))
        return bad(err, ini, e, "%g must be positive", v);
    return PK_OK;
}

static int load_parameters(const pk_ini *ini, pk_patient *p, pk_err *err)
{
    const pk_model *m = p->model;
    for (size_t i = 0; i < ini->n_entry; i++) {
        const pk_ini_entry *e = &ini->entry[i];
        if (strcmp(e->section, "parameters") != 0)
            continue;
        int j = pk_model_param_index(m, e->key);
        if (j < 0)
            return bad(err, ini, e, "unknown parameter of model %s (see 'pksim models')", m->name);
        const pk_param_def *d = &m->param[j];
        pk_param_setting *s = &p->param[j];
        char buf[256];
        snprintf(buf, sizeof buf, "%s", e->value);
        char *t[4];
        int n = pk_text_tokenize(buf, t, 4);
        double v;
        if (n < 1 || pk_text_number(t[0], &v, 1))
            return bad(err, ini, e, "'%s' is not a number", n < 1 ? "" : t[0]);
        if (check_range(ini, e, d, v, err))
            return err->code;
        s->value = v;
        s->line = e->line;
        if (n == 1)
            continue;
        if (n == 2 && strcmp(t[1], "fixed") == 0) {
            s->fixed = 1;
        } else if (n == 3 && strcmp(t[1], "cv") == 0) {
            size_t l = strlen(t[2]);
            double cv;
            if (l < 2 || t[2][l - 1] != '%')
                return bad(err, ini, e, "write the CV as a percentage, e.g. 'cv 50%%'");
            t[2][l - 1] = 0;
            if (pk_text_number(t[2], &cv, 0) || !(cv > 0) || cv > 1000)
                return bad(err, ini, e, "CV %s%% must lie in (0, 1000]%%", t[2]);
            s->prior = PK_PRIOR_LOGNORMAL;
            s->spread = cv / 100.0;
            s->fixed = 0;
            if (!(v > 0))
                return bad(err, ini, e, "a CV needs a positive value (log-normal prior)");
        } else if (n == 3 && strcmp(t[1], "sd") == 0) {
            double sd;
            if (pk_text_number(t[2], &sd, 0) || !(sd > 0) || sd > 100)
                return bad(err, ini, e, "SD '%s' must lie in (0, 100]", t[2]);
            if (d->prior != PK_PRIOR_LOGITNORMAL && d->prior != PK_PRIOR_LOG10NORMAL)
                return bad(err, ini, e, "'sd' is for logit- and log10-normal priors; "
                           "%s is log-normal: use 'cv PCT%%'", d->name);
            s->prior = d->prior;
            s->spread = sd;
            s->fixed = 0;
        } else {
            return bad(err, ini, e, "expected 'VALUE', 'VALUE fixed', 'VALUE cv PCT%%' or "
                       "'VALUE sd X'");
        }
    }
    return PK_OK;
}

int pk_patient_set_parameters(const pk_ini *ini, pk_patient *p, pk_err *err)
{
    return load_parameters(ini, p, err);
}

/* ---- [fit] and [solver] ---- */

static int load_fit(const pk_ini *ini, pk_patient *p, pk_err *err)
{
    const pk_model *m = p->model;
    for (size_t i = 0; i < ini->n_entry; i++) {
        const pk_ini_entry *e = &ini->entry[i];
        if (strcmp(e->section, "fit") != 0)
            continue;
        if (strcmp(e->key, "estimate") != 0)
            return bad(err, ini, e, "unknown key in [fit] (estimate)");
        char buf[256];
        snprintf(buf, sizeof buf, "%s", e->value);
        for (char *t = strtok(buf, ", \t"); t; t = strtok(NULL, ", \t")) {
            int j = pk_model_param_index(m, t);
            if (j < 0)
                return bad(err, ini, e, "unknown parameter '%s' of model %s", t, m->name);
            if (p->param[j].fixed || p->param[j].prior == PK_PRIOR_FIXED)
                return bad(err, ini, e, "%s is fixed: give it a prior in [parameters] first", t);
            for (size_t k = 0; k < p->n_estimate; k++)
                if (p->estimate[k] == j)
                    return bad(err, ini, e, "%s is listed twice", t);
            p->estimate[p->n_estimate++] = j;
        }
        if (p->n_estimate == 0)
            return bad(err, ini, e, "list at least one parameter");
    }
    return PK_OK;
}

static int load_solver(const pk_ini *ini, pk_patient *p, pk_err *err)
{
    for (size_t i = 0; i < ini->n_entry; i++) {
        const pk_ini_entry *e = &ini->entry[i];
        if (strcmp(e->section, "solver") != 0)
            continue;
        if (strcmp(e->key, "rtol") == 0) {
            if (pk_text_number(e->value, &p->rtol, 0) || !(p->rtol >= 1e-14 && p->rtol <= 1e-3))
                return bad(err, ini, e, "'%s': give a relative tolerance in 1e-14..1e-3", e->value);
        } else if (strcmp(e->key, "engine") == 0) {
            if (strcmp(e->value, "split") == 0)
                p->coupled = 0;
            else if (strcmp(e->value, "coupled") == 0)
                p->coupled = 1;
            else
                return bad(err, ini, e, "'%s': engine is split or coupled", e->value);
        } else {
            return bad(err, ini, e, "unknown key in [solver] (rtol, engine)");
        }
    }
    return PK_OK;
}

/* ---- [estimate] (written by `pksim fit`) ---- */

static int load_estimate(const pk_ini *ini, pk_patient *p, pk_err *err)
{
    const pk_model *m = p->model;
    for (size_t i = 0; i < ini->n_entry; i++) {
        const pk_ini_entry *e = &ini->entry[i];
        if (strcmp(e->section, "estimate") != 0)
            continue;
        if (strcmp(e->key, "posterior") == 0) {
            snprintf(p->posterior, sizeof p->posterior, "%s", e->value);
            continue;
        }
        if (strcmp(e->key, "source") == 0) {
            snprintf(p->source, sizeof p->source, "%s", e->value);
            continue;
        }
        if (strcmp(e->key, "posterior_sha256") == 0 || strcmp(e->key, "source_sha256") == 0) {
            size_t n = strlen(e->value);
            if (n != 64 || strspn(e->value, "0123456789abcdef") != n)
                return bad(err, ini, e, "'%s' is not a SHA-256 (64 hex digits)", e->value);
            if (e->key[0] == 'p')
                snprintf(p->posterior_sha256, sizeof p->posterior_sha256, "%s", e->value);
            continue;
        }
        if (strcmp(e->key, "posterior_draws") == 0) {
            double v;
            if (pk_text_number(e->value, &v, 1) || !(v >= 1 && v <= 1e7) || v != floor(v))
                return bad(err, ini, e, "'%s' is not a number of draws", e->value);
            p->posterior_draws = (size_t)v;
            continue;
        }
        if (strcmp(e->key, "posterior_params") == 0) {
            snprintf(p->posterior_params, sizeof p->posterior_params, "%s", e->value);
            continue;
        }
        int j = pk_model_param_index(m, e->key);
        if (j < 0)
            return bad(err, ini, e, "unknown parameter of model %s in [estimate]", m->name);
        double v;
        if (pk_text_number(e->value, &v, 1))
            return bad(err, ini, e, "'%s' is not a number", e->value);
        if (check_range(ini, e, &m->param[j], v, err))
            return err->code;
        p->map[j] = v;
        p->has_map[j] = 1;
    }
    return PK_OK;
}

/* ---- [sweep]: "scenario NAME = DAYS: DOSE, DAYS: DOSE, ..." ---- */

static int load_sweep(const pk_ini *ini, pk_patient *p, pk_err *err)
{
    size_t n = 0;
    for (size_t i = 0; i < ini->n_entry; i++)
        n += strcmp(ini->entry[i].section, "sweep") == 0;
    if (!n)
        return PK_OK;
    p->scenario = calloc(n, sizeof *p->scenario);
    if (!p->scenario)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    for (size_t i = 0; i < ini->n_entry; i++) {
        const pk_ini_entry *e = &ini->entry[i];
        if (strcmp(e->section, "sweep") != 0)
            continue;
        if (strncmp(e->key, "scenario ", 9) != 0)
            return bad(err, ini, e, "expected 'scenario NAME = DAYS: DOSE, ...' in [sweep]");
        const char *name = e->key + 9;
        while (*name == ' ')
            name++;
        for (size_t k = 0; k < p->n_scenario; k++)
            if (strcmp(p->scenario[k].name, name) == 0)
                return bad(err, ini, e, "scenario '%s' is defined twice", name);
        if (pk_dosing_parse_scenario(p->model, name, e->value, ini->path, e->line,
                                     &p->scenario[p->n_scenario], err))
            return err->code;
        p->n_scenario++;
    }
    return PK_OK;
}

static const char *const known_sections[] = {"patient", "dosing", "observations", "parameters",
                                              "fit", "solver", "estimate", "sweep"};

static int load_ini(const pk_ini *ini, pk_patient *p, pk_err *err);

int pk_patient_load(const char *path, pk_patient *p, pk_err *err)
{
    memset(p, 0, sizeof *p);
    p->weight_kg = NAN;
    snprintf(p->path, sizeof p->path, "%s", path);
    pk_ini ini = {0};
    int rc = pk_ini_load(path, &ini, err);
    if (rc == PK_OK)
        rc = load_ini(&ini, p, err);
    pk_ini_free(&ini);
    return rc;
}

int pk_patient_load_mem(const char *name, const char *text, size_t len, pk_patient *p,
                        pk_err *err)
{
    memset(p, 0, sizeof *p);
    p->weight_kg = NAN;
    snprintf(p->path, sizeof p->path, "%s", name);
    pk_ini ini = {0};
    int rc = pk_ini_load_mem(name, text, len, &ini, err);
    if (rc == PK_OK)
        rc = load_ini(&ini, p, err);
    pk_ini_free(&ini);
    return rc;
}

/* The validation of a file read into ini (p zeroed, its path set). */
static int load_ini(const pk_ini *ini, pk_patient *p, pk_err *err)
{
    const char *path = ini->path;
    int rc = PK_OK;
    for (size_t i = 0; i < ini->n_section; i++) {
        int ok = 0;
        for (size_t k = 0; k < sizeof known_sections / sizeof *known_sections; k++)
            ok |= strcmp(ini->section[i].name, known_sections[k]) == 0;
        if (!ok) {
            char where[512];
            pk_err_where(where, sizeof where, path, ini->section[i].line, NULL);
            rc = pk_err_set(err, PK_EINPUT, where,
                            "unknown section [%s] (patient, dosing, observations, parameters, "
                            "fit, solver, estimate, sweep)",
                            ini->section[i].name);
            goto done;
        }
    }
    for (size_t i = 0; i < ini->n_entry; i++)
        if (!ini->entry[i].section[0]) {
            rc = bad(err, ini, &ini->entry[i], "key outside any section");
            goto done;
        }
    if ((rc = load_patient_section(ini, p, err)))
        goto done;
    /* Model defaults first, then data-derived medians, then the file. */
    const pk_model *m = p->model;
    double median[PK_MAX_PARAM];
    for (size_t j = 0; j < m->n_param; j++)
        median[j] = m->param[j].median;
    if ((rc = load_dosing(ini, p, err)) || (rc = load_observations(ini, p, err)))
        goto done;
    if (m->data_priors)
        m->data_priors(p->obs, p->n_obs, median);
    for (size_t j = 0; j < m->n_param; j++)
        p->param[j] = (pk_param_setting){median[j], m->param[j].prior, m->param[j].spread,
                                         m->param[j].prior == PK_PRIOR_FIXED, 0};
    if ((rc = load_parameters(ini, p, err)) || (rc = load_fit(ini, p, err)) ||
        (rc = load_solver(ini, p, err)) || (rc = load_estimate(ini, p, err)) ||
        (rc = load_sweep(ini, p, err)))
        goto done;
    for (size_t j = 0; j < m->n_param; j++)
        if (isnan(p->param[j].value)) {
            rc = pk_err_set(err, PK_EINPUT, path,
                            "%s: no value (its median comes from a day-0 observation the file "
                            "lacks): set it in [parameters]",
                            m->param[j].name);
            goto done;
        }
    warn_gaps(p);
done:
    return rc;
}

void pk_patient_free(pk_patient *p)
{
    if (!p)
        return;
    free(p->regimen);
    free(p->obs);
    free(p->scenario);
    p->regimen = NULL;
    p->obs = NULL;
    p->scenario = NULL;
    p->n_scenario = 0;
    p->n_regimen = p->n_obs = 0;
}

void pk_patient_prior_theta(const pk_patient *p, double *theta)
{
    for (size_t j = 0; j < p->model->n_param; j++)
        theta[j] = p->param[j].value;
}

void pk_patient_theta(const pk_patient *p, double *theta)
{
    for (size_t j = 0; j < p->model->n_param; j++)
        theta[j] = p->has_map[j] ? p->map[j] : p->param[j].value;
}

double pk_patient_last_day(const pk_patient *p)
{
    double last = 0;
    for (size_t i = 0; i < p->n_regimen; i++)
        if (p->regimen[i].once)
            last = fmax(last, p->regimen[i].at_day);
        else if (p->regimen[i].morning_mg + p->regimen[i].evening_mg > 0)
            last = fmax(last, p->regimen[i].last_day + (p->regimen[i].evening_mg > 0 ? 0.5 : 0));
    for (size_t i = 0; i < p->n_obs; i++)
        last = fmax(last, p->obs[i].t_day);
    return last;
}
