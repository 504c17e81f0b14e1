/* pk_trial: the runner.  Patients are cut into fixed blocks of
 * PK_TRIAL_BLOCK; a pk_stream hands each rank the next block number as it
 * finishes one, the rank simulates that block on its OpenMP threads (the
 * sweep's simulation of one draw in every scenario: sweep_sim_draw) and
 * hands it back, and the stream has the blocks reduced on rank 0 in block
 * order while the ranks go on: a rank on a faster core does more blocks,
 * and no rank waits for a slower one.  The stream also carries any rank's
 * stop (SIGINT/SIGTERM), so all ranks stop together. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "pk_clock.h"
#include "pk_mpi.h"
#include "pk_solver.h"
#include "pk_stream.h"
#include "pk_sweep_impl.h"
#include "pk_trial.h"

pk_trial_opts pk_trial_default_opts(void)
{
    pk_trial_opts o = {0};
    o.sw = pk_sweep_default_opts();
    o.patients = 1000;
    return o;
}

void pk_trial_result_free(pk_trial_result *r)
{
    pk_sweep_result_free(&r->sw);
    pk_trial_reducer_free(&r->rd);
    memset(r, 0, sizeof *r);
}

/* What the ranks and threads of a run share. */
typedef struct trial_job {
    const pk_trial_pop *pop;
    const pk_trial_opts *o;
    const pk_mpi *mp;
    pk_trial_result *r;
    sweep_sim sm;
    size_t np, ns, nro, nt, ntr, nblocks, packn;
    pk_stream *st;       /* the blocks on their way to rank 0 */
    double *pack;        /* the block being simulated (packn: B x np parameters, then
                            B x ns x nro read-outs), a slot of the stream */
    size_t blk;          /* its number */
    double *tr, *dly;    /* the block's trajectories and doses (not kept) */
    FILE *rows;          /* rank 0: trial_patients.csv */
    double t0;
    int stop;
} trial_job;

static size_t block_size(const trial_job *j, size_t blk)
{
    size_t n = (size_t)j->o->patients, b0 = blk * PK_TRIAL_BLOCK;
    return blk >= j->nblocks ? 0 : n - b0 < PK_TRIAL_BLOCK ? n - b0 : PK_TRIAL_BLOCK;
}

/* One patient's rows: parameters, then every scenario's read-outs. */
static void patient_rows(const trial_job *j, size_t patient, const double *th, const double *ro)
{
    const pk_sweep_result *sw = &j->r->sw;
    for (size_t s = 0; s < j->ns; s++) {
        fprintf(j->rows, "%zu,", patient + 1);
        sweep_csv_text(j->rows, sw->scen[s].name);
        for (size_t k = 0; k < j->np; k++)
            fprintf(j->rows, ",%.9g", th[k]);
        for (size_t k = 0; k < j->nro; k++) {
            double v = ro[s * j->nro + k];
            if (isnan(v))
                fputs(",NA", j->rows);
            else
                fprintf(j->rows, ",%.9g", v);
        }
        fputc('\n', j->rows);
    }
}

static void progress(const trial_job *j, size_t done)
{
    double el = pk_clock_s() - j->t0, n = (double)j->o->patients;
    fprintf(stderr, "\rpksim trial: %zu/%.0f patients x %zu regimens, %.0f simulations/s, "
            "about %.0f s left   ", done, n, j->ns, done * j->ns / el, el * (n - done) / done);
    if (done == (size_t)j->o->patients)
        fputc('\n', stderr);
}

/* Rank 0, in block order: the block's read-outs into the reducer and its
 * rows into trial_patients.csv. */
static void consume(void *ctx, size_t blk, const double *pk)
{
    trial_job *j = ctx;
    double t = pk_clock_s();
    size_t nb = block_size(j, blk);
    const double *ro = pk + PK_TRIAL_BLOCK * j->np;
    pk_trial_reducer_add(&j->r->rd, ro, nb);
    for (size_t i = 0; i < nb && j->rows; i++)
        patient_rows(j, blk * PK_TRIAL_BLOCK + i, pk + i * j->np, ro + i * j->ns * j->nro);
    j->r->reduce_seconds += pk_clock_s() - t;
    if (j->o->progress && nb)
        progress(j, blk * PK_TRIAL_BLOCK + nb);
}

