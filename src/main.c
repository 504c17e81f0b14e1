/* pksim: command-line entry.  Only this file prints errors and chooses
 * exit statuses: 0 success, 1 internal, 2 bad input or unwritable output,
 * 4 solver failure. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <gsl/gsl_errno.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "pk_clock.h"
#include "pk_cli.h"
#include "pk_fit.h"
#include "pk_fitout.h"
#include "pk_out.h"
#include "pk_describe.h"
#include "pk_plot.h"
#include "pk_popfit.h"
#include "pk_popfit_out.h"
#include "pk_popprior.h"
#include "pk_runinfo.h"
#include "pk_patient.h"
#include "pk_simulate.h"
#include "pk_mpi.h"
#include "pk_trial.h"
#include "pk_rules.h"
#include "pk_sweep.h"

static int omp_max_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

static int exit_status(int code)
{
    switch (code) {
    case PK_OK:
        return 0;
    case PK_EINPUT:
    case PK_EIO:
        return 2;
    case PK_ESOLVER:
        return 4;
    case PK_ENOGNUPLOT:
        return 3;
    case PK_EINTR:
        return 128 + pk_interrupted();
    default:
        return 1;
    }
}

static int report(const pk_err *err)
{
    pk_out_remove_created();
    char line[1200];
    pk_err_format(err, line, sizeof line);
    fprintf(stderr, "%s\n", line);
    return exit_status(err->code);
}

static const char *prior_name(pk_prior_kind k)
{
    switch (k) {
    case PK_PRIOR_LOGNORMAL:
        return "log-normal CV";
    case PK_PRIOR_LOGITNORMAL:
        return "logit-normal SD";
    case PK_PRIOR_LOG10NORMAL:
        return "log10-normal SD";
    default:
        return "fixed";
    }
}

/* Plot after simulate or fit: a failure is reported, the data stay. */
static int plot_after(const char *csv, const pk_patient *p, int with_obs)
{
    pk_plot_opts po = pk_plot_default_opts();
    pk_err err = {0};
    char written[1200];
    if (pk_plot_csv(csv, p, with_obs, &po, written, sizeof written, &err))
        return report(&err);
    printf("wrote %s\n", written);
    return 0;
}

static int cmd_plot(const pk_cli *cli)
{
    pk_err err = {0};
    char written[1200];
    if (pk_plot_path(cli->file, &cli->plot_opts, written, sizeof written, &err))
        return report(&err);
    if (cli->plot_opts.out || strcmp(cli->plot_opts.format, "dumb") != 0)
        printf("wrote %s\n", written);
    return 0;
}

