/* pk_trial_write: a trial's files and its ranked table.  Nothing here
 * depends on ranks, threads or time: the files are the same bytes for
 * any of them. */
#include <math.h>

#include "pk_prior.h"
#include "pk_sweep_impl.h"
#include "pk_trial.h"

static void num(FILE *f, const char *fmt, double v)
{
    if (isnan(v))
        fputs(",NA", f);
    else
        fprintf(f, fmt, v);
}

/* trial.csv: one row per regimen in rank order. */
static void write_table(FILE *f, const pk_model *m, const pk_trial_result *r)
{
    const pk_sweep_result *sw = &r->sw;
    fprintf(f, "rank,scenario,patients,failed");
    for (size_t k = 0; k < sw->n_ro; k++) {
        const char *n = m->readout[k].name;
        fprintf(f, ",%s_mean,%s_se", n, n);
        if (!m->readout[k].probability)
            fprintf(f, ",%s_sd,%s_p5,%s_median,%s_p95", n, n, n, n);
    }
    fputc('\n', f);
    for (size_t i = 0; i < sw->n_scen; i++) {
        size_t s = (size_t)sw->order[i];
        fprintf(f, "%zu,", i + 1);
        sweep_csv_text(f, sw->scen[s].name);
        fprintf(f, ",%zu,%ld", sw->n_draws, r->rd.fails[s]);
        for (size_t k = 0; k < sw->n_ro; k++) {
            long clipped = 0;
            pk_trial_summary su = pk_trial_reducer_summary(&r->rd, s, k, &clipped);
            num(f, ",%.8g", su.mean);
            num(f, ",%.4g", su.se);
            if (m->readout[k].probability)
                continue;
            num(f, ",%.6g", su.sd);
            for (int q = 0; q < 3; q++)
                num(f, ",%.6g", su.q[q]);
        }
        fputc('\n', f);
    }
}

/* trial_events.csv: per regimen and day, each event's fraction and SE. */
static void write_events(FILE *f, const pk_model *m, const pk_trial_result *r)
{
    const pk_trial_reducer *rd = &r->rd;
    fprintf(f, "scenario,day");
    for (size_t e = 0; e < rd->ne; e++) {
        const char *n = m->events[e][0], *w = rd->ev_desired[e] ? "reached" : "free";
        fprintf(f, ",%s_%s,%s_%s_se", n, w, n, w);
    }
    fputc('\n', f);
    for (size_t i = 0; i < r->sw.n_scen; i++) {
        size_t s = (size_t)r->sw.order[i];
        for (size_t d = 0; d <= rd->nday; d++) {
            sweep_csv_text(f, r->sw.scen[s].name);
            fprintf(f, ",%zu", d);
            for (size_t e = 0; e < rd->ne; e++) {
                double se, p = pk_trial_event(rd, s, e, d, &se);
                num(f, ",%.6g", p);
                num(f, ",%.3g", se);
            }
            fputc('\n', f);
        }
    }
}

/* "mean ± SE" of a read-out, or its rate. */
static void cell(const void *ctx, const pk_readout_def *d, size_t s, size_t k, char *buf,
                 size_t n)
{
    const pk_trial_result *r = ctx;
    long clipped = 0;
    pk_trial_summary su = pk_trial_reducer_summary(&r->rd, s, k, &clipped);
    if (isnan(su.mean))
        snprintf(buf, n, "NA");
    else if (d->probability)
        snprintf(buf, n, "%.3f±%.3f", su.mean, su.se);
    else
        snprintf(buf, n, "%.4g±%.2g", su.mean, su.se);
}

void pk_trial_print(FILE *f, const pk_trial_pop *pop, const pk_trial_opts *o,
                    const pk_trial_result *r)
{
    const pk_model *m = pop->tmpl.model;
    const pk_sweep_result *sw = &r->sw;
    fprintf(f, "pksim trial: %s (model %s), %ld virtual patients x %zu regimens, %g days, "
            "seed %lu, solver rtol %g\n", pop->path, m->name, o->patients, sw->n_scen,
            o->sw.days, o->sw.seed, o->sw.rtol);
    sweep_rule rule;
    pk_err e = {0};
    if (sweep_rank_rule(m, &o->sw, &rule, &e) == PK_OK)
        sweep_describe_rule(m, &rule, f);
    fprintf(f, "values: mean ± Monte Carlo SE over the patients (probabilities: the rate); "
               "ranking uses medians as sweep does\n");
    sweep_print_table(f, m, sw, 16, 16, cell, r);
}