/* Every block this rank is handed, on its threads. */
static void run_blocks(trial_job *j, int nthr)
{
    const pk_trial_pop *pop = j->pop;
    const pk_trial_opts *o = j->o;
    const pk_model *m = pop->tmpl.model;
#pragma omp parallel num_threads(nthr)
    {
        pk_err e = {0};
        pk_solver_opts so = pk_solver_default_opts();
        so.rtol = o->sw.rtol;
        pk_solver *s = pk_solver_new(m, &so, &e);
        double *x = malloc(j->sm.ng * m->n_state * sizeof *x);
        double *ob = malloc(j->sm.ng * m->n_obs * sizeof *ob);
        for (;;) {
#pragma omp master
            {
                j->pack = pk_stream_next(j->st, &j->blk);
                j->stop = j->pack == NULL;
            }
#pragma omp barrier
            if (j->stop)
                break;
            size_t blk = j->blk, nb = block_size(j, blk);
            double *ro = j->pack + PK_TRIAL_BLOCK * j->np;
#pragma omp for schedule(dynamic, 1)
            for (size_t i = 0; i < nb; i++) {
                size_t id = blk * PK_TRIAL_BLOCK + i;
                double *th = j->pack + i * j->np;
                pk_trial_pop_draw(pop, o->sw.seed, id, th);
                sweep_sim_draw(&j->sm, &pop->tmpl, &o->sw, &j->r->sw, s, x, ob, th, id,
                               ro + i * j->ns * j->nro, j->tr + i * j->ns * j->nt * j->ntr,
                               j->dly + i * j->ns * j->sm.ndd);
            }
            /* the loop's barrier: the block is whole before it is handed in */
#pragma omp master
            pk_stream_put(j->st, pk_interrupted() != 0);
        }
        free(x);
        free(ob);
        pk_solver_free(s);
    }
}

/* The options a trial checks itself (the sweep's are checked by the
 * scenarios and the ranking rule). */
static int check_opts(const pk_trial_opts *o, pk_err *err)
{
    if (!(o->patients >= 1 && o->patients <= 1000000000L))
        return pk_err_set(err, PK_EINPUT, "--patients", "%ld: give 1 to 10^9 patients",
                          o->patients);
    if (!(o->sw.days >= 1 && o->sw.days <= 3650))
        return pk_err_set(err, PK_EINPUT, "--days", "%g: give a horizon of 1-3650 days",
                          o->sw.days);
    if (!(o->sw.rtol >= 1e-14 && o->sw.rtol <= 1e-3))
        return pk_err_set(err, PK_EINPUT, "--rtol", "'%g' must lie in 1e-14..1e-3", o->sw.rtol);
    return PK_OK;
}

int pk_trial_check(const pk_trial_pop *pop, const pk_trial_opts *o, pk_err *err)
{
    sweep_rule rule;
    pk_sweep_result sw = {0};
    int rc = check_opts(o, err) || sweep_rank_rule(pop->tmpl.model, &o->sw, &rule, err) ||
             sweep_build_scenarios(&pop->tmpl, &o->sw, &sw, err);
    pk_sweep_result_free(&sw);
    return rc ? err->code : PK_OK;
}

/* The stream of blocks and one block's scratch; -1 when out of memory. */
static int alloc_job(trial_job *j)
{
    size_t B = PK_TRIAL_BLOCK;
    j->packn = B * (j->np + j->ns * j->nro);
    j->st = pk_stream_open(j->mp, j->packn, j->nblocks, consume, j);
    j->tr = malloc(B * j->ns * j->nt * j->ntr * sizeof *j->tr);
    j->dly = malloc(B * j->ns * (j->sm.ndd ? j->sm.ndd : 1) * sizeof *j->dly);
    return j->st && j->tr && j->dly ? 0 : -1;
}

