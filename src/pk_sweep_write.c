/* pk_sweep_write: a sweep's files and its ranked table. */
#include <math.h>
#include <string.h>

#include "pk_out.h"
#include "pk_rules.h"
#include "pk_sweep_impl.h"

/* A CSV number: NA where there is none (a window past the horizon). */
static void put_num(FILE *f, const char *fmt, double v)
{
    if (isnan(v))
        fputs(",NA", f);
    else
        fprintf(f, fmt, v);
}

/* Bytes of s beyond its display columns: UTF-8 continuation bytes. */
static int extra_bytes(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) == 0x80;
    return n;
}

void sweep_print_table(FILE *f, const pk_model *m, const pk_sweep_result *r, int width_prob,
                       int width_value, sweep_cell_fn cell, const void *ctx)
{
    fprintf(f, "%-4s %-28s", "rank", "scenario");
    for (size_t k = 0; k < r->n_ro; k++)
        if (m->readout[k].show)
            fprintf(f, " %-*s", m->readout[k].probability ? width_prob : width_value,
                    m->readout[k].name);
    fputc('\n', f);
    for (size_t i = 0; i < r->n_scen; i++) {
        size_t s = (size_t)r->order[i];
        fprintf(f, "%-4zu %-28s", i + 1, r->scen[s].name);
        for (size_t k = 0; k < r->n_ro; k++)
            if (m->readout[k].show) {
                char b[64];
                cell(ctx, &m->readout[k], s, k, b, sizeof b);
                int w = m->readout[k].probability ? width_prob : width_value;
                fprintf(f, " %-*s", w + extra_bytes(b), b);
            }
        fputc('\n', f);
    }
}

/* "median [5%-95%]" of read-out k of scenario s, or a probability. */
static void cell(const void *ctx, const pk_readout_def *d, size_t s, size_t k, char *buf,
                 size_t n)
{
    const pk_sweep_result *r = ctx;
    const double *q = r->q + (s * r->n_ro + k) * 3;
    if (isnan(q[1]))
        snprintf(buf, n, "NA");
    else if (d->probability)
        snprintf(buf, n, "%.2f", q[1]);
    else
        snprintf(buf, n, "%.3g [%.3g-%.3g]", q[1], q[0], q[2]);
}

void pk_sweep_print(FILE *f, const pk_patient *p, const pk_sweep_opts *o,
                    const pk_sweep_result *r)
{
    const pk_model *m = p->model;
    fprintf(f, "pksim sweep: %s, %zu scenarios x %zu %s, %g days, solver rtol %g\n", p->id,
            r->n_scen, r->n_draws,
            o->point ? (r->from_fit ? "point (the MAP)" : "point (prior medians)")
                     : (r->from_fit ? "draws (estimated parameters from the posterior, the rest "
                                      "from their priors)"
                                    : "draws from the priors (a virtual population)"),
            o->days, o->rtol);
    sweep_rule rule;
    pk_err e = {0};
    if (sweep_rank_rule(m, o, &rule, &e) == PK_OK)
        sweep_describe_rule(m, &rule, f);
    fprintf(f, "values: median [5%%-95%%] over the draws; probabilities: the fraction of draws\n");
    sweep_print_table(f, m, r, 10, 20, cell, r);
}

/* A text field of a CSV row (RFC 4180: quoted when it holds a comma, a
 * quote or a line break). */
