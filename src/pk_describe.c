#include "pk_describe.h"

#include <math.h>

static const char *prior_kind(pk_prior_kind k)
{
    switch (k) {
    case PK_PRIOR_LOGNORMAL:
        return "log-normal, CV";
    case PK_PRIOR_LOGITNORMAL:
        return "logit-normal, SD";
    case PK_PRIOR_LOG10NORMAL:
        return "log10-normal, SD";
    default:
        return "fixed";
    }
}

static const char *error_model(const pk_obs_def *o, char *buf, size_t n)
{
    switch (o->error) {
    case PK_ERRMODEL_LOGNORMAL:
        snprintf(buf, n, "log-normal, SD of ln %g", o->a);
        break;
    case PK_ERRMODEL_BINOMIAL:
        snprintf(buf, n, "binomial count of %d cells unless the file says", o->default_n);
        break;
    case PK_ERRMODEL_PROP_ADD:
        snprintf(buf, n, "normal, SD sqrt(%g^2 + (%g pred)^2)", o->a, o->b);
        break;
    case PK_ERRMODEL_ADDITIVE:
        snprintf(buf, n, "normal, SD %g", o->a);
        break;
    default:
        snprintf(buf, n, "an output, not observed");
    }
    return buf;
}

void pk_describe_prior(const pk_param_def *d, const char *from_data, const char *no_spread,
                       char *median, char *spread)
{
    if (isnan(d->median))
        snprintf(median, 32, "%s", from_data);
    else
        snprintf(median, 32, "%.6g", d->median);
    if (d->prior == PK_PRIOR_LOGNORMAL)
        snprintf(spread, 32, "%g%%", 100 * d->spread);
    else if (d->prior != PK_PRIOR_FIXED)
        snprintf(spread, 32, "%g", d->spread);
    else
        snprintf(spread, 32, "%s", no_spread);
}

void pk_describe_model(FILE *f, const pk_model *m)
{
    fprintf(f, "# Model `%s`\n\n%s.\n\n", m->name, m->summary);
    fprintf(f, "Written by `pksim models --describe %s` from the model's own tables "
               "(`models/%s.c`).\n\n", m->name, m->name);
    fprintf(f, "## States\n\n%zu states; the first %zu are the linear PK. Log-scale states are "
               "integrated as logarithms.\n\n", m->n_state, m->n_pk);
    fprintf(f, "| state | unit | meaning | scale |\n|---|---|---|---|\n");
    for (size_t k = 0; k < m->n_state; k++)
        fprintf(f, "| `%s` | %s | %s | %s |\n", m->state[k].name, m->state[k].unit,
                m->state[k].meaning, m->state[k].log_scale ? "log" : "linear");
    fprintf(f, "\n## Parameters\n\nA patient file's `[parameters]` may replace a median or a "
               "spread; `[fit] estimate` lists those a fit estimates. Values outside the "
               "admissible range are refused.\n\n");
    fprintf(f, "| parameter | unit | meaning | prior median | prior | spread | admissible | "
               "source |\n|---|---|---|---:|---|---:|---|---|\n");
    for (size_t k = 0; k < m->n_param; k++) {
        const pk_param_def *d = &m->param[k];
        char med[32], spread[32];
        pk_describe_prior(d, "from the data", "-", med, spread);
        fprintf(f, "| `%s` | %s | %s | %s | %s | %s | %g to %g | %s |\n", d->name, d->unit,
                d->meaning, med, prior_kind(d->prior), spread, d->lo, d->hi, d->source);
    }
    fprintf(f, "\n## Observables\n\n| observable | CSV column | unit | meaning | error model "
               "|\n|---|---|---|---|---|\n");
    for (size_t k = 0; k < m->n_obs; k++) {
        char e[96];
        fprintf(f, "| `%s` | `%s` | %s | %s | %s |\n", m->obs[k].name, m->obs[k].column,
                m->obs[k].unit, m->obs[k].meaning, error_model(&m->obs[k], e, sizeof e));
    }
    fprintf(f, "\n## Dosing limits\n\n");
    if (m->unit_dose_mg > 0)
        fprintf(f, "Each administration a multiple of %g mg; daily totals %g-%g mg/day (0 is a "
                   "pause); at least %g h between administrations.\n", m->unit_dose_mg,
                m->daily_min_mg, m->daily_max_mg, m->min_interval_h);
    else
        fprintf(f, "Any positive amount.\n");
    if (!m->n_readout) {
        fprintf(f, "\nNo sweep read-outs.\n");
        return;
    }
    fprintf(f, "\n## Sweep read-outs\n\nComputed from each simulated course on a 0.25-day grid "
               "(15 min over day %g-%g); values are summarised over the draws by their median "
               "and 5-95%%, indicators by their mean (a probability).\n\n", m->window_day,
               m->window_day + 1);
    fprintf(f, "| read-out | better | kind | meaning |\n|---|---|---|---|\n");
    for (size_t k = 0; k < m->n_readout; k++) {
        const pk_readout_def *r = &m->readout[k];
        fprintf(f, "| `%s` | %s | %s | %s |\n", r->name,
                r->better > 0 ? "higher" : r->better < 0 ? "lower" : "-",
                r->probability ? "probability" : "value", r->meaning);
    }
    if (m->rank_by) {
        fprintf(f, "\nDefault ranking: `%s`, %s first", m->rank_by,
                m->readout[pk_model_readout_index(m, m->rank_by)].better > 0 ? "highest"
                                                                              : "lowest");
        if (m->rank_limit)
            fprintf(f, ", among scenarios whose median `%s` is at most %g (the others follow)",
                    m->rank_limit, m->rank_limit_max);
        for (size_t k = 0; k < 4 && m->rank_ties[k]; k++)
            fprintf(f, "%s`%s`", k ? ", " : "; ties: ", m->rank_ties[k]);
        fprintf(f, ".\n");
    }
}
