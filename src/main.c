/* pksim: command-line entry.  Only this file prints errors and chooses
 * exit statuses: 0 success, 1 internal, 2 bad input or unwritable output,
 * 4 solver failure. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "pk_fit.h"
#include "pk_fitout.h"
#include "pk_out.h"
#include "pk_plot.h"
#include "pk_patient.h"
#include "pk_simulate.h"
#include "pk_rules.h"
#include "pk_sweep.h"

static const char usage_text[] =
    "usage: pksim COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  simulate FILE   simulate a patient file; writes DIR/simulation.csv\n"
    "      --days N            horizon in days (default: last dose or observation)\n"
    "      --every DAYS        output spacing (default 1)\n"
    "      --dose MG_PER_DAY   replace the file's dosing from day 0 (200-800, tablets of 200)\n"
    "      --schedule qd|bid   with --dose (default bid; 600 = 400 + 200)\n"
    "      --out DIR           output directory (default results/<patient id>)\n"
    "      --coupled           reference engine: all states in one CVODE problem\n"
    "      --rtol X            solver relative tolerance\n"
    "      --quiet             no summary table on standard output\n"
    "      --plot              also draw DIR/simulation.png\n"
    "  fit FILE        Bayesian MAP fit of the patient's observations; writes DIR/fit.ini,\n"
    "                  fit_summary.txt, fit.csv and posterior.csv\n"
    "      --starts K          optimiser starts (default 16; start 1 at the prior medians)\n"
    "      --seed S            random seed (default 1)\n"
    "      --threads N         threads (default: all cores); results do not depend on it\n"
    "      --draws N           posterior draws (default 1000)\n"
    "      --proposals M       SIR proposals (default 5000)\n"
    "      --no-priors         maximum likelihood instead of MAP\n"
    "      --jacobian sens|fd  CVODES sensitivities (default) or finite differences\n"
    "      --rtol X            solver tolerance in the fit (default 1e-6)\n"
    "      --out DIR           output directory (default results/<patient id>)\n"
    "      --quiet             no summary on standard output\n"
    "      --plot              also draw DIR/fit.png\n"
    "  sweep FILE      dosing scenarios with uncertainty: FILE is a patient file (draws from\n"
    "                  the priors) or a fit.ini (posterior draws); writes DIR/sweep.csv,\n"
    "                  sweep_trajectories.csv, sweep_summary.txt\n"
    "      --doses LIST        daily doses, mg (default 200,400,600,800; 0 = no drug)\n"
    "      --schedules LIST    qd,bid (default both)\n"
    "      --days N            horizon (default 180)\n"
    "      --draws N           parameter draws (default 1000)\n"
    "      --point             the MAP (or prior medians) once per scenario\n"
    "      --rank READOUT      order by this read-out's median (default: relapse-free days\n"
    "                          with at most --max-grade4-days median grade IV days, 14)\n"
    "      --rules FILE        add a rule-based scenario (e.g. params/rules_clinical.ini)\n"
    "      --noisy-counts      rules see counts with the error model's noise\n"
    "      --seed S, --threads N, --out DIR (default results/<id>/sweep), --quiet\n"
    "      --plot              also draw sweep_readouts.png and sweep_trajectories.png\n"
    "  plot PATH       figure of a fit (DIR with fit.csv and fit.ini) or a simulation\n"
    "                  (simulation.csv) through gnuplot; written beside the CSV\n"
    "      --format png|svg|pdf|dumb   (default png; dumb draws in the terminal)\n"
    "      --size WxH          pixels (default 1200x900; dumb: characters, 120x60)\n"
    "      --out FILE          output file\n"
    "      --show              interactive window (needs gnuplot-qt or gnuplot-x11)\n"
    "  --plot on simulate and fit draws the PNG right after writing the data\n"
    "  models          list the models with their parameters, units, priors and sources\n"
    "\n"
    "  --help, --version\n";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

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
    char line[1200];
    pk_err_format(err, line, sizeof line);
    fprintf(stderr, "%s\n", line);
    return exit_status(err->code);
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "pksim: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see 'pksim --help')\n");
    return 2;
}

/* The options every command shares the handling of: --help, a missing
 * value, an unknown option.  Returns the exit status. */