static int cmd_sweep(const pk_cli *cli)
{
    pk_sweep_opts so = cli->sweep;
    const char *out_dir = cli->out_dir, *rules_file = cli->rules_file;
    const char *file = cli->file;
    int quiet = cli->quiet, plot = cli->plot;
    so.progress = isatty(STDERR_FILENO);
    pk_err err = {0};
    pk_patient p;
    pk_sweep_result res = {0};
    pk_rules rules;
    int rc = pk_patient_load(file, &p, &err);
    if (rc == PK_OK && rules_file && (rc = pk_rules_load(rules_file, p.model, &rules, &err)) == PK_OK)
        so.rules = &rules;
    if (rc == PK_OK && p.posterior[0] && !so.point) {
        /* posterior.csv sits beside the fit.ini that names it */
        const char *slash = strrchr(file, '/');
        snprintf(so.posterior, sizeof so.posterior, "%.*s%s",
                 slash ? (int)(slash - file + 1) : 0, file, p.posterior);
    }
    if (rc == PK_OK)
        rc = pk_sweep_run(&p, &so, &res, &err);
    char dir[1024];
    if (rc == PK_OK) {
        /* a fit's sweep goes beside its fit.ini, wherever that is; a
         * patient file's under results/<id>/ */
        const char *slash = strrchr(file, '/');
        if (out_dir)
            snprintf(dir, sizeof dir, "%s", out_dir);
        else if (p.posterior[0])
            snprintf(dir, sizeof dir, "%.*ssweep", slash ? (int)(slash - file + 1) : 0, file);
        else
            snprintf(dir, sizeof dir, "results/%s/sweep", p.id);
        rc = pk_sweep_write(dir, &p, &so, &res, &err);
        pk_runinfo ri = {cli->argc, cli->argv, "sweep", so.seed, so.threads, so.rtol,
                         {file, so.posterior[0] ? so.posterior : NULL, rules_file, NULL}, NULL, 0};
        if (ri.inputs[1] == NULL) { /* no posterior: the rules file in its place */
            ri.inputs[1] = rules_file;
            ri.inputs[2] = NULL;
        }
        if (rc == PK_OK)
            rc = pk_runinfo_write(dir, "run.json", &ri, &err);
    }
    if (rc == PK_OK) {
        if (!quiet) {
            pk_sweep_print(stdout, &p, &so, &res);
            printf("wrote %s/{sweep.csv,sweep_trajectories.csv,sweep_summary.txt,sweep_events.csv,"
                   "sweep_draws.csv%s}\n", dir, so.rules ? ",sweep_doses.csv" : "");
        }
        fprintf(stderr, "pksim sweep: %ld simulations in %.2f s (%.0f per second)\n", res.sims,
                res.seconds, res.sims / (res.seconds > 0 ? res.seconds : 1));
        if (res.fails)
            fprintf(stderr, "pksim sweep: warning: %ld simulations failed and are left out (see "
                            "sweep_summary.txt)\n", res.fails);
        if (plot) {
            pk_plot_opts po = pk_plot_default_opts();
            char written[2500];
            pk_err e2 = {0};
            if (pk_plot_sweep(dir, &po, written, sizeof written, &e2)) {
                pk_sweep_result_free(&res);
                pk_patient_free(&p);
                return report(&e2);
            }
            printf("wrote %s\n", written);
        }
    }
    pk_sweep_result_free(&res);
    pk_patient_free(&p);
    return rc == PK_OK ? 0 : report(&err);
}

/* trial's files in a stage directory, swapped in whole (rank 0). */
enum { TRIAL_PATIENTS, TRIAL_TABLE, TRIAL_EVENTS, TRIAL_SUMMARY, TRIAL_N };

static int trial_write(const char *stage, pk_out *out, const pk_cli *cli, const pk_trial_pop *pop,
                       const pk_trial_opts *o, const pk_trial_result *r, pk_err *err)
{
    static const char *const names[TRIAL_N] = {"trial_patients.csv", "trial.csv",
                                               "trial_events.csv", "trial_summary.txt"};
    int rc = PK_OK;
    for (int i = TRIAL_TABLE; i < TRIAL_N && rc == PK_OK; i++)
        rc = pk_out_open(&out[i], stage, names[i], err);
    if (rc == PK_OK) {
        pk_trial_write_files(out[TRIAL_TABLE].f, out[TRIAL_EVENTS].f, out[TRIAL_SUMMARY].f, pop,
                             o, r);
        rc = pk_out_commit_all(out, TRIAL_N, err);
    }
    pk_runinfo ri = {cli->argc, cli->argv, "trial", o->sw.seed, o->sw.threads, o->sw.rtol,
                     {cli->file, cli->trial_patient, cli->rules_file, NULL}, NULL, 0};
    if (!ri.inputs[1]) {
        ri.inputs[1] = ri.inputs[2];
        ri.inputs[2] = NULL;
    }
    if (rc == PK_OK)
        rc = pk_runinfo_write(stage, "run.json", &ri, err);
    return rc;
}