/* Rank 0: the quantiles or rates into the sweep's table, and the ranking. */
static void finish(pk_trial_result *r, const sweep_rule *rule)
{
    pk_sweep_result *sw = &r->sw;
    r->fails = 0;
    for (size_t s = 0; s < sw->n_scen; s++) {
        r->fails += r->rd.fails[s];
        for (size_t k = 0; k < sw->n_ro; k++) {
            pk_trial_summary su = pk_trial_reducer_summary(&r->rd, s, k, &r->clipped);
            memcpy(sw->q + (s * sw->n_ro + k) * 3, su.q, sizeof su.q);
        }
    }
    sweep_rank(rule, sw);
}

int pk_trial_run(const pk_trial_pop *pop, const pk_trial_opts *o, const pk_mpi *mp,
                 FILE *per_patient, pk_trial_result *r, pk_err *err)
{
    const pk_model *m = pop->tmpl.model;
    memset(r, 0, sizeof *r);
    sweep_rule rule;
    if (check_opts(o, err) || sweep_rank_rule(m, &o->sw, &rule, err) ||
        sweep_build_scenarios(&pop->tmpl, &o->sw, &r->sw, err))
        return err->code;
    trial_job j = {.pop = pop, .o = o, .mp = mp, .r = r, .np = m->n_param, .ns = r->sw.n_scen,
                   .nro = m->n_readout, .ntr = 1, .rows = mp->rank == 0 ? per_patient : NULL,
                   .t0 = pk_clock_s()};
    pk_sweep_result *sw = &r->sw;
    sw->n_ro = m->n_readout;
    sw->n_draws = (size_t)o->patients;
    for (size_t c = 0; c < 3 && m->sweep_obs[c]; c++) {
        int k = pk_model_obs_index(m, m->sweep_obs[c]);
        if (k >= 0)
            sw->tr_obs[sw->n_tr++] = k;
    }
    j.ntr = sw->n_tr ? sw->n_tr : 1;
    j.nblocks = ((size_t)o->patients + PK_TRIAL_BLOCK - 1) / PK_TRIAL_BLOCK;
    int bad = sweep_sim_init(&j.sm, m, &o->sw, &r->sw) != 0;
    j.nt = j.sm.nday + 1;
    sw->n_days = j.sm.nday;
    sw->q = malloc(j.ns * (j.nro ? j.nro : 1) * 3 * sizeof *sw->q);
    sw->order = malloc(j.ns * sizeof *sw->order);
    bad |= !sw->q || !sw->order || alloc_job(&j) ||
           pk_trial_reducer_init(&r->rd, m, j.ns, j.sm.nday) != 0;
    int nthr = 1;
#ifdef _OPENMP
    nthr = o->sw.threads > 0 ? o->sw.threads : omp_get_max_threads();
#endif
    r->ranks = mp->size;
    r->threads = nthr;
    int rc = PK_OK;
    if (pk_mpi_any(mp, bad)) {
        pk_stream_discard(j.st);
        rc = pk_err_set(err, PK_ENOMEM, "", "out of memory for a block of %d patients",
                        PK_TRIAL_BLOCK);
    } else {
        run_blocks(&j, nthr);
        r->sims = o->patients * (long)j.ns;
        double wait_s = 0;
        int stopped = pk_stream_close(j.st, pk_interrupted() != 0, &wait_s);
        r->wait_seconds = pk_mpi_sum(mp, wait_s);
        /* the ranks agreed in close (a signal after it is too late to
         * count: rank 0 may be writing) */
        if (stopped)
            rc = pk_err_set(err, PK_EINTR, "", "interrupted: no output written");
        else if (mp->rank == 0) {
            finish(r, &rule);
            if (r->fails == r->sims)
                rc = pk_err_set(err, PK_ESOLVER, "", "every simulation failed");
        }
    }
    r->seconds = pk_clock_s() - j.t0;
    sweep_sim_free(&j.sm);
    free(j.tr);
    free(j.dly);
    return rc;
}
