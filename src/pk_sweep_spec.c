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
    o.max_g4_days = 14;
    /* Read-outs are quantiles over draws, with Monte Carlo errors of
     * percents.  On patient 2's sweep (8 scenarios x 1000 draws) rtol 1e-5
     * moves them by at most 1.5e-4 against 3e-7, changes no day-based
     * read-out, probability or ranking, and takes 13 s instead of 24. */
    o.rtol = 1e-5;
    return o;
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
    int last = (int)ceil(o->days - 1e-9) - 1;
    for (size_t i = 0; i < o->n_doses; i++)
        for (int sch = 0; sch < 2; sch++) {
            if (!(sch ? o->bid : o->qd))
                continue;
            pk_scenario *s = &r->scen[r->n_scen];
            pk_regimen *g = &s->reg[0];
            *g = (pk_regimen){0, last, 0, 0, 0};
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
        s->reg[0] = (pk_regimen){0, last, am, pm, 0};
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
    return PK_OK;
}