static int cmd_trial(const pk_cli *cli)
{
    pk_trial_opts o = cli->trial;
    pk_mpi mp;
    if (pk_mpi_init(&mp)) {
        fprintf(stderr, "pksim: MPI: cannot start, or without MPI_THREAD_FUNNELED\n");
        return 1;
    }
    int root = mp.rank == 0;
    o.progress = root && isatty(STDERR_FILENO);
    pk_err err = {0};
    pk_trial_pop pop;
    pk_rules rules;
    pk_trial_result res = {0};
    pk_out out[TRIAL_N];
    memset(out, 0, sizeof out);
    char stage[1200] = "";
    const char *dir = cli->out_dir ? cli->out_dir : "results/trial";
    int rc = pk_trial_pop_load(cli->file, cli->trial_patient, &pop, &err);
    if (rc == PK_OK && cli->rules_file &&
        (rc = pk_rules_load(cli->rules_file, pop.tmpl.model, &rules, &err)) == PK_OK)
        o.sw.rules = &rules;
    if (rc == PK_OK)
        rc = pk_trial_check(&pop, &o, &err);
    if (rc == PK_OK && root && (rc = pk_out_stage_dir(dir, stage, sizeof stage, &err)) == PK_OK &&
        o.per_patient &&
        (rc = pk_out_open(&out[TRIAL_PATIENTS], stage, "trial_patients.csv", &err)) == PK_OK)
        pk_trial_patients_header(out[TRIAL_PATIENTS].f, &pop);
    /* every rank has checked the same inputs; only rank 0's output can fail */
    if (pk_mpi_any(&mp, rc != PK_OK) && rc == PK_OK)
        rc = pk_err_set(&err, PK_EIO, "", "rank 0 cannot write its output");
    if (rc == PK_OK)
        rc = pk_trial_run(&pop, &o, &mp, out[TRIAL_PATIENTS].f, &res, &err);
    if (rc == PK_OK && root)
        rc = trial_write(stage, out, cli, &pop, &o, &res, &err);
    for (int i = 0; i < TRIAL_N; i++)
        pk_out_abort(&out[i]);
    if (rc == PK_OK && root)
        rc = pk_out_swap_dir(stage, dir, "trial.csv", &err);
    if (stage[0] && rc != PK_OK)
        pk_out_drop_dir(stage);
    if (rc == PK_OK && root) {
        if (!cli->quiet) {
            pk_trial_print(stdout, &pop, &o, &res);
            printf("wrote %s/{trial.csv,trial_events.csv,trial_summary.txt%s,run.json}\n", dir,
                   o.per_patient ? ",trial_patients.csv" : "");
        }
        fprintf(stderr, "pksim trial: %ld simulations in %.2f s (%.0f per second; %s, %d rank%s x "
                "%d threads; reduction %.3f s; waiting %.1f%% of rank time)\n", res.sims,
                res.seconds, res.sims / (res.seconds > 0 ? res.seconds : 1), pk_mpi_build(),
                res.ranks, res.ranks == 1 ? "" : "s", res.threads, res.reduce_seconds,
                100 * res.wait_seconds / (res.ranks * (res.seconds > 0 ? res.seconds : 1)));
        if (res.fails)
            fprintf(stderr, "pksim trial: warning: %ld simulations failed and are left out (see "
                            "trial_summary.txt)\n", res.fails);
    }
    pk_trial_result_free(&res);
    pk_trial_pop_free(&pop);
    pk_mpi_finalize(&mp);
    if (rc == PK_OK)
        return 0;
    if (!root) /* rank 0 says it once */
        return exit_status(err.code);
    return report(&err);
}

static int cmd_import(const pk_cli *cli)
{
    pk_import_opts o = cli->import;
    char dir[1024];
    if (!o.dir)
        o.dir = pk_import_default_dir(cli->file, dir, sizeof dir);
    pk_err err = {0};
    pk_import_set set;
    int rc = pk_import_read(cli->file, &o, &set, &err);
    if (rc == PK_OK)
        rc = pk_import_write(&set, &o, cli->file, &err);
    if (rc == PK_OK && !cli->quiet) {
        for (size_t i = 0; i < set.n; i++)
            printf("wrote %s (%zu doses, %zu observations)\n", set.s[i].path,
                   set.s[i].patient.n_regimen, set.s[i].patient.n_obs);
        if (set.ignored[0])
            printf("columns not read: %s\n", set.ignored);
    }
    pk_import_set_free(&set);
    return rc == PK_OK ? 0 : report(&err);
}

static int cmd_export(const pk_cli *cli)
{
    pk_err err = {0};
    size_t rows = 0;
    if (pk_export_run((const char *const *)cli->files, cli->n_files, &cli->export, &rows, &err))
        return report(&err);
    if (!cli->quiet)
        printf("wrote %s (%zu rows, %zu patients)\n", cli->export.out, rows, cli->n_files);
    return 0;
}

