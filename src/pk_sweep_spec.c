/* pk_sweep_spec: what a sweep runs: its options and their defaults, and
 * the scenarios built from them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pk_rules.h"
#include "pk_sweep_impl.h"

pk_sweep_opts pk_sweep_default_opts(void)
{
    pk_sweep_opts o;
    memset(&o, 0, sizeof o);
    o.doses[0] = 200;
    o.doses[1] = 400;
    o.doses[2] = 600;
    o.doses[3] = 800;
    o.n_doses = 4;
    o.qd = o.bid = 1;
    o.days = 180;
    o.draws = 1000;
    o.seed = 1;
    o.rank_limit_max = NAN;
    /* Read-outs are quantiles over draws, with Monte Carlo errors of
     * percents.  On patient 2's sweep (8 scenarios x 1000 draws) rtol 1e-5
     * moves them by at most 1.5e-4 against 3e-7, changes no day-based
     * read-out, probability or ranking, and takes 13 s instead of 24. */
    o.rtol = 1e-5;
    return o;
}

/* A forecast's scenario: the patient file's dosing before from_day, then
 * the scenario's regimens moved to start at from_day (its day 0), cut at
 * the horizon. */
static int forecast(const pk_patient *p, const pk_sweep_opts *o, pk_scenario *s, pk_err *err)
{
    int x = (int)o->from_day, last = (int)ceil(o->days - 1e-9) - 1;
    pk_regimen out[PK_SCENARIO_MAX_REG];
    size_t n = pk_dosing_before(p->regimen, p->n_regimen, x, out, PK_SCENARIO_MAX_REG);
    for (size_t k = 0; k < s->n_reg && n < PK_SCENARIO_MAX_REG; k++) {
        pk_regimen g = s->reg[k];
        g.first_day += x;
        g.last_day = g.last_day + x > last ? last : g.last_day + x;
        if (g.first_day <= last)
            out[n++] = g;
    }
    if (n == PK_SCENARIO_MAX_REG)
        return pk_err_set(err, PK_EINPUT, "--from-day", "scenario %s: more than %d regimens with "
                          "the file's history", s->name, PK_SCENARIO_MAX_REG - 1);
    memcpy(s->reg, out, n * sizeof *out);
    s->n_reg = n;
    return PK_OK;
}

int sweep_build_scenarios(const pk_patient *p, const pk_sweep_opts *o, pk_sweep_result *r,
                          pk_err *err)
{
    const pk_model *m = p->model;
    size_t cap = o->n_doses * 2 + p->n_scenario + 1;
    r->rules_scen = -1;
    r->scen = calloc(cap ? cap : 1, sizeof *r->scen);
    if (!r->scen)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    /* scenario days count from the forecast's first day (forecast()) */
    int last = (int)ceil(o->days - o->from_day - 1e-9) - 1;
    for (size_t i = 0; i < o->n_doses; i++)
        for (int sch = 0; sch < 2; sch++) {
            if (!(sch ? o->bid : o->qd))
                continue;
            pk_scenario *s = &r->scen[r->n_scen];
            pk_regimen *g = &s->reg[0];
            *g = (pk_regimen){.first_day = 0, .last_day = last};
            const char *name = sch ? "bid" : "qd";
            if (pk_dosing_split(m, o->doses[i], name, &g->morning_mg, &g->evening_mg, err))
                return err->code;
            char where[64];
            snprintf(where, sizeof where, "--doses %g %s", o->doses[i], name);
            pk_err e2 = {0};
            if (o->doses[i] != 0 && pk_dosing_check(m, g, 1, where, &e2))
                return pk_err_set(err, PK_EINPUT, where, "%s", e2.msg);
            s->n_reg = 1;
            snprintf(s->name, sizeof s->name, "%g mg/day %s", o->doses[i], name);
            r->n_scen++;
        }
    for (size_t k = 0; k < p->n_scenario; k++)
        r->scen[r->n_scen++] = p->scenario[k];
    if (o->rules) {
        /* the rule scenario: the start regimen throughout, changed by rules */
        pk_scenario *s = &r->scen[r->n_scen];
        double am = o->rules->start_mg_per_day, pm = 0;
        if (o->rules->bid)
            pk_dosing_split(m, am, "bid", &am, &pm, err);
        s->reg[0] = (pk_regimen){.last_day = last, .morning_mg = am, .evening_mg = pm};
        s->n_reg = 1;
        const char *base = strrchr(o->rules->path, '/');
        char stem[24];
        snprintf(stem, sizeof stem, "%.23s", base ? base + 1 : o->rules->path);
        stem[strcspn(stem, ".,")] = 0;
        snprintf(s->name, sizeof s->name, "rules %s (start %g mg/day %s)", stem,
                 o->rules->start_mg_per_day, o->rules->bid ? "bid" : "qd");
        r->rules_scen = (int)r->n_scen++;
    }
    if (r->n_scen == 0)
        return pk_err_set(err, PK_EINPUT, "", "no scenario to simulate");
    for (size_t k = 0; o->from_day > 0 && k < r->n_scen; k++)
        if (forecast(p, o, &r->scen[k], err))
            return err->code;
    return PK_OK;
}