static int other_option(int c, char **argv)
{
    if (c == 'h') {
        fputs(usage_text, stdout);
        return 0;
    }
    if (c == ':')
        return usage_error("%s needs a value", argv[optind - 1]);
    return usage_error("unknown option '%s'", argv[optind - 1]);
}

static int parse_double_arg(const char *opt, const char *s, double *out);

/* --rtol: a relative tolerance in 1e-14..1e-3. */
static int parse_rtol_arg(const char *s, double *out)
{
    if (parse_double_arg("--rtol", s, out))
        return -1;
    if (!(*out >= 1e-14 && *out <= 1e-3)) {
        fprintf(stderr, "pksim: --rtol: '%s' must lie in 1e-14..1e-3\n", s);
        return -1;
    }
    return 0;
}

static int parse_double_arg(const char *opt, const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v)) {
        fprintf(stderr, "pksim: %s: '%s' is not a number\n", opt, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_int_arg(const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi) {
        fprintf(stderr, "pksim: %s: '%s' is not a whole number in %ld-%ld\n", opt, s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
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

/* Parses "WxH". */
static int parse_size(const char *s, pk_plot_opts *o)
{
    int w, h;
    char tail;
    if (sscanf(s, "%dx%d%c", &w, &h, &tail) != 2 || w < 20 || h < 10 || w > 20000 || h > 20000) {
        fprintf(stderr, "pksim: --size: '%s' is not WIDTHxHEIGHT (e.g. 1200x900)\n", s);
        return -1;
    }
    o->width = w;
    o->height = h;
    return 0;
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

static int cmd_plot(int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, 0, 'f'}, {"size", required_argument, 0, 's'},
        {"out", required_argument, 0, 'o'},    {"show", no_argument, 0, 'w'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    pk_plot_opts po = pk_plot_default_opts();
    int c, size_set = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            po.format = optarg;
            break;
        case 's':
            if (parse_size(optarg, &po))
                return 2;
            size_set = 1;
            break;
        case 'o':
            po.out = optarg;
            break;
        case 'w':
            po.show = 1;
            break;
        default:
            return other_option(c, argv);
        }
    }
    if (optind + 1 != argc)
        return usage_error("%s", "plot takes one directory or CSV file");
    if (!size_set && strcmp(po.format, "dumb") == 0) {
        po.width = 120;
        po.height = 60;
    }
    pk_err err = {0};
    char written[1200];
    if (pk_plot_path(argv[optind], &po, written, sizeof written, &err))
        return report(&err);
    if (po.out || strcmp(po.format, "dumb") != 0)
        printf("wrote %s\n", written);
    return 0;
}

static int cmd_sweep(int argc, char **argv)
{
    static const struct option opts[] = {
        {"doses", required_argument, 0, 'D'},  {"schedules", required_argument, 0, 'S'},
        {"days", required_argument, 0, 'd'},   {"draws", required_argument, 0, 'n'},
        {"point", no_argument, 0, 'P'},        {"rank", required_argument, 0, 'R'},
        {"max-grade4-days", required_argument, 0, 'g'},
        {"seed", required_argument, 0, 's'},   {"threads", required_argument, 0, 't'},
        {"out", required_argument, 0, 'o'},    {"quiet", no_argument, 0, 'q'},
        {"rules", required_argument, 0, 'U'},  {"noisy-counts", no_argument, 0, 'N'},
        {"plot", no_argument, 0, 'p'},         {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    pk_sweep_opts so = pk_sweep_default_opts();
    const char *out_dir = NULL, *rules_file = NULL;
    int quiet = 0, plot = 0, c;
    long v;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case 'D': {
            so.n_doses = 0;
            char buf[256];
            snprintf(buf, sizeof buf, "%s", optarg);
            char *save = NULL;
            for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                double d;
                if (so.n_doses == 8 || parse_double_arg("--doses", t, &d))
                    return usage_error("--doses: '%s': give up to 8 daily doses in mg", optarg);
                if (d != 0 && (d < 200 || d > 800))
                    return usage_error("--doses: %s mg/day is outside 200-800 (0 = no drug)", t);
                so.doses[so.n_doses++] = d;
            }
            break;
        }
        case 'S':
            so.qd = strstr(optarg, "qd") != NULL;
            so.bid = strstr(optarg, "bid") != NULL;
            if ((!so.qd && !so.bid) || strspn(optarg, "qdbi,") != strlen(optarg))
                return usage_error("--schedules: '%s' is a list of qd and bid", optarg);
            break;
        case 'd':
            if (parse_double_arg("--days", optarg, &so.days))
                return 2;
            break;
        case 'n':
            if (parse_int_arg("--draws", optarg, 1, 1000000, &v))
                return 2;
            so.draws = (int)v;
            break;
        case 'P':
            so.point = 1;
            break;
        case 'U':
            rules_file = optarg;
            break;
        case 'N':
            so.noisy_counts = 1;
            break;
        case 'p':
            plot = 1;
            break;
        case 'R':
            so.rank = optarg;
            break;
        case 'g':
            if (parse_double_arg("--max-grade4-days", optarg, &so.max_g4_days))
                return 2;
            break;
        case 's':
            if (parse_int_arg("--seed", optarg, 0, 2147483647L, &v))
                return 2;
            so.seed = (unsigned long)v;
            break;
        case 't':
            if (parse_int_arg("--threads", optarg, 1, 1024, &v))
                return 2;
            so.threads = (int)v;
            break;
        case 'o':
            out_dir = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        default:
            return other_option(c, argv);
        }
    }
    if (optind + 1 != argc)
        return usage_error("%s", "sweep takes one patient file or fit.ini");
    so.progress = isatty(STDERR_FILENO);
    pk_err err = {0};
    pk_patient p;
    pk_sweep_result res = {0};
    pk_rules rules;
    int rc = pk_patient_load(argv[optind], &p, &err);
    if (rc == PK_OK && rules_file && (rc = pk_rules_load(rules_file, p.model, &rules, &err)) == PK_OK)
        so.rules = &rules;
    if (rc == PK_OK && so.noisy_counts && !rules_file) {
        pk_patient_free(&p);
        return usage_error("%s", "--noisy-counts goes with --rules");
    }
    if (rc == PK_OK && p.posterior[0] && !so.point) {
        /* posterior.csv sits beside the fit.ini that names it */
        const char *slash = strrchr(argv[optind], '/');
        snprintf(so.posterior, sizeof so.posterior, "%.*s%s",
                 slash ? (int)(slash - argv[optind] + 1) : 0, argv[optind], p.posterior);
    }
    if (rc == PK_OK)
        rc = pk_sweep_run(&p, &so, &res, &err);
    char dir[1024];
    if (rc == PK_OK) {
        if (out_dir)
            snprintf(dir, sizeof dir, "%s", out_dir);
        else
            snprintf(dir, sizeof dir, "results/%s/sweep", p.id);
        rc = pk_sweep_write(dir, &p, &so, &res, &err);
    }
    if (rc == PK_OK) {
        if (!quiet) {
            pk_sweep_print(stdout, &p, &so, &res);
            printf("wrote %s/{sweep.csv,sweep_trajectories.csv,sweep_summary.txt%s}\n", dir,
                   so.rules ? ",sweep_doses.csv" : "");
        }
        fprintf(stderr, "pksim sweep: %ld simulations in %.2f s (%.0f per second)\n", res.sims,
                res.seconds, res.sims / (res.seconds > 0 ? res.seconds : 1));
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

static int cmd_models(void)
{
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
            char med[32], spread[32] = "";
            if (isnan(d->median))
                snprintf(med, sizeof med, "from data");
            else
                snprintf(med, sizeof med, "%.6g", d->median);
            if (d->prior == PK_PRIOR_LOGNORMAL)
                snprintf(spread, sizeof spread, "%g%%", 100 * d->spread);
            else if (d->prior != PK_PRIOR_FIXED)
                snprintf(spread, sizeof spread, "%g", d->spread);
            printf("  %-18s %-20s %12s  %-16s %7s  %s\n", d->name, d->unit, med,
                   prior_name(d->prior), spread, d->source);
        }
        printf("\n");
    }
    return 0;
}

static int cmd_simulate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"days", required_argument, 0, 'd'},   {"every", required_argument, 0, 'e'},
        {"dose", required_argument, 0, 'D'},   {"schedule", required_argument, 0, 's'},
        {"out", required_argument, 0, 'o'},    {"coupled", no_argument, 0, 'c'},
        {"rtol", required_argument, 0, 'r'},   {"quiet", no_argument, 0, 'q'},
        {"plot", no_argument, 0, 'p'},         {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    pk_sim_request rq = pk_sim_default_request();
    const char *out_dir = NULL;
    int quiet = 0, schedule_set = 0, plot = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (parse_double_arg("--days", optarg, &rq.days))
                return 2;
            if (!(rq.days > 0))
                return usage_error("--days: '%s' must be positive", optarg);
            break;
        case 'e':
            if (parse_double_arg("--every", optarg, &rq.every_day))
                return 2;
            break;
        case 'D':
            if (parse_double_arg("--dose", optarg, &rq.dose_mg_per_day))
                return 2;
            if (!(rq.dose_mg_per_day > 0))
                return usage_error("--dose: '%s' must be a positive daily dose in mg", optarg);
            break;
        case 's':
            rq.schedule = optarg;
            schedule_set = 1;
            break;
        case 'o':
            out_dir = optarg;
            break;
        case 'c':
            rq.coupled = 1;
            break;
        case 'r':
            if (parse_rtol_arg(optarg, &rq.rtol))
                return 2;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'p':
            plot = 1;
            break;
        default:
            return other_option(c, argv);
        }
    }
    if (optind + 1 != argc)
        return usage_error("%s", optind >= argc ? "simulate needs one patient file"
                                                : "simulate takes one patient file");
    if (schedule_set && !(rq.dose_mg_per_day > 0))
        return usage_error("%s", "--schedule goes with --dose");
    const char *file = argv[optind];

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
        pk_out o;
        rc = pk_out_open(&o, dir, "simulation.csv", &err);
        if (rc == PK_OK) {
            pk_simulate_write_csv(&res, o.f);
            rc = pk_out_commit(&o, &err);
            pk_out_abort(&o);
        }
        if (rc == PK_OK && !quiet) {
            pk_simulate_print_summary(&p, &res, stdout);
            printf("wrote %s (%zu rows)\n", o.path, res.n_time);
        }
        if (rc == PK_OK && plot) {
            int prc = plot_after(o.path, &p, 0);
            pk_sim_result_free(&res);
            pk_patient_free(&p);
            return prc;
        }
    }
    pk_sim_result_free(&res);
    pk_patient_free(&p);
    return rc == PK_OK ? 0 : report(&err);
}