static void put_text(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* sweep.csv: one ranked row per scenario. */
static void write_table(FILE *f, const pk_model *m, const pk_sweep_result *r)
{
    fprintf(f, "rank,scenario");
    for (size_t k = 0; k < r->n_ro; k++) {
        const char *nm = m->readout[k].name;
        if (m->readout[k].probability)
            fprintf(f, ",%s", nm);
        else
            fprintf(f, ",%s_p50,%s_p05,%s_p95", nm, nm, nm);
    }
    fputc('\n', f);
    for (size_t k = 0; k < r->n_scen; k++) {
        int s = r->order[k];
        fprintf(f, "%zu,", k + 1);
        put_text(f, r->scen[s].name);
        for (size_t j = 0; j < r->n_ro; j++) {
            const double *q = r->q + ((size_t)s * r->n_ro + j) * 3;
            put_num(f, ",%.6g", q[1]);
            if (!m->readout[j].probability) {
                put_num(f, ",%.6g", q[0]);
                put_num(f, ",%.6g", q[2]);
            }
        }
        fputc('\n', f);
    }
}

static void write_trajectories(FILE *f, const pk_model *m, const pk_sweep_result *r)
{
    fprintf(f, "scenario,day,dose_mg_per_day");
    for (size_t c = 0; c < r->n_tr; c++) {
        const char *col = m->obs[r->tr_obs[c]].column;
        fprintf(f, ",%s_p50,%s_p05,%s_p95", col, col, col);
    }
    fputc('\n', f);
    for (size_t s = 0; s < r->n_scen; s++)
        for (size_t d = 0; d <= r->n_days; d++) {
            put_text(f, r->scen[s].name);
            fprintf(f, ",%zu,%g", d, r->dose[s * (r->n_days + 1) + d]);
            for (size_t c = 0; c < r->n_tr; c++) {
                const double *q = r->traj + ((s * (r->n_days + 1) + d) * r->n_tr + c) * 3;
                fprintf(f, ",%.10g,%.10g,%.10g", q[1], q[0], q[2]);
            }
            fputc('\n', f);
        }
}

/* The fraction of draws (that simulated) in which event e happened by
 * day (counted from the forecast's first day). */
static double event_by(const pk_model *m, const pk_sweep_result *r, size_t s, size_t e,
                       double day)
{
    int kd = pk_model_readout_index(m, m->events[e][1]);
    int kf = pk_model_readout_index(m, m->events[e][2]);
    size_t n = 0, hit = 0, nro = r->n_ro;
    for (size_t d = 0; d < r->n_draws && kd >= 0 && kf >= 0; d++) {
        const double *ro = r->ro + (d * r->n_scen + s) * nro;
        if (isnan(ro[kf]))
            continue;
        n++;
        hit += ro[kf] == 1 && ro[kd] <= day + 1e-9;
    }
    return n ? (double)hit / n : NAN;
}

static size_t n_events(const pk_model *m)
{
    size_t n = 0;
    while (n < 4 && m->events[n][0])
        n++;
    return n;
}

/* An event's column: the fraction still free of an adverse event
 * (Kaplan-Meier style), or the fraction that has reached a desired one. */
static int desired(const pk_model *m, size_t e)
{
    int kf = pk_model_readout_index(m, m->events[e][2]);
    return kf >= 0 && m->readout[kf].better > 0;
}

static double event_column(const pk_model *m, const pk_sweep_result *r, size_t s, size_t e,
                           double day)
{
    double p = event_by(m, r, s, e, day);
    return desired(m, e) ? p : 1 - p;
}

/* sweep_events.csv: per scenario and day, the fraction of draws still
 * free of each adverse event, or having reached each desired one (every
 * course is followed to the horizon, so the only censoring is there). */
static void write_events(FILE *f, const pk_model *m, const pk_sweep_opts *o,
                         const pk_sweep_result *r)
{
    size_t ne = n_events(m);
    fprintf(f, "scenario,day");
    for (size_t e = 0; e < ne; e++)
        fprintf(f, ",%s_%s", m->events[e][0], desired(m, e) ? "reached" : "free");
    fputc('\n', f);
    size_t last = (size_t)floor(o->days - o->from_day + 1e-9);
    for (size_t s = 0; s < r->n_scen; s++)
        for (size_t d = 0; d <= last; d++) {
            put_text(f, r->scen[s].name);
            fprintf(f, ",%g", o->from_day + (double)d);
            for (size_t e = 0; e < ne; e++)
                put_num(f, ",%.6g", event_column(m, r, s, e, (double)d));
            fputc('\n', f);
        }
}

/* sweep_draws.csv: every read-out of every simulation, long format. */
static void write_draws(FILE *f, const pk_model *m, const pk_sweep_result *r)
{
    fprintf(f, "scenario,draw,readout,value\n");
    for (size_t s = 0; s < r->n_scen; s++)
        for (size_t d = 0; d < r->n_draws; d++)
            for (size_t k = 0; k < r->n_ro; k++) {
                put_text(f, r->scen[s].name);
                fprintf(f, ",%zu,%s", d + 1, m->readout[k].name);
                put_num(f, ",%.6g", r->ro[(d * r->n_scen + s) * r->n_ro + k]);
                fputc('\n', f);
            }
}

/* Fraction still event-free at a few days, in the summary. */
static void summary_events(FILE *f, const pk_model *m, const pk_sweep_opts *o,
                           const pk_sweep_result *r)
{
    static const double at[] = {30, 60, 90, 180, 365};
    size_t ne = n_events(m);
    double span = o->days - o->from_day;
    if (!ne)
        return;
    fprintf(f, "\nfraction of draws still free of each adverse event, or having reached a "
               "desired one, by day%s\n(sweep_events.csv day by day; every course is followed to "
               "the horizon, the only censoring):\n",
            o->from_day > 0 ? " after the forecast's start" : "");
    fprintf(f, "  %-28s %-28s", "scenario", "event");
    size_t nat = 0;
    while (nat < 5 && at[nat] < span - 1e-9)
        nat++;
    for (size_t i = 0; i < nat; i++)
        fprintf(f, " %7g", at[i]);
    fprintf(f, " %7g\n", span);
    for (size_t k = 0; k < r->n_scen; k++) {
        size_t s = (size_t)r->order[k];
        for (size_t e = 0; e < ne; e++) {
            char label[64];
            snprintf(label, sizeof label, "%s %s", m->events[e][0],
                     desired(m, e) ? "reached" : "free");
            fprintf(f, "  %-28s %-28s", e ? "" : r->scen[s].name, label);
            for (size_t i = 0; i < nat; i++)
                fprintf(f, " %7.3f", event_column(m, r, s, e, at[i]));
            fprintf(f, " %7.3f\n", event_column(m, r, s, e, span));
        }
    }
}

/* sweep_sensitivity.csv: the PRCC of every varied parameter with every
 * read-out of every scenario. */
static void write_sensitivity(FILE *f, const pk_model *m, const pk_sweep_result *r)
{
    fprintf(f, "scenario,readout,parameter,source,prcc\n");
    for (size_t s = 0; s < r->n_scen; s++)
        for (size_t k = 0; k < r->n_ro; k++)
            for (size_t a = 0; a < r->n_varied; a++) {
                put_text(f, r->scen[s].name);
                fprintf(f, ",%s,%s,%s", m->readout[k].name, m->param[r->varied[a]].name,
                        r->estimated[a] ? "posterior" : "prior");
                put_num(f, ",%.4f", r->prcc[(s * r->n_ro + k) * r->n_varied + a]);
                fputc('\n', f);
            }
}

/* The summary's sensitivity table: the parameters that move the ranking
 * read-out of the top scenario most, and every tertile flip. */
static void summary_sensitivity(FILE *f, const pk_model *m, const pk_sweep_opts *o,
                                const pk_sweep_result *r)
{
    sweep_rule u;
    pk_err e = {0};
    if (!r->n_varied || sweep_rank_rule(m, o, &u, &e) || u.key < 0)
        return;
    size_t top = (size_t)r->order[0], nv = r->n_varied;
    const double *pr = r->prcc + (top * r->n_ro + (size_t)u.key) * nv;
    fprintf(f, "\nwhich assumptions drive the answer (sweep_sensitivity.csv has every PRCC):\n"
               "  partial rank correlation with %s in the top scenario (%s), |PRCC| >= 0.1:\n",
            m->readout[u.key].name, r->scen[top].name);
    int any = 0;
    for (double cut = 1.0; cut > 0.1 - 1e-12; cut -= 0.1) /* largest first, no sort needed */
        for (size_t a = 0; a < nv; a++)
            if (fabs(pr[a]) <= cut && fabs(pr[a]) > cut - 0.1 && fabs(pr[a]) >= 0.1) {
                fprintf(f, "    %-20s %+.2f  %s\n", m->param[r->varied[a]].name, pr[a],
                        r->estimated[a] ? "(estimated: from the posterior)"
                                        : "(from its prior: the data did not inform it)");
                any = 1;
            }
    if (!any)
        fprintf(f, "    none\n");
    fprintf(f, "  the top scenario when only the draws in a parameter's lower or upper tertile "
               "count:\n");
    int flips = 0;
    for (size_t a = 0; a < nv; a++)
        if (r->top_low[a] != r->top_high[a]) {
            fprintf(f, "    FLIPS with %-20s lower: %-26s upper: %s  %s\n",
                    m->param[r->varied[a]].name, r->scen[r->top_low[a]].name,
                    r->scen[r->top_high[a]].name,
                    r->estimated[a] ? "(estimated)" : "(from its prior: an assumption)");
            flips++;
        }
    if (!flips)
        fprintf(f, "    the same (%s) in every tertile of all %zu varied parameters\n",
                r->scen[top].name, nv);
}

static void write_summary(FILE *f, const pk_patient *p, const pk_sweep_opts *o,
                          const pk_sweep_result *r)
{
    const pk_model *m = p->model;
    pk_sweep_print(f, p, o, r);
    fprintf(f, "\nread-outs (sweep.csv: median, 5%% and 95%% over the draws; direction: which "
               "way is better):\n");
    for (size_t k = 0; k < r->n_ro; k++)
        fprintf(f, "  %-26s %-6s %s\n", m->readout[k].name,
                m->readout[k].better > 0 ? "higher" : m->readout[k].better < 0 ? "lower" : "-",
                m->readout[k].meaning);
    fprintf(f, "Read-outs come from a 0.25-day grid (15 min over day %g-%g); event days are "
               "censored at the horizon.\n", o->from_day + m->window_day,
            o->from_day + m->window_day + 1);
    if (o->from_day > 0)
        fprintf(f, "Forecast: the file's dosing up to day %g, each scenario from then on; "
                   "read-outs count from day %g (event days after it).\n", o->from_day,
                o->from_day);
    if (o->days < o->from_day + m->window_day + 1)
        fprintf(f, "The exposure read-outs need a horizon past day %g: NA here.\n",
                o->from_day + m->window_day + 1);
    if (r->n_draws > SWEEP_BLOCK)
        fprintf(f, "Read-out quantiles are exact.  sweep_trajectories.csv quantiles come from "
                   "histograms of %d log bins per day (ranges from the first %d draws)%s.\n",
                PK_LOGHIST_BINS, SWEEP_BLOCK, r->clipped ? "" : "; none fell outside its range");
    if (r->fails)
        fprintf(f, "warning: %ld of %ld simulations failed (solver errors) and are left out "
                   "of the quantiles\n", r->fails, r->sims);
    if (r->clipped)
        fprintf(f, "warning: %ld trajectory quantiles fell outside their histogram range and "
                   "are given at its edge\n", r->clipped);
    summary_events(f, m, o, r);
    summary_sensitivity(f, m, o, r);
    if (o->rules) {
        fprintf(f, "\nrules (%s), evaluated on count days (day mod 7 in {", o->rules->path);
        for (int k = 0, first = 1; k < 7; k++)
            if (o->rules->count_mod[k]) {
                fprintf(f, "%s%d", first ? "" : ", ", k);
                first = 0;
            }
        fprintf(f, "}) after day 0, first that changes the dose applies from that day:\n");
        for (size_t k = 0; k < o->rules->n; k++)
            fprintf(f, "  %d. %s (line %d)\n", (int)k + 1, o->rules->rule[k].name,
                    o->rules->rule[k].line);
        fprintf(f, "applied dose histories: sweep_doses.csv%s\n",
                o->noisy_counts ? " (counts with measurement noise)" : "");
    }
    fprintf(f, "per-draw read-outs: sweep_draws.csv (scenario, draw, read-out, value)\n");
}

/* sweep_doses.csv: the rules scenario's dose history, one row per draw at
 * day 0 and at every change. */
static void write_doses(FILE *g, const pk_sweep_result *r)
{
    fprintf(g, "scenario,draw,day,dose_mg_per_day\n");
    const char *name = r->scen[r->rules_scen].name;
    for (size_t i = 0; i < r->n_change; i++) {
        put_text(g, name);
        fprintf(g, ",%zu,%zu,%g\n", r->change[i].draw + 1, r->change[i].day,
                r->change[i].mg_per_day);
    }
}

int pk_sweep_write(const char *dir, const pk_patient *p, const pk_sweep_opts *o,
                   const pk_sweep_result *r, pk_err *err)
{
    enum { TABLE, TRAJ, SUMMARY, EVENTS, DRAWS, SENS, DOSES, N_FILES };
    static const char *const names[N_FILES] = {"sweep.csv", "sweep_trajectories.csv",
                                               "sweep_summary.txt", "sweep_events.csv",
                                               "sweep_draws.csv", "sweep_sensitivity.csv",
                                               "sweep_doses.csv"};
    pk_out out[N_FILES];
    memset(out, 0, sizeof out);
    char stage[1200];
    if (pk_out_stage_dir(dir, stage, sizeof stage, err))
        return err->code;
    int rc = PK_OK;
    for (int i = 0; i < N_FILES && rc == PK_OK; i++)
        if ((i != DOSES || r->rules_scen >= 0) && (i != SENS || r->prcc))
            rc = pk_out_open(&out[i], stage, names[i], err);
    if (rc == PK_OK) {
        const pk_model *m = p->model;
        write_table(out[TABLE].f, m, r);
        write_trajectories(out[TRAJ].f, m, r);
        write_summary(out[SUMMARY].f, p, o, r);
        write_events(out[EVENTS].f, m, o, r);
        write_draws(out[DRAWS].f, m, r);
        if (out[SENS].f)
            write_sensitivity(out[SENS].f, m, r);
        if (out[DOSES].f)
            write_doses(out[DOSES].f, r);
        rc = pk_out_commit_all(out, N_FILES, err);
    }
    for (int i = 0; i < N_FILES; i++)
        pk_out_abort(&out[i]);
    if (rc == PK_OK)
        rc = pk_out_swap_dir(stage, dir, "sweep.csv", err);
    if (rc != PK_OK)
        pk_out_drop_dir(stage);
    return rc;
}

void sweep_csv_text(FILE *f, const char *s)
{
    put_text(f, s);
}