static int direction(const pk_readout_def *d, const char *suffix)
{
    if (!suffix)
        return d->better;
    return !strcmp(suffix, "desc") ? 1 : !strcmp(suffix, "asc") ? -1 : 0;
}

int sweep_rank_rule(const pk_model *m, const pk_sweep_opts *o, sweep_rule *rule, pk_err *err)
{
    memset(rule, 0, sizeof *rule);
    rule->key = rule->limit = -1;
    if (o->rank) {
        char name[128];
        snprintf(name, sizeof name, "%s", o->rank);
        char *colon = strchr(name, ':');
        if (colon)
            *colon++ = 0;
        rule->key = pk_model_readout_index(m, name);
        if (rule->key < 0)
            return pk_err_set(err, PK_EINPUT, "--rank", "'%s' is not a read-out of model %s "
                              "(see pksim models --describe %s)", name, m->name, m->name);
        rule->dir = direction(&m->readout[rule->key], colon);
        if (colon && !rule->dir)
            return pk_err_set(err, PK_EINPUT, "--rank", "'%s': the direction is asc or desc",
                              colon);
        if (!rule->dir)
            return pk_err_set(err, PK_EINPUT, "--rank", "%s is neither better high nor low: "
                              "give %s:asc or %s:desc", name, name, name);
        return PK_OK;
    }
    if (!m->rank_by)
        return PK_OK; /* the scenarios' own order */
    rule->key = pk_model_readout_index(m, m->rank_by);
    rule->dir = rule->key >= 0 ? m->readout[rule->key].better : 0;
    rule->limit = m->rank_limit ? pk_model_readout_index(m, m->rank_limit) : -1;
    rule->limit_max = isnan(o->rank_limit_max) ? m->rank_limit_max : o->rank_limit_max;
    for (size_t k = 0; k < 4 && m->rank_ties[k]; k++) {
        int j = pk_model_readout_index(m, m->rank_ties[k]);
        if (j >= 0 && m->readout[j].better) {
            rule->tie[rule->n_tie] = j;
            rule->tie_dir[rule->n_tie++] = m->readout[j].better;
        }
    }
    if (rule->key < 0 || !rule->dir)
        return pk_err_set(err, PK_EINTERNAL, m->name, "its rank_by read-out is not a read-out "
                          "with a direction");
    return PK_OK;
}

void sweep_describe_rule(const pk_model *m, const sweep_rule *u, FILE *f)
{
    if (u->key < 0) {
        fprintf(f, "not ranked (model %s declares no objective): scenarios in their order\n",
                m->name);
        return;
    }
    const pk_readout_def *k = &m->readout[u->key];
    fprintf(f, "ranked by %s%s, %s first (%s)", k->probability ? "" : "the median of ", k->name,
            u->dir > 0 ? "highest" : "lowest", k->meaning);
    if (u->limit >= 0)
        fprintf(f, ",\n  among scenarios with a median %s <= %g (the others follow, ranked alike)",
                m->readout[u->limit].name, u->limit_max);
    for (size_t i = 0; i < u->n_tie; i++)
        fprintf(f, "%s%s %s", i ? ", " : ";\n  ties: ", u->tie_dir[i] > 0 ? "higher" : "lower",
                m->readout[u->tie[i]].name);
    fprintf(f, "\n");
}