static int cmd_fit(int argc, char **argv)
{
    static const struct option opts[] = {
        {"starts", required_argument, 0, 'k'}, {"seed", required_argument, 0, 'S'},
        {"threads", required_argument, 0, 't'}, {"draws", required_argument, 0, 'n'},
        {"proposals", required_argument, 0, 'm'}, {"no-priors", no_argument, 0, 'P'},
        {"jacobian", required_argument, 0, 'j'}, {"rtol", required_argument, 0, 'r'},
        {"out", required_argument, 0, 'o'}, {"quiet", no_argument, 0, 'q'},
        {"plot", no_argument, 0, 'p'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    pk_fit_opts fo = pk_fit_default_opts();
    const char *out_dir = NULL;
    int quiet = 0, plot = 0, c;
    long v;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case 'k':
            if (parse_int_arg("--starts", optarg, 1, 10000, &v))
                return 2;
            fo.starts = (int)v;
            break;
        case 'S':
            if (parse_int_arg("--seed", optarg, 0, 2147483647L, &v))
                return 2;
            fo.seed = (unsigned long)v;
            break;
        case 't':
            if (parse_int_arg("--threads", optarg, 1, 1024, &v))
                return 2;
            fo.threads = (int)v;
            break;
        case 'n':
            if (parse_int_arg("--draws", optarg, 0, 1000000, &v))
                return 2;
            fo.draws = (int)v;
            break;
        case 'm':
            if (parse_int_arg("--proposals", optarg, 1, 10000000, &v))
                return 2;
            fo.proposals = (int)v;
            break;
        case 'P':
            fo.use_priors = 0;
            break;
        case 'j':
            if (strcmp(optarg, "sens") == 0)
                fo.jacobian = PK_JAC_SENS;
            else if (strcmp(optarg, "fd") == 0)
                fo.jacobian = PK_JAC_FD;
            else
                return usage_error("--jacobian: '%s' is sens or fd", optarg);
            break;
        case 'r':
            if (parse_rtol_arg(optarg, &fo.rtol))
                return 2;
            break;
        case 'o':
            out_dir = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'p':
            plot = 1;
            break;
        default:
            return other_option(c, argv);
        }
    }
    if (optind + 1 != argc)
        return usage_error("%s", optind >= argc ? "fit needs one patient file"
                                                : "fit takes one patient file");
    fo.progress = isatty(STDERR_FILENO);
    pk_err err = {0};
    pk_patient p;
    pk_fit_problem fp = {0};
    pk_fit_result res = {0};
    pk_fit_bands bands = {0};
    double t0 = now_s();
    int rc = pk_patient_load(argv[optind], &p, &err);
    if (rc == PK_OK)
        rc = pk_fit_problem_init(&fp, &p, &fo, &err);
    if (rc == PK_OK)
        rc = pk_fit_run(&fp, &res, &err);
    double t1 = now_s();
    if (rc == PK_OK)
        /* a short course gets a finer grid for its figure */
        rc = pk_fit_bands_run(&fp, &res, pk_patient_last_day(&p) > 100 ? 1.0 : 0.25, &bands, &err);
    double t2 = now_s();
    char dir[1024];
    if (rc == PK_OK) {
        snprintf(dir, sizeof dir, "%s", out_dir ? out_dir : "");
        if (!out_dir)
            snprintf(dir, sizeof dir, "results/%s", p.id);
        rc = pk_fitout_write(dir, &fp, &res, &bands, &err);
    }
    if (rc == PK_OK) {
        if (!quiet) {
            pk_fitout_summary(stdout, &fp, &res);
            printf("\nwrote %s/{fit.ini,fit_summary.txt,fit.csv,posterior.csv}\n", dir);
        }
        fprintf(stderr, "pksim fit: %.2f s (optimisation %.2f s, sampling %.2f s, bands %.2f s), "
                        "%ld solver runs, %d threads\n",
                t2 - t0, res.t_opt_s, res.t_sir_s, t2 - t1, res.n_sims + (long)res.n_draws + 1,
                fo.threads > 0 ? fo.threads : omp_max_threads());
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
                pk_fit_bands_free(&bands);
                pk_fit_result_free(&res);
                pk_fit_problem_free(&fp);
                pk_patient_free(&p);
                return prc;
            }
        }
    }
    pk_fit_bands_free(&bands);
    pk_fit_result_free(&res);
    pk_fit_problem_free(&fp);
    pk_patient_free(&p);
    return rc == PK_OK ? 0 : report(&err);
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    pk_interrupt_install();
    if (argc < 2) {
        fputs(usage_text, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("pksim %s\n", PKSIM_VERSION);
        return 0;
    }
    if (strcmp(cmd, "models") == 0)
        return cmd_models();
    if (strcmp(cmd, "simulate") == 0)
        return cmd_simulate(argc - 1, argv + 1);
    if (strcmp(cmd, "fit") == 0)
        return cmd_fit(argc - 1, argv + 1);
    if (strcmp(cmd, "plot") == 0)
        return cmd_plot(argc - 1, argv + 1);
    if (strcmp(cmd, "sweep") == 0)
        return cmd_sweep(argc - 1, argv + 1);
    return usage_error("unknown command '%s'", cmd);
}