/* Where each parameter of the virtual patients comes from. */
static void summary_population(FILE *f, const pk_trial_pop *pop)
{
    const pk_model *m = pop->tmpl.model;
    static const char *const scale[] = {"fixed", "log", "logit", "log10"};
    fprintf(f, "\nvirtual patients: per patient, the typical value drawn from its estimation "
               "uncertainty (SE), then the patient's random effect from N(0, omega); the "
               "template (%s) for the rest:\n", pop->tmpl.path);
    fprintf(f, "  %-18s %-14s %-6s %-10s %-10s %s\n", "parameter", "typical", "scale", "omega",
            "SE", "source");
    for (size_t j = 0; j < m->n_param; j++) {
        const pk_param_setting *s = &pop->tmpl.param[j];
        int k = (unsigned)s->prior <= 3 ? (int)s->prior : 0;
        int varies = !s->fixed && s->prior != PK_PRIOR_FIXED && s->spread > 0;
        if (pop->from_pop[j])
            fprintf(f, "  %-18s %-14.6g %-6s %-10.4g %-10.4g population\n", m->param[j].name,
                    s->value, scale[k], pop->omega[j], pop->se[j]);
        else if (varies)
            fprintf(f, "  %-18s %-14.6g %-6s %-10.4g %-10s prior\n", m->param[j].name, s->value,
                    scale[k], pk_prior_sd(s->prior, s->spread), "-");
    }
    fprintf(f, "  (every other parameter is fixed at the template's value)\n");
}

static void summary_events(FILE *f, const pk_model *m, const pk_trial_result *r)
{
    static const size_t at[] = {30, 60, 90, 180, 365};
    const pk_trial_reducer *rd = &r->rd;
    if (!rd->ne)
        return;
    fprintf(f, "\nfraction of patients still free of each adverse event, or having reached a "
               "desired one, by day, ± Monte Carlo SE (trial_events.csv day by day):\n");
    fprintf(f, "  %-28s %-16s", "scenario", "event");
    for (size_t i = 0; i < 5 && at[i] <= rd->nday; i++)
        fprintf(f, " %13zu", at[i]);
    fputc('\n', f);
    for (size_t i = 0; i < r->sw.n_scen; i++) {
        size_t s = (size_t)r->sw.order[i];
        for (size_t e = 0; e < rd->ne; e++) {
            char label[64];
            snprintf(label, sizeof label, "%s %s", m->events[e][0],
                     rd->ev_desired[e] ? "reached" : "free");
            fprintf(f, "  %-28s %-16s", e ? "" : r->sw.scen[s].name, label);
            for (size_t a = 0; a < 5 && at[a] <= rd->nday; a++) {
                double se, p = pk_trial_event(rd, s, e, at[a], &se);
                fprintf(f, "   %.3f±%.3f", p, se);
            }
            fputc('\n', f);
        }
    }
}

static void write_summary(FILE *f, const pk_trial_pop *pop, const pk_trial_opts *o,
                          const pk_trial_result *r)
{
    const pk_model *m = pop->tmpl.model;
    pk_trial_print(f, pop, o, r);
    fprintf(f, "\nread-outs (trial.csv: mean and its Monte Carlo SE; for values also the SD "
               "and the 5%%, 50%% and 95%% over the patients):\n");
    for (size_t k = 0; k < r->sw.n_ro; k++)
        fprintf(f, "  %-26s %-6s %s\n", m->readout[k].name,
                m->readout[k].better > 0 ? "higher" : m->readout[k].better < 0 ? "lower" : "-",
                m->readout[k].meaning);
    fprintf(f, "Probabilities: the fraction of patients, SE sqrt(p(1-p)/N).  Values: SE = "
               "SD/sqrt(N); quantiles from fixed histograms of %d bins (log, or linear for "
               "read-outs with negative values) over the first block's range widened "
               "tenfold%s.\n", PK_LOGHIST_BINS,
            r->clipped ? "" : "; none fell outside its range");
    if (r->fails)
        fprintf(f, "warning: %ld of %ld simulations failed (solver errors) and are left out "
                   "(trial.csv: failed)\n", r->fails, r->sims);
    if (r->clipped)
        fprintf(f, "warning: %ld quantiles fell outside their histogram range and are given "
                   "at its edge\n", r->clipped);
    summary_population(f, pop);
    summary_events(f, m, r);
}

void pk_trial_write_files(FILE *table, FILE *events, FILE *summary, const pk_trial_pop *pop,
                          const pk_trial_opts *o, const pk_trial_result *r)
{
    const pk_model *m = pop->tmpl.model;
    write_table(table, m, r);
    write_events(events, m, r);
    write_summary(summary, pop, o, r);
}

void pk_trial_patients_header(FILE *f, const pk_trial_pop *pop)
{
    const pk_model *m = pop->tmpl.model;
    fprintf(f, "patient,scenario");
    for (size_t j = 0; j < m->n_param; j++)
        fprintf(f, ",%s", m->param[j].name);
    for (size_t k = 0; k < m->n_readout; k++)
        fprintf(f, ",%s", m->readout[k].name);
    fputc('\n', f);
}