static int cmd_models(const pk_cli *cli)
{
    if (cli->file) {
        pk_describe_model(stdout, pk_model_find(cli->file));
        return 0;
    }
    for (size_t i = 0; i < pk_model_count(); i++) {
        const pk_model *m = pk_model_at(i);
        printf("%s: %s\n  states (%zu):", m->name, m->summary, m->n_state);
        for (size_t k = 0; k < m->n_state; k++)
            printf(" %s[%s]", m->state[k].name, m->state[k].unit);
        printf("\n  observables:");
        for (size_t k = 0; k < m->n_obs; k++)
            printf(" %s[%s]%s", m->obs[k].name, m->obs[k].unit,
                   m->obs[k].error == PK_ERRMODEL_NONE ? "(output)" : "");
        printf("\n  %-18s %-20s %12s  %-16s %7s  %s\n", "parameter", "unit", "median", "prior",
               "spread", "source");
        for (size_t k = 0; k < m->n_param; k++) {
            const pk_param_def *d = &m->param[k];
            char med[32], spread[32];
            pk_describe_prior(d, "from data", "", med, spread);
            printf("  %-18s %-20s %12s  %-16s %7s  %s\n", d->name, d->unit, med,
                   prior_name(d->prior), spread, d->source);
        }
        printf("\n");
    }
    return 0;
}

static int cmd_simulate(const pk_cli *cli)
{
    const pk_sim_request rq = cli->sim;
    const char *out_dir = cli->out_dir, *file = cli->file;
    int quiet = cli->quiet, plot = cli->plot;

    pk_err err = {0};
    pk_patient p;
    pk_sim_result res = {0};
    int rc = pk_patient_load(file, &p, &err);
    if (rc == PK_OK)
        rc = pk_simulate_patient(&p, &rq, &res, &err);
    if (rc == PK_OK) {
        char dir[1024];
        if (out_dir)
            snprintf(dir, sizeof dir, "%s", out_dir);
        else
            snprintf(dir, sizeof dir, "results/%s", p.id);
        /* the set (simulation.csv, and .png with --plot) under DIR's lock */
        pk_out o = {0};
        int lock = pk_out_lock(dir, 0, &err);
        rc = lock < 0 ? err.code : pk_out_open(&o, dir, "simulation.csv", &err);
        if (rc == PK_OK) {
            pk_simulate_write_csv(&res, o.f);
            rc = pk_out_commit(&o, &err);
            pk_runinfo ri = {cli->argc, cli->argv, "simulate", 0, 1, rq.rtol, {file, NULL}, NULL, 0};
            if (rc == PK_OK)
                rc = pk_runinfo_write(dir, "simulation.run.json", &ri, &err);
            pk_out_abort(&o);
        }
        if (rc == PK_OK && !quiet) {
            pk_simulate_print_summary(&p, &res, stdout);
            printf("wrote %s (%zu rows)\n", o.path, res.n_time);
        }
        if (rc == PK_OK && plot) {
            int prc = plot_after(o.path, &p, 0);
            pk_out_unlock(lock);
            pk_sim_result_free(&res);
            pk_patient_free(&p);
            return prc;
        }
        pk_out_unlock(lock);
    }
    pk_sim_result_free(&res);
    pk_patient_free(&p);
    return rc == PK_OK ? 0 : report(&err);
}

/* The patient, its [solver] settings and --prior applied, as a fit
 * problem. */
static int fit_problem(const pk_cli *cli, pk_patient *p, pk_fit_opts *fo, pk_fit_problem *fp,
                       pk_err *err)
{
    pk_popprior pop;
    int rc = pk_patient_load(cli->file, p, err);
    if (rc)
        return rc;
    /* the file's [solver]: its engine, and its rtol unless --rtol changed
     * the default (the CLI cannot tell an explicit "--rtol 1e-6" from none) */
    fo->coupled = p->coupled;
    if (p->rtol > 0 && fo->rtol == pk_fit_default_opts().rtol)
        fo->rtol = p->rtol;
    if (cli->fit_prior && (rc = pk_popprior_apply(cli->fit_prior, p, &pop, err)))
        return rc;
    if ((rc = pk_fit_problem_init(fp, p, fo, err)))
        return rc;
    return cli->fit_prior ? pk_popprior_to_problem(&pop, fp, err) : PK_OK;
}

