/* pk_sweep_impl: what the sweep's files share and nothing else does. */
#ifndef PK_SWEEP_IMPL_H
#define PK_SWEEP_IMPL_H

#include <stdio.h>

#include "pk_reduce.h"
#include "pk_sweep.h"

#define SWEEP_BLOCK 128 /* draws simulated between two reductions */

/* ---- pk_sweep_spec.c ---- */
/* The scenarios: product of doses and schedules, the file's [sweep]
 * scenarios, then the rule-based one. */
int sweep_build_scenarios(const pk_patient *p, const pk_sweep_opts *o, pk_sweep_result *r,
                          pk_err *err);

/* The ranking rule: the key read-out's median in its direction (+1: the
 * highest first, -1: the lowest), among scenarios whose median limit
 * read-out is at most limit_max (limit -1: no bound; the others follow,
 * ranked the same way); ties by the tie read-outs in their directions,
 * then by the scenarios' order.  A NaN median ranks last. */
typedef struct sweep_rule {
    int key, dir, limit;
    double limit_max;
    int tie[4], tie_dir[4];
    size_t n_tie;
} sweep_rule;

/* From --rank "READOUT[:asc|desc]" (a read-out's own direction when none
 * is given; asc or desc needed for one without) or the model's default. */
int sweep_rank_rule(const pk_model *m, const pk_sweep_opts *o, sweep_rule *rule, pk_err *err);

/* The rule in words, with its numbers, for the summary. */
void sweep_describe_rule(const pk_model *m, const sweep_rule *rule, FILE *f);

/* ---- pk_sweep.c: the runner's pieces, for drivers other than
 * pk_sweep_run (pk_trial) ---- */
/* The output grid of a run (0.25 day, 15 min over the exposure window)
 * and the grid row of each whole day 0..nday; ndd dose days. */
struct pk_solver;
typedef struct sweep_sim {
    double *grid;
    size_t ng, nday, ndd;
    size_t *day_at;
    double pin_day;  /* the pinned propagator's extent, days */
} sweep_sim;

/* For the scenarios of r (built); 0, or -1 when out of memory (nothing
 * to free). */
int sweep_sim_init(sweep_sim *sm, const pk_model *m, const pk_sweep_opts *o,
                   const pk_sweep_result *r);
void sweep_sim_free(sweep_sim *sm);

/* One draw d with parameters theta (model units) in every scenario of r,
 * as pk_sweep_run simulates it (solver s of the model; x: ng x n_state,
 * ob: ng x n_obs scratch): read-outs ro (n_scen x n_ro, NaN when the
 * simulation failed), trajectories tr (n_scen x (nday+1) x n_tr) and
 * applied daily doses dly (n_scen x ndd).  Returns the failed
 * simulations. */
long sweep_sim_draw(const sweep_sim *sm, const pk_patient *p, const pk_sweep_opts *o,
                    pk_sweep_result *r, struct pk_solver *s, double *x, double *ob,
                    const double *theta, size_t d, double *ro, double *tr, double *dly);

/* ---- pk_sweep_write.c ---- */
/* A text field of a CSV row, quoted as RFC 4180 needs. */
void sweep_csv_text(FILE *f, const char *s);

/* A cell of the ranked table: read-out k (defined by d) of scenario s as
 * text in buf (n bytes); ctx is the caller's result. */
typedef void (*sweep_cell_fn)(const void *ctx, const pk_readout_def *d, size_t s, size_t k,
                              char *buf, size_t n);

/* The ranked table on the terminal: a header, then per scenario in rank
 * order its rank, its name and its cells of the model's shown read-outs,
 * each column width_prob (a probability) or width_value wide in display
 * columns (a UTF-8 character such as ± counts once). */
void sweep_print_table(FILE *f, const pk_model *m, const pk_sweep_result *r, int width_prob,
                       int width_value, sweep_cell_fn cell, const void *ctx);

/* ---- pk_sweep_sens.c ---- */
/* PRCC of every varied parameter with every read-out, and the ranking's
 * top scenario within each parameter's lower and upper tertile of draws
 * (fills r->n_varied .. top_high).  0, or -1 when out of memory. */
int sweep_sensitivity(const pk_patient *p, const pk_sweep_opts *o,
                      const pk_sweep_posterior *post, const sweep_rule *rule, pk_sweep_result *r);

/* ---- pk_sweep_reduce.c ----
 * Draws run in blocks of SWEEP_BLOCK and are fed to the reducer in draw
 * order, so the result does not depend on the thread count.  Read-outs
 * are kept, n_ro numbers per simulation, for exact quantiles.  Daily
 * trajectories are not kept: within one block their quantiles are exact;
 * beyond it each (scenario, day, output) goes into a pk_loghist whose
 * range comes from the first block, so their memory does not grow with
 * the draws.  The median daily dose is exact (pk_tally). */
typedef struct sweep_reducer {
    size_t ns, nd, nday, ndd, nro, ntr;
    const pk_readout_def *def; /* the model's read-outs */
    double *ro;          /* nd x ns x nro, every read-out */
    pk_loghist *tr;      /* ns x (nday+1) x ntr, after the first block */
    pk_tally *dose;      /* ns x (nday+1) */
    long clipped;        /* trajectory quantiles that fell outside a range */
} sweep_reducer;

int sweep_reducer_init(sweep_reducer *rd, const pk_model *m, size_t ns, size_t nd, size_t nday,
                       size_t ndd, size_t ntr);
void sweep_reducer_free(sweep_reducer *rd);
/* One block of draws d0 .. d0+nb-1: read-outs (nb x ns x nro),
 * trajectories (nb x ns x (nday+1) x ntr) and daily doses (nb x ns x ndd). */
int sweep_reducer_add_block(sweep_reducer *rd, size_t d0, size_t nb, const double *ro,
                            const double *tr, const double *daily);
/* Quantiles into r; tr0 is the first block's trajectories (all of them
 * when nd <= SWEEP_BLOCK). */
int sweep_reducer_finish(sweep_reducer *rd, const double *tr0, pk_sweep_result *r);
/* The rules scenario's applied doses of one draw: its changes. */
int sweep_record_changes(pk_sweep_result *r, size_t draw, const double *daily, size_t ndd);
/* r->order by the rule. */
void sweep_rank(const sweep_rule *rule, pk_sweep_result *r);

#endif
