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

/* "median [5%-95%]" of read-out k of scenario s, or a probability. */
static void cell(const pk_sweep_result *r, const pk_readout_def *d, size_t s, size_t k, char *buf,
                 size_t n)
{
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
    if (o->rank)
        fprintf(f, "ranked by the median of %s; median [5%%-95%%]\n", o->rank);
    else if (m->rank_by)
        fprintf(f, "ranked by the median of %s among scenarios with a median %s of at most %g; "
                   "median [5%%-95%%]\n", m->rank_by, m->rank_limit ? m->rank_limit : "-",
                o->max_g4_days);
    fprintf(f, "%-4s %-28s", "rank", "scenario");
    for (size_t k = 0; k < r->n_ro; k++)
        if (m->readout[k].show)
            fprintf(f, " %-*s", m->readout[k].probability ? 10 : 20, m->readout[k].name);
    fputc('\n', f);
    for (size_t i = 0; i < r->n_scen; i++) {
        size_t s = (size_t)r->order[i];
        fprintf(f, "%-4zu %-28s", i + 1, r->scen[s].name);
        for (size_t k = 0; k < r->n_ro; k++)
            if (m->readout[k].show) {
                char b[64];
                cell(r, &m->readout[k], s, k, b, sizeof b);
                fprintf(f, " %-*s", m->readout[k].probability ? 10 : 20, b);
            }
        fputc('\n', f);
    }
}

int pk_sweep_write(const char *dir, const pk_patient *p, const pk_sweep_opts *o,
                   const pk_sweep_result *r, pk_err *err)
{
    pk_out out[4];
    memset(out, 0, sizeof out);
    static const char *const names[4] = {"sweep.csv", "sweep_trajectories.csv", "sweep_summary.txt",
                                         "sweep_doses.csv"};
    int nf = r->rules_scen >= 0 ? 4 : 3, rc = PK_OK;
    for (int i = 0; i < nf && rc == PK_OK; i++)
        rc = pk_out_open(&out[i], dir, names[i], err);
    if (rc == PK_OK) {
        FILE *f = out[0].f;
        const pk_model *m = p->model;
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
            fprintf(f, "%zu,%s", k + 1, r->scen[s].name);
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
        f = out[1].f;
        fprintf(f, "scenario,day,dose_mg_per_day");
        for (size_t c = 0; c < r->n_tr; c++) {
            const char *col = m->obs[r->tr_obs[c]].column;
            fprintf(f, ",%s_p50,%s_p05,%s_p95", col, col, col);
        }
        fputc('\n', f);
        for (size_t s = 0; s < r->n_scen; s++)
            for (size_t d = 0; d <= r->n_days; d++) {
                fprintf(f, "%s,%zu,%g", r->scen[s].name, d, r->dose[s * (r->n_days + 1) + d]);
                for (size_t c = 0; c < r->n_tr; c++) {
                    const double *q = r->traj + ((s * (r->n_days + 1) + d) * r->n_tr + c) * 3;
                    fprintf(f, ",%.10g,%.10g,%.10g", q[1], q[0], q[2]);
                }
                fputc('\n', f);
            }
        f = out[2].f;
        pk_sweep_print(f, p, o, r);
        fprintf(f, "\nread-outs (sweep.csv: median, 5%% and 95%% over the draws):\n");
        for (size_t k = 0; k < r->n_ro; k++)
            fprintf(f, "  %-26s %s\n", m->readout[k].name, m->readout[k].meaning);
        fprintf(f, "Read-outs come from a 0.25-day grid (15 min over day %g-%g); event days are "
                   "censored at the horizon.\n", m->window_day, m->window_day + 1);
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
            /* one row per draw at day 0 and at every change */
            FILE *g = out[3].f;
            fprintf(g, "scenario,draw,day,dose_mg_per_day\n");
            const char *name = r->scen[r->rules_scen].name;
            for (size_t i = 0; i < r->n_change; i++)
                fprintf(g, "%s,%zu,%zu,%g\n", name, r->change[i].draw + 1, r->change[i].day,
                        r->change[i].mg_per_day);
        }
        rc = pk_out_commit_all(out, (size_t)nf, err);
    }
    for (int i = 0; i < 4; i++)
        pk_out_abort(&out[i]);
    return rc;
}