static int cmd_fit(const pk_cli *cli)
{
    pk_fit_opts fo = cli->fit;
    const char *out_dir = cli->out_dir;
    int quiet = cli->quiet, plot = cli->plot;
    fo.progress = isatty(STDERR_FILENO);
    pk_err err = {0};
    pk_patient p;
    pk_fit_problem fp = {0};
    pk_fit_result res = {0};
    pk_fit_bands bands = {0};
    double t0 = pk_clock_s();
    int rc = fit_problem(cli, &p, &fo, &fp, &err);
    if (rc == PK_OK)
        rc = pk_fit_run(&fp, &res, &err);
    double t1 = pk_clock_s();
    if (rc == PK_OK)
        rc = pk_fit_bands_run(&fp, &res, &cli->bands, &bands, &err);
    double t2 = pk_clock_s();
    char dir[1024];
    int lock = -1;
    if (rc == PK_OK) {
        snprintf(dir, sizeof dir, "%s", out_dir ? out_dir : "");
        if (!out_dir)
            snprintf(dir, sizeof dir, "results/%s", p.id);
        /* the four files (and fit.png with --plot) under DIR's lock */
        lock = pk_out_lock(dir, 0, &err);
        rc = lock < 0 ? err.code : pk_fitout_write(dir, &fp, &res, &bands, &err);
        pk_runinfo ri = {cli->argc,  cli->argv, "fit", fo.seed, fo.threads, fo.rtol,
                         {cli->file, cli->fit_prior, NULL}, NULL, 0};
        if (rc == PK_OK)
            rc = pk_runinfo_write(dir, "run.json", &ri, &err);
    }
    if (rc == PK_OK) {
        if (!quiet) {
            pk_fitout_summary(stdout, &fp, &res);
            printf("\nwrote %s/{fit.ini,fit_summary.txt,fit.csv,posterior.csv,fit_obs.csv,"
                   "fit_params.csv,run.json}\n", dir);
        }
        fprintf(stderr, "pksim fit: %.2f s (optimisation %.2f s, sampling %.2f s, bands %.2f s), "
                        "%ld solver runs, %d threads, %s engine at rtol %g\n",
                t2 - t0, res.t_opt_s, res.t_sir_s, t2 - t1, res.n_sims + bands.n_solved,
                fo.threads > 0 ? fo.threads : omp_max_threads(), fo.coupled ? "coupled" : "split",
                fo.rtol);
        if (plot) {
            char csv[1100], ini[1100];
            snprintf(csv, sizeof csv, "%s/fit.csv", dir);
            snprintf(ini, sizeof ini, "%s/fit.ini", dir);
            pk_patient fitted;
            pk_err e2 = {0};
            int prc = pk_patient_load(ini, &fitted, &e2) ? report(&e2)
                                                          : plot_after(csv, &fitted, 1);
            pk_patient_free(&fitted);
            if (prc) { /* the data are written; the exit status is the plot's */
                pk_out_unlock(lock);
                pk_fit_bands_free(&bands);
                pk_fit_result_free(&res);
                pk_fit_problem_free(&fp);
                pk_patient_free(&p);
                return prc;
            }
        }
    }
    pk_out_unlock(lock);
    pk_fit_bands_free(&bands);
    pk_fit_result_free(&res);
    pk_fit_problem_free(&fp);
    pk_patient_free(&p);
    return rc == PK_OK ? 0 : report(&err);
}

static int cmd_popfit(const pk_cli *cli)
{
    const pk_popfit_request *rq = &cli->pop;
    pk_popfit_opts o = rq->o;
    o.progress = isatty(STDERR_FILENO);
    pk_err err = {0};
    size_t n = rq->n_files, loaded = 0;
    pk_patient *pt = calloc(n, sizeof *pt);
    pk_popfit pf = {0};
    pk_popfit_result res = {0};
    int rc = pt ? PK_OK : pk_err_set(&err, PK_ENOMEM, "", "out of memory");
    if (rq->model) { /* one data set: its subjects, loaded in memory */
        pk_import_opts io = {.model = pk_model_find(rq->model), .dir = ".",
                             .n_obs_spec = rq->n_obs_spec};
        memcpy(io.obs_spec, rq->obs_spec, rq->n_obs_spec * sizeof *rq->obs_spec);
        pk_import_set set = {0};
        free(pt);
        pt = NULL;
        rc = pk_import_read(rq->files[0], &io, &set, &err);
        if (rc == PK_OK && !(pt = calloc(set.n ? set.n : 1, sizeof *pt)))
            rc = pk_err_set(&err, PK_ENOMEM, "", "out of memory");
        for (size_t i = 0; rc == PK_OK && i < set.n; i++) { /* the patients change owner */
            pt[i] = set.s[i].patient;
            memset(&set.s[i].patient, 0, sizeof set.s[i].patient);
        }
        n = loaded = rc == PK_OK ? set.n : 0;
        pk_import_set_free(&set);
    }
    for (; rc == PK_OK && loaded < n; loaded++)
        rc = pk_patient_load(rq->files[loaded], &pt[loaded], &err);
    if (rc == PK_OK)
        rc = pk_popfit_resolve(&pt[0], rq->estimate, rq->omega, rq->n_omega, &o, &err);
    if (rc == PK_OK)
        rc = pk_popfit_init(&pf, pt, n, &o, &err);
    if (rc == PK_OK)
        rc = pk_popfit_run(&pf, &res, &err);
    const char *dir = cli->out_dir ? cli->out_dir : "results/popfit";
    int lock = -1;
    if (rc == PK_OK) {
        lock = pk_out_lock(dir, 0, &err);
        rc = lock < 0 ? err.code : pk_popfit_write(dir, &pf, &res, &err);
        pk_runinfo ri = {cli->argc, cli->argv, "popfit", 0, o.threads, o.rtol, {NULL},
                         rq->files, rq->n_files};
        if (rc == PK_OK)
            rc = pk_runinfo_write(dir, "run.json", &ri, &err);
    }
    if (rc == PK_OK) {
        if (!cli->quiet) {
            pk_popfit_summary(stdout, &pf, &res);
            printf("\nwrote %s/{popfit.ini,popfit_summary.txt,popfit_params.csv,"
                   "popfit_subjects.csv,popfit_obs.csv,popfit_traj.csv,run.json}\n", dir);
        }
        fprintf(stderr, "pksim popfit: %.2f s, %d iterations, %ld evaluations, %ld solver runs, "
                "%d threads\n", res.t_s, res.iter, res.evals, res.sims,
                o.threads > 0 ? o.threads : omp_max_threads());
    }
    int prc = 0;
    if (rc == PK_OK && cli->plot) { /* under the lock; the data stay whatever the figures do */
        pk_plot_opts po = pk_plot_default_opts();
        char written[2500];
        pk_err e2 = {0};
        if (pk_plot_popfit(dir, &po, written, sizeof written, &e2))
            prc = report(&e2);
        else
            printf("wrote %s\n", written);
    }
    pk_out_unlock(lock);
    pk_popfit_result_free(&res);
    pk_popfit_free(&pf);
    for (size_t i = 0; i < loaded; i++)
        pk_patient_free(&pt[i]);
    free(pt);
    return rc == PK_OK ? prc : report(&err);
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    pk_interrupt_install();
    if (argc < 2) {
        fputs(pk_cli_usage, stderr);
        return 2;
    }
    pk_cli cli;
    char msg[1400];
    /* getopt permutes argv: run.json keeps the line as typed */
    char *typed[256];
    int n_typed = argc < 256 ? argc : 256;
    for (int i = 0; i < n_typed; i++)
        typed[i] = argv[i];
    int rc = pk_cli_parse(argc, argv, &cli, msg, sizeof msg);
    cli.argc = n_typed;
    cli.argv = typed;
    if (rc) {
        fprintf(stderr, "%s\n", msg);
        return rc;
    }
    switch (cli.cmd) {
    case PK_CMD_HELP:
    {
        static char help[8192];
        fputs(pk_cli_help(cli.help_for, help, sizeof help), stdout);
        return 0;
    }
    case PK_CMD_VERSION:
        printf("pksim %s\n", PKSIM_VERSION);
        return 0;
    case PK_CMD_MODELS:
        return cmd_models(&cli);
    case PK_CMD_SIMULATE:
        return cmd_simulate(&cli);
    case PK_CMD_FIT:
        return cmd_fit(&cli);
    case PK_CMD_SWEEP:
        return cmd_sweep(&cli);
    case PK_CMD_PLOT:
        return cmd_plot(&cli);
    case PK_CMD_POPFIT:
        return cmd_popfit(&cli);
    case PK_CMD_IMPORT:
        return cmd_import(&cli);
    case PK_CMD_EXPORT:
        return cmd_export(&cli);
    case PK_CMD_TRIAL:
        return cmd_trial(&cli);
    }
    return 1;
}
