/* pk_cli: command-line parsing (see pk_cli.h). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pk_cli.h"
#include "pk_text.h"

const char pk_cli_usage[] =
    "usage: pksim COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  simulate FILE   simulate a patient file; writes DIR/simulation.csv\n"
    "      --days N            horizon in days (default: last dose or observation)\n"
    "      --every DAYS        output spacing (default 1)\n"
    "      --dose MG_PER_DAY   replace the file's dosing from day 0 (200-800, tablets of 200)\n"
    "      --schedule qd|bid   with --dose (default bid; 600 = 400 + 200)\n"
    "      --from-day X        a forecast: the file's dosing before day X, --dose from X on\n"
    "                          (0 stops the drug); the rows before X are unchanged\n"
    "      --out DIR           output directory (default results/<patient id>); a run waits\n"
    "                          while another writes to DIR (flock on DIR; flock -s DIR lets a\n"
    "                          script read), so DIR holds one run's whole set, never a mix\n"
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
    "      --prior POPFIT.ini  a population fit's estimates as the priors (typical values,\n"
    "                          between-subject SDs, error factors, correlations): the TDM loop\n"
    "      --jacobian sens|fd  CVODES sensitivities (default) or finite differences\n"
    "      --rtol X            solver tolerance of the optimisation (default 1e-6)\n"
    "      --sir-rtol X        solver tolerance of the SIR proposals (default 3e-5)\n"
    "      --band all|estimated  what the figure's band and the 90% prediction interval\n"
    "                          vary: all uncertain parameters (the estimated ones from the\n"
    "                          posterior draws, the others from their priors; default) or\n"
    "                          the estimated ones only\n"
    "      --out DIR           output directory (default results/<patient id>); waits as for\n"
    "                          simulate: fit.ini, fit_summary.txt, fit.csv and posterior.csv\n"
    "                          (and fit.png) are always of one run\n"
    "      --quiet             no summary on standard output\n"
    "      --plot              also draw DIR/fit.png\n"
    "  sweep FILE      dosing scenarios with uncertainty: FILE is a patient file (draws from\n"
    "                  the priors) or a fit.ini (posterior draws); writes DIR/sweep.csv,\n"
    "                  sweep_trajectories.csv, sweep_summary.txt, sweep_events.csv,\n"
    "                  sweep_draws.csv (and sweep_doses.csv with --rules)\n"
    "      --doses LIST        daily doses, mg (default 200,400,600,800; 0 = no drug)\n"
    "      --schedules LIST    qd,bid (default both)\n"
    "      --days N            horizon (default 180)\n"
    "      --draws N           parameter draws (default 1000)\n"
    "      --point             the MAP (or prior medians) once per scenario\n"
    "      --rank R[:asc|desc] order by read-out R's median, in its own direction unless\n"
    "                          given (default: the model's objective, e.g. sorafenib_flt3:\n"
    "                          highest p_success with median grade4_days <= 14)\n"
    "      --max-grade4-days N the default objective's bound (default 14)\n"
    "      --from-day X        a forecast: the file's dosing before day X, each scenario\n"
    "                          from X on; read-outs count from X\n"
    "      --resample          reuse posterior rows when --draws exceeds them\n"
    "      --rules FILE        add a rule-based scenario (e.g. params/rules_clinical.ini)\n"
    "      --noisy-counts      rules see counts with the error model's noise\n"
    "      --rtol X            solver tolerance (default 1e-5: read-outs move by 1e-4 or\n"
    "                          less, far inside their Monte Carlo error)\n"
    "      --seed S, --threads N, --quiet\n"
    "      --out DIR           (default: DIR/sweep beside a fit.ini, results/<id>/sweep for\n"
    "                          a patient file); replaced as a whole, never a foreign folder\n"
    "      --plot              also draw sweep_readouts.png and sweep_trajectories.png\n"
    "  trial POPFIT.ini virtual trial: N patients drawn from a population model (popfit.ini:\n"
    "                  typical values with their uncertainty, between-subject variability),\n"
    "                  every regimen on every patient; population read-outs with Monte Carlo\n"
    "                  errors, ranked as sweep ranks; writes DIR/trial.csv, trial_events.csv,\n"
    "                  trial_summary.txt (and trial_patients.csv); runs under mpirun too\n"
    "      --patients N        virtual patients (default 1000)\n"
    "      --doses LIST, --schedules LIST, --days N, --rules FILE, --rank R, --rtol X,\n"
    "      --max-grade4-days N as for sweep\n"
    "      --patient FILE      template patient: weight, day-0 values and the priors of the\n"
    "                          parameters the population leaves out (default: the model's)\n"
    "      --per-patient       also write trial_patients.csv (every patient and regimen)\n"
    "      --seed S, --threads N (per MPI rank), --quiet\n"
    "      --out DIR           (default results/trial); replaced as a whole\n"
    "  popfit FILE...  population fit (FOCE-I) over patient files of one model, or of one\n"
    "                  NONMEM-style DATA.csv with --model NAME (see import); writes\n"
    "                  DIR/popfit.ini, popfit_summary.txt, popfit_params.csv,\n"
    "                  popfit_subjects.csv, popfit_obs.csv and popfit_traj.csv (each\n"
    "                  subject's PRED and IPRED curves)\n"
    "      --estimate LIST     parameters with a typical value and a random effect (default:\n"
    "                          the first file's [fit] estimate)\n"
    "      --omega NAME=SD     fix NAME's between-subject SD (its prior's scale; 0: no random\n"
    "                          effect, the typical value for everyone); repeatable\n"
    "      --full-omega        estimate the covariances between the random effects too\n"
    "      --priors            the first file's priors on the typical values (as NONMEM's\n"
    "                          $PRIOR); without it, maximum likelihood\n"
    "      --sigma fixed       keep the model's residual error SDs (default: a factor on each\n"
    "                          observable's SDs is estimated)\n"
    "      --max-iter N        outer iterations (default 200)\n"
    "      --model NAME        the model of a DATA.csv\n"
    "      --obs N=NAME        a DATA.csv's CMT or DVID N is observable NAME (as for import)\n"
    "      --rtol X, --threads N, --seed S, --quiet\n"
    "      --out DIR           output directory (default results/popfit); waits as for fit\n"
    "      --plot              also draw popfit_gof.png (observed vs PRED and IPRED),\n"
    "                          popfit_res.png (CWRES, IWRES) and popfit_ind_N.png (individual\n"
    "                          fits, 12 subjects a page)\n"
    "  plot PATH       figure of a fit (DIR with fit.csv and fit.ini), a simulation\n"
    "                  (simulation.csv), a sweep or a population fit (DIR with\n"
    "                  popfit_obs.csv: its three kinds of figure) through gnuplot; written\n"
    "                  beside the CSV\n"
    "      --format png|svg|pdf|dumb   (default png; dumb draws in the terminal)\n"
    "      --size WxH          pixels (default 1200x900; dumb: characters, 120x60)\n"
    "      --out FILE          output file\n"
    "      --show              interactive window (needs gnuplot-qt or gnuplot-x11)\n"
    "  --plot on simulate, fit, sweep and popfit draws the PNGs right after writing the data\n"
    "  import DATA.csv NONMEM-style data set -> one patient file per ID, DIR/<ID>.ini\n"
    "                  (docs/data-sets.md); reads ID, TIME (h), AMT (mg), DV, EVID, MDV, CMT,\n"
    "                  DVID, OBS, CENS, LIMIT, II, ADDL, SS, RATE, WT (kg), DATE; any other\n"
    "                  column is ignored (and named in the output)\n"
    "      --model NAME        every subject's model (see 'pksim models'); required\n"
    "      --out DIR           output directory (default: DATA.csv's path without .csv)\n"
    "      --obs N=NAME        CMT or DVID number N is observable NAME (repeatable; by\n"
    "                          default DVID 1 and CMT 2 are the model's concentration)\n"
    "      --estimate LIST     write '[fit] estimate = LIST' (e.g. ka_per_h,CL_L_per_h,V_L)\n"
    "      --quiet             no list of the files written\n"
    "  export FILE...  patient files -> one NONMEM-style data set: ID, TIME, AMT, DV, EVID,\n"
    "                  MDV, CMT, DVID, OBS, CENS, LIMIT, WT, PATIENT (docs/data-sets.md)\n"
    "      --out DATA.csv      the data set to write (required; never an input)\n"
    "      --results DIR       add PRED, IPRED and RES from DIR's fit_obs.csv, popfit_obs.csv\n"
    "                          or simulation.csv (repeatable; a later DIR's values win); a\n"
    "                          population fit's adds IWRES and CWRES\n"
    "      --quiet             no summary line\n"
    "  models          list the models with their parameters, units, priors and sources\n"
    "      --describe NAME     one model's reference in Markdown (docs/models/NAME.md)\n"
    "\n"
    "  help COMMAND, COMMAND --help, COMMAND -h: that command's options; --version\n"
    "\n"
    "exit status: 0 done; 1 internal error (out of memory); 2 bad input, a bad option or an\n"
    "  output that cannot be written (nothing written); 3 gnuplot missing or failing (the\n"
    "  data are kept); 4 the solver failed; 130/143 stopped by SIGINT/SIGTERM (nothing\n"
    "  partial left)\n";

const char *pk_cli_help(const char *command, char *buf, size_t size)
{
    const char *start = NULL;
    char key[32];
    if (command && snprintf(key, sizeof key, "\n  %s ", command) < (int)sizeof key)
        start = strstr(pk_cli_usage, key);
    if (!start) {
        snprintf(buf, size, "%s", pk_cli_usage);
        return buf;
    }
    start++; /* the command's own line */
    /* to the next command's line: two blanks, then not a blank */
    const char *end = start + 1;
    while ((end = strstr(end, "\n  ")) && end[3] == ' ')
        end++;
    const char *codes = strstr(pk_cli_usage, "\nexit status:");
    snprintf(buf, size, "usage: pksim %s [options]\n\n%.*s\n%s", command,
             end ? (int)(end - start + 1) : (int)strlen(start), start, codes ? codes + 1 : "");
    return buf;
}

/* Where a message goes. */
typedef struct {
    char *buf;
    size_t size;
} msgbuf;

/* A usage error: the message and a pointer to --help.  Returns 2. */
static int usage(msgbuf *mb, const char *fmt, ...)
{
    char line[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    snprintf(mb->buf, mb->size, "pksim: %s\n(see 'pksim --help')", line);
    return 2;
}

/* A bad option value: the message alone.  Returns 2. */
static int bad_value(msgbuf *mb, const char *fmt, ...)
{
    char line[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    snprintf(mb->buf, mb->size, "pksim: %s", line);
    return 2;
}

/* A finite decimal number (pk_text_number: "0x190" is refused, not 400). */
static int parse_double(msgbuf *mb, const char *opt, const char *s, double *out)
{
    if (pk_text_number(s, out, 0))
        return bad_value(mb, "%s: '%.200s' is not a number", opt, s);
    return 0;
}

static int parse_long(msgbuf *mb, const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi)
        return bad_value(mb, "%s: '%.200s' is not a whole number in %ld-%ld", opt, s, lo, hi);
    *out = v;
    return 0;
}

/* --rtol, --sir-rtol: a relative tolerance in 1e-14..1e-3. */
static int parse_rtol(msgbuf *mb, const char *opt, const char *s, double *out)
{
    if (parse_double(mb, opt, s, out))
        return 2;
    if (!(*out >= 1e-14 && *out <= 1e-3))
        return bad_value(mb, "%s: '%.200s' must lie in 1e-14..1e-3", opt, s);
    return 0;
}

/* "WxH" */
static int parse_size(msgbuf *mb, const char *s, pk_plot_opts *o)
{
    int w, h;
    char tail;
    if (sscanf(s, "%dx%d%c", &w, &h, &tail) != 2 || w < 20 || h < 10 || w > 20000 || h > 20000)
        return bad_value(mb, "--size: '%.200s' is not WIDTHxHEIGHT (e.g. 1200x900)", s);
    o->width = w;
    o->height = h;
    return 0;
}

/* --doses: up to 8 daily doses in mg, each 0 or in 200-800. */
static int parse_doses(msgbuf *mb, const char *arg, pk_sweep_opts *so)
{
    char buf[256];
    if (strlen(arg) >= sizeof buf)
        return usage(mb, "--doses: '%.200s...' is too long", arg);
    snprintf(buf, sizeof buf, "%s", arg);
    so->n_doses = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        double d = 0;
        if (so->n_doses == 8 || parse_double(mb, "--doses", t, &d))
            return usage(mb, "--doses: '%.200s': give up to 8 daily doses in mg", arg);
        if (!(d >= 0))
            return usage(mb, "--doses: %.200s mg/day is negative (0 = no drug)", t);
        for (size_t k = 0; k < so->n_doses; k++)
            if (so->doses[k] == d)
                return usage(mb, "--doses: %g mg/day is given twice", d);
        /* the model's own range and tablets are checked with the scenarios */
        so->doses[so->n_doses++] = d;
    }
    if (so->n_doses == 0)
        return usage(mb, "--doses: '%.200s': give up to 8 daily doses in mg", arg);
    return 0;
}

/* What every command shares: --help, a missing value, an unknown option,
 * a value given to an option that takes none.  getopt_long reports
 * "--quiet=1" as it reports an unknown "-q" (optopt 'q'): the argument
 * tells them apart. */
static int other_option(msgbuf *mb, int c, char **argv, pk_cli *cli,
                        const struct option *opts)
{
    if (c == 'h') {
        cli->cmd = PK_CMD_HELP;
        cli->help_for = argv[0]; /* the command (parsers see argv from it) */
        return -1; /* stop parsing: not an error */
    }
    if (c == ':')
        return usage(mb, "%.200s needs a value", argv[optind - 1]);
    const char *arg = argv[optind - 1];
    if (optopt > 0 && strncmp(arg, "--", 2) == 0 && strchr(arg, '='))
        for (const struct option *o = opts; o->name; o++)
            if (o->val == optopt && o->has_arg == no_argument)
                return usage(mb, "--%s takes no value (got '%.200s')", o->name, arg);
    if (optopt > 0 && optopt < 256 && optopt != '?')
        return usage(mb, "unknown option '-%c'", optopt);
    return usage(mb, "unknown option '%.200s'", arg);
}

/* The one FILE argument after the options. */
static int one_file(msgbuf *mb, int argc, char **argv, pk_cli *cli, const char *what)
{
    if (optind + 1 != argc)
        return usage(mb, optind >= argc ? "%s needs one %s" : "%s takes one %s",
                     argv[0], what);
    cli->file = argv[optind];
    return 0;
}

/* --from-day: a forecast's first day, a whole day from 1 on. */
static int parse_from_day(msgbuf *mb, const char *arg, double *day)
{
    if (parse_double(mb, "--from-day", arg, day))
        return 2;
    if (!(*day >= 1) || *day != floor(*day))
        return usage(mb, "--from-day: '%.200s' must be a whole day, at least 1", arg);
    return 0;
}

static int parse_simulate(msgbuf *mb, int argc, char **argv, pk_cli *cli)
{
    static const struct option opts[] = {
        {"days", required_argument, 0, 'd'},   {"every", required_argument, 0, 'e'},
        {"dose", required_argument, 0, 'D'},   {"schedule", required_argument, 0, 's'},
        {"out", required_argument, 0, 'o'},    {"coupled", no_argument, 0, 'c'},
        {"rtol", required_argument, 0, 'r'},   {"quiet", no_argument, 0, 'q'},
        {"plot", no_argument, 0, 'p'},         {"help", no_argument, 0, 'h'},
        {"from-day", required_argument, 0, 'F'}, {0, 0, 0, 0}};
    pk_sim_request *rq = &cli->sim;
    int schedule_set = 0, c, rc;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (parse_double(mb, "--days", optarg, &rq->days))
                return 2;
            if (!(rq->days > 0))
                return usage(mb, "--days: '%.200s' must be positive", optarg);
            break;
        case 'e':
            if (parse_double(mb, "--every", optarg, &rq->every_day))
                return 2;
            break;
        case 'D':
            if (parse_double(mb, "--dose", optarg, &rq->dose_mg_per_day))
                return 2;
            if (!(rq->dose_mg_per_day >= 0))
                return usage(mb, "--dose: '%.200s' must be a daily dose in mg", optarg);
            rq->dose_set = 1;
            break;
        case 'F':
            if (parse_from_day(mb, optarg, &rq->from_day))
                return 2;
            break;
        case 's':
            rq->schedule = optarg;
            schedule_set = 1;
            break;
        case 'o':
            cli->out_dir = optarg;
            break;
        case 'c':
            rq->coupled = 1;
            break;
        case 'r':
            if (parse_rtol(mb, "--rtol", optarg, &rq->rtol))
                return 2;
            break;
        case 'q':
            cli->quiet = 1;
            break;
        case 'p':
            cli->plot = 1;
            break;
        default:
            return other_option(mb, c, argv, cli, opts);
        }
    }
    if ((rc = one_file(mb, argc, argv, cli, "patient file")))
        return rc;
    if (schedule_set && !rq->dose_set)
        return usage(mb, "%s", "--schedule goes with --dose");
    if (rq->from_day > 0 && !rq->dose_set)
        return usage(mb, "%s", "--from-day goes with --dose (0 stops the drug from that day)");
    if (rq->dose_set && !(rq->dose_mg_per_day > 0) && !(rq->from_day > 0))
        return usage(mb, "%s", "--dose: give a positive daily dose in mg (0 only with --from-day)");
    return 0;
}

/* Options fit and sweep share: --seed, --threads, --out, --quiet, --plot
 * (codes 'S', 't', 'o', 'q', 'p').  Returns 1 when c was one of them, 0
 * when not, 2 on a bad value. */
static int run_option(msgbuf *mb, int c, pk_cli *cli, unsigned long *seed, int *threads)
{
    long v = 0;
    switch (c) {
    case 'S':
        if (parse_long(mb, "--seed", optarg, 0, 2147483647L, &v))
            return 2;
        *seed = (unsigned long)v;
        return 1;
    case 't':
        if (parse_long(mb, "--threads", optarg, 1, 1024, &v))
            return 2;
        *threads = (int)v;
        return 1;
    case 'o':
        cli->out_dir = optarg;
        return 1;
    case 'q':
        cli->quiet = 1;
        return 1;
    case 'p':
        cli->plot = 1;
        return 1;
    default:
        return 0;
    }
}

static int parse_fit(msgbuf *mb, int argc, char **argv, pk_cli *cli)
{
    static const struct option opts[] = {
        {"starts", required_argument, 0, 'k'}, {"seed", required_argument, 0, 'S'},
        {"threads", required_argument, 0, 't'}, {"draws", required_argument, 0, 'n'},
        {"proposals", required_argument, 0, 'm'}, {"no-priors", no_argument, 0, 'P'},
        {"jacobian", required_argument, 0, 'j'}, {"rtol", required_argument, 0, 'r'},
        {"sir-rtol", required_argument, 0, 'R'}, {"prior", required_argument, 0, 'A'},
        {"band", required_argument, 0, 'B'},
        {"out", required_argument, 0, 'o'}, {"quiet", no_argument, 0, 'q'},
        {"plot", no_argument, 0, 'p'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    pk_fit_opts *fo = &cli->fit;
    int c, rc;
    long v = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'k':
            if (parse_long(mb, "--starts", optarg, 1, 10000, &v))
                return 2;
            fo->starts = (int)v;
            break;
        case 'n':
            if (parse_long(mb, "--draws", optarg, 1, 1000000, &v))
                return 2;
            fo->draws = (int)v;
            break;
        case 'm':
            if (parse_long(mb, "--proposals", optarg, 1, 10000000, &v))
                return 2;
            fo->proposals = (int)v;
            break;
        case 'P':
            fo->use_priors = 0;
            break;
        case 'j':
            if (strcmp(optarg, "sens") == 0)
                fo->jacobian = PK_JAC_SENS;
            else if (strcmp(optarg, "fd") == 0)
                fo->jacobian = PK_JAC_FD;
            else
                return usage(mb, "--jacobian: '%.200s' is sens or fd", optarg);
            break;
        case 'r':
            if (parse_rtol(mb, "--rtol", optarg, &fo->rtol))
                return 2;
            break;
        case 'R':
            if (parse_rtol(mb, "--sir-rtol", optarg, &fo->sir_rtol))
                return 2;
            break;
        case 'A':
            if (cli->fit_prior)
                return usage(mb, "--prior is given twice");
            cli->fit_prior = optarg;
            break;
        case 'B':
            if (strcmp(optarg, "all") == 0)
                cli->bands.params = PK_BANDS_ALL;
            else if (strcmp(optarg, "estimated") == 0)
                cli->bands.params = PK_BANDS_ESTIMATED;
            else
                return usage(mb, "--band: '%.200s' is all or estimated", optarg);
            break;
        default:
            if ((rc = run_option(mb, c, cli, &fo->seed, &fo->threads)) == 0)
                return other_option(mb, c, argv, cli, opts);
            if (rc == 2)
                return 2;
        }
    }
    /* SIR resamples the draws from the proposals: fewer proposals than
     * draws repeat them (--proposals 1: every draw the same point, an
     * effective sample size of 1) */
    if ((rc = one_file(mb, argc, argv, cli, "patient file")))
        return rc;
    if (fo->proposals < fo->draws)
        return usage(mb, "--proposals %d is fewer than --draws %d: the draws would repeat "
                     "the proposals (effective sample size at most %d); give at least as many "
                     "proposals as draws", fo->proposals, fo->draws, fo->proposals);
    return 0;
}

/* "qd,bid": each of qd and bid at most once, nothing else. */
static int parse_schedules(msgbuf *mb, const char *arg, pk_sweep_opts *so)
{
    char buf[64];
    if (strlen(arg) >= sizeof buf)
        return usage(mb, "--schedules: '%.60s...' is a list of qd and bid", arg);
    snprintf(buf, sizeof buf, "%s", arg);
    so->qd = so->bid = 0;
    char *save = NULL;
    for (char *s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
        int *flag = !strcmp(s, "qd") ? &so->qd : !strcmp(s, "bid") ? &so->bid : NULL;
        if (!flag)
            return usage(mb, "--schedules: '%.60s' is not qd or bid", s);
        if (*flag)
            return usage(mb, "--schedules: %s is given twice", s);
        *flag = 1;
    }
    if (!so->qd && !so->bid)
        return usage(mb, "--schedules: '%.60s' is a list of qd and bid", arg);
    return 0;
}

static int parse_sweep(msgbuf *mb, int argc, char **argv, pk_cli *cli)
{
    static const struct option opts[] = {
        {"doses", required_argument, 0, 'D'},  {"schedules", required_argument, 0, 'C'},
        {"days", required_argument, 0, 'd'},   {"draws", required_argument, 0, 'n'},
        {"point", no_argument, 0, 'P'},        {"rank", required_argument, 0, 'R'},
        {"max-grade4-days", required_argument, 0, 'g'},
        {"seed", required_argument, 0, 'S'},   {"threads", required_argument, 0, 't'},
        {"out", required_argument, 0, 'o'},    {"quiet", no_argument, 0, 'q'},
        {"rules", required_argument, 0, 'U'},  {"noisy-counts", no_argument, 0, 'N'},
        {"plot", no_argument, 0, 'p'},         {"help", no_argument, 0, 'h'},
        {"rtol", required_argument, 0, 'r'},   {"from-day", required_argument, 0, 'F'},
        {"resample", no_argument, 0, 'A'},     {0, 0, 0, 0}};
    pk_sweep_opts *so = &cli->sweep;
    int c, rc;
    long v = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'D':
            if ((rc = parse_doses(mb, optarg, so)))
                return rc;
            break;
        case 'C':
            if ((rc = parse_schedules(mb, optarg, so)))
                return rc;
            break;
        case 'd':
            if (parse_double(mb, "--days", optarg, &so->days))
                return 2;
            break;
        case 'n':
            if (parse_long(mb, "--draws", optarg, 1, 1000000, &v))
                return 2;
            so->draws = (int)v;
            break;
        case 'P':
            so->point = 1;
            break;
        case 'U':
            cli->rules_file = optarg;
            break;
        case 'N':
            so->noisy_counts = 1;
            break;
        case 'R':
            so->rank = optarg;
            break;
        case 'F':
            if (parse_from_day(mb, optarg, &so->from_day))
                return 2;
            break;
        case 'A':
            so->resample = 1;
            break;
        case 'g':
            if (parse_double(mb, "--max-grade4-days", optarg, &so->rank_limit_max))
                return 2;
            if (!(so->rank_limit_max >= 0))
                return usage(mb, "--max-grade4-days: %g must be >= 0", so->rank_limit_max);
            break;
        case 'r':
            if (parse_rtol(mb, "--rtol", optarg, &so->rtol))
                return 2;
            break;
        default:
            if ((rc = run_option(mb, c, cli, &so->seed, &so->threads)) == 0)
                return other_option(mb, c, argv, cli, opts);
            if (rc == 2)
                return 2;
        }
    }
    if (optind + 1 != argc)
        return usage(mb, "%s", "sweep takes one patient file or fit.ini");
    cli->file = argv[optind];
    if (so->noisy_counts && !cli->rules_file)
        return usage(mb, "%s", "--noisy-counts goes with --rules");
    return 0;
}

static int parse_trial(msgbuf *mb, int argc, char **argv, pk_cli *cli)
{
    static const struct option opts[] = {
        {"patients", required_argument, 0, 'n'}, {"doses", required_argument, 0, 'D'},
        {"schedules", required_argument, 0, 'C'}, {"days", required_argument, 0, 'd'},
        {"rules", required_argument, 0, 'U'},     {"rank", required_argument, 0, 'R'},
        {"max-grade4-days", required_argument, 0, 'g'},
        {"rtol", required_argument, 0, 'r'},      {"patient", required_argument, 0, 'T'},
        {"per-patient", no_argument, 0, 'P'},     {"seed", required_argument, 0, 'S'},
        {"threads", required_argument, 0, 't'},   {"out", required_argument, 0, 'o'},
        {"quiet", no_argument, 0, 'q'},           {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    pk_trial_opts *to = &cli->trial;
    pk_sweep_opts *so = &to->sw;
    int c, rc;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (parse_long(mb, "--patients", optarg, 1, 1000000000L, &to->patients))
                return 2;
            break;
        case 'D':
            if ((rc = parse_doses(mb, optarg, so)))
                return rc;
            break;
        case 'C':
            if ((rc = parse_schedules(mb, optarg, so)))
                return rc;
            break;
        case 'd':
            if (parse_double(mb, "--days", optarg, &so->days))
                return 2;
            break;
        case 'U':
            cli->rules_file = optarg;
            break;
        case 'R':
            so->rank = optarg;
            break;
        case 'g':
            if (parse_double(mb, "--max-grade4-days", optarg, &so->rank_limit_max))
                return 2;
            if (!(so->rank_limit_max >= 0))
                return usage(mb, "--max-grade4-days: %g must be >= 0", so->rank_limit_max);
            break;
        case 'r':
            if (parse_rtol(mb, "--rtol", optarg, &so->rtol))
                return 2;
            break;
        case 'T':
            cli->trial_patient = optarg;
            break;
        case 'P':
            to->per_patient = 1;
            break;
        default:
            if ((rc = run_option(mb, c, cli, &so->seed, &so->threads)) == 0)
                return other_option(mb, c, argv, cli, opts);
            if (rc == 2)
                return 2;
        }
    }
    return one_file(mb, argc, argv, cli, "popfit.ini");
}

static int parse_import(msgbuf *mb, int argc, char **argv, pk_cli *cli)
{
    static const struct option opts[] = {
        {"model", required_argument, 0, 'M'},    {"out", required_argument, 0, 'o'},
        {"obs", required_argument, 0, 'b'},      {"estimate", required_argument, 0, 'E'},
        {"quiet", no_argument, 0, 'q'},          {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    pk_import_opts *io = &cli->import;
    int c, rc;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'M':
            if (!(io->model = pk_model_find(optarg)))
                return usage(mb, "--model: unknown model '%.200s' (see 'pksim models')", optarg);
            break;
        case 'o':
            io->dir = optarg;
            break;
        case 'b':
            if (io->n_obs_spec == PK_DATASET_MAX_MAP)
                return usage(mb, "--obs: more than %d mappings", PK_DATASET_MAX_MAP);
            io->obs_spec[io->n_obs_spec++] = optarg;
            break;
        case 'E':
            io->estimate = optarg;
            break;
        case 'q':
            cli->quiet = 1;
            break;
        default:
            return other_option(mb, c, argv, cli, opts);
        }
    }
    if ((rc = one_file(mb, argc, argv, cli, "data set")))
        return rc;
    if (!io->model)
        return usage(mb, "%s", "import needs --model NAME (see 'pksim models')");
    return 0;
}

static int parse_export(msgbuf *mb, int argc, char **argv, pk_cli *cli)
{
    static const struct option opts[] = {
        {"out", required_argument, 0, 'o'},     {"results", required_argument, 0, 'R'},
        {"quiet", no_argument, 0, 'q'},         {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    pk_export_opts *eo = &cli->export;
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            eo->out = optarg;
            break;
        case 'R':
            if (eo->n_results == PK_EXPORT_MAX_RESULTS)
                return usage(mb, "--results: more than %d directories", PK_EXPORT_MAX_RESULTS);
            eo->results[eo->n_results++] = optarg;
            break;
        case 'q':
            cli->quiet = 1;
            break;
        default:
            return other_option(mb, c, argv, cli, opts);
        }
    }
    if (optind >= argc)
        return usage(mb, "%s", "export needs one or more patient files");
    if (!eo->out)
        return usage(mb, "%s", "export needs --out DATA.csv");
    cli->files = argv + optind;
    cli->n_files = (size_t)(argc - optind);
    cli->file = argv[optind];
    return 0;
}

static int parse_plot(msgbuf *mb, int argc, char **argv, pk_cli *cli)
{
    static const struct option opts[] = {
        {"format", required_argument, 0, 'f'}, {"size", required_argument, 0, 's'},
        {"out", required_argument, 0, 'o'},    {"show", no_argument, 0, 'w'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    pk_plot_opts *po = &cli->plot_opts;
    int c, size_set = 0, format_set = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            po->format = optarg;
            format_set = 1;
            break;
        case 's':
            if (parse_size(mb, optarg, po))
                return 2;
            size_set = 1;
            break;
        case 'o':
            po->out = optarg;
            break;
        case 'w':
            po->show = 1;
            break;
        default:
            return other_option(mb, c, argv, cli, opts);
        }
    }
    if (optind + 1 != argc)
        return usage(mb, "%s", "plot takes one directory or CSV file");
    cli->file = argv[optind];
    /* no --format: the --out file's extension names it */
    const char *ext = po->out ? strrchr(po->out, '.') : NULL;
    if (!format_set && ext && !strchr(ext, '/') &&
        (!strcmp(ext, ".svg") || !strcmp(ext, ".pdf") || !strcmp(ext, ".png")))
        po->format = ext + 1;
    if (!size_set && strcmp(po->format, "dumb") == 0) {
        po->width = 120;
        po->height = 60;
    }
    return 0;
}

static int parse_popfit(msgbuf *mb, int argc, char **argv, pk_cli *cli)
{
    static const struct option opts[] = {
        {"estimate", required_argument, 0, 'E'}, {"omega", required_argument, 0, 'W'},
        {"full-omega", no_argument, 0, 'F'},     {"priors", no_argument, 0, 'P'},
        {"sigma", required_argument, 0, 's'},    {"max-iter", required_argument, 0, 'i'},
        {"rtol", required_argument, 0, 'r'},     {"threads", required_argument, 0, 't'},
        {"seed", required_argument, 0, 'S'},     {"out", required_argument, 0, 'o'},
        {"quiet", no_argument, 0, 'q'},          {"help", no_argument, 0, 'h'},
        {"model", required_argument, 0, 'M'},    {"obs", required_argument, 0, 'b'},
        {"plot", no_argument, 0, 'p'},           {0, 0, 0, 0}};
    pk_popfit_request *rq = &cli->pop;
    unsigned long seed = 0;
    int c, rc;
    long v = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'E':
            if (rq->estimate)
                return usage(mb, "--estimate is given twice");
            rq->estimate = optarg;
            break;
        case 'W':
            if (rq->n_omega == PK_MAX_PARAM)
                return usage(mb, "--omega: more than %d", PK_MAX_PARAM);
            if (!strchr(optarg, '='))
                return usage(mb, "--omega: '%.200s' is NAME=SD", optarg);
            rq->omega[rq->n_omega++] = optarg;
            break;
        case 'F':
            rq->o.full_omega = 1;
            break;
        case 'M':
            if (!pk_model_find(optarg))
                return usage(mb, "--model: unknown model '%.200s'", optarg);
            rq->model = optarg;
            break;
        case 'b':
            if (rq->n_obs_spec == sizeof rq->obs_spec / sizeof *rq->obs_spec)
                return usage(mb, "--obs: too many mappings");
            rq->obs_spec[rq->n_obs_spec++] = optarg;
            break;
        case 'P':
            rq->o.use_priors = 1;
            break;
        case 's':
            if (strcmp(optarg, "fixed") && strcmp(optarg, "estimate"))
                return usage(mb, "--sigma: '%.200s' is fixed or estimate", optarg);
            rq->o.sigma_fixed = !strcmp(optarg, "fixed");
            break;
        case 'i':
            if (parse_long(mb, "--max-iter", optarg, 1, 100000, &v))
                return 2;
            rq->o.max_iter = (int)v;
            break;
        case 'r':
            if (parse_rtol(mb, "--rtol", optarg, &rq->o.rtol))
                return 2;
            break;
        default:
            if ((rc = run_option(mb, c, cli, &seed, &rq->o.threads)) == 0)
                return other_option(mb, c, argv, cli, opts);
            if (rc == 2)
                return 2;
        }
    }
    if (optind >= argc)
        return usage(mb, "popfit needs patient files (at least 2) or one DATA.csv");
    rq->files = argv + optind;
    rq->n_files = (size_t)(argc - optind);
    size_t len = strlen(rq->files[0]);
    int csv = rq->n_files == 1 && len > 4 && !strcmp(rq->files[0] + len - 4, ".csv");
    if (csv && !rq->model)
        return usage(mb, "popfit of a data set needs --model NAME (see 'pksim models')");
    if (!csv && (rq->model || rq->n_obs_spec))
        return usage(mb, "--model and --obs are for one DATA.csv; patient files name their "
                     "model and observables");
    return 0;
}

int pk_cli_parse(int argc, char **argv, pk_cli *cli, char *msg, size_t msg_size)
{
    msgbuf mb = {msg, msg_size};
    memset(cli, 0, sizeof *cli);
    cli->sim = pk_sim_default_request();
    cli->fit = pk_fit_default_opts();
    cli->bands = pk_fit_bands_default_opts();
    cli->sweep = pk_sweep_default_opts();
    cli->plot_opts = pk_plot_default_opts();
    cli->pop.o = pk_popfit_default_opts();
    cli->trial = pk_trial_default_opts();
    if (msg_size)
        msg[0] = '\0';
    cli->argc = argc;
    cli->argv = argv;
    if (argc < 2)
        return usage(&mb, "%s", "give a command");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        cli->cmd = PK_CMD_HELP;
        cli->help_for = argc > 2 && !strcmp(cmd, "help") ? argv[2] : NULL;
        if (cli->help_for && strcmp(cli->help_for, "simulate") && strcmp(cli->help_for, "fit") &&
            strcmp(cli->help_for, "sweep") && strcmp(cli->help_for, "plot") &&
            strcmp(cli->help_for, "popfit") && strcmp(cli->help_for, "trial") &&
            strcmp(cli->help_for, "models") && strcmp(cli->help_for, "import") &&
            strcmp(cli->help_for, "export"))
            return usage(&mb, "help: unknown command '%.200s'", cli->help_for);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        cli->cmd = PK_CMD_VERSION;
        return 0;
    }
    if (strcmp(cmd, "models") == 0) {
        cli->cmd = PK_CMD_MODELS;
        if (argc == 2)
            return 0;
        if (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0) {
            cli->cmd = PK_CMD_HELP;
            cli->help_for = "models";
            return 0;
        }
        if (argc == 4 && strcmp(argv[2], "--describe") == 0) {
            if (!pk_model_find(argv[3]))
                return usage(&mb, "models --describe: unknown model '%.200s'", argv[3]);
            cli->file = argv[3]; /* the model's name */
            return 0;
        }
        return usage(&mb, "models takes nothing, or --describe NAME (got '%.200s')", argv[2]);
    }
    static const struct {
        const char *name;
        pk_cmd cmd;
        int (*parse)(msgbuf *, int, char **, pk_cli *);
    } table[] = {{"simulate", PK_CMD_SIMULATE, parse_simulate},
                 {"fit", PK_CMD_FIT, parse_fit},
                 {"sweep", PK_CMD_SWEEP, parse_sweep},
                 {"plot", PK_CMD_PLOT, parse_plot},
                 {"popfit", PK_CMD_POPFIT, parse_popfit},
                 {"import", PK_CMD_IMPORT, parse_import},
                 {"export", PK_CMD_EXPORT, parse_export},
                 {"trial", PK_CMD_TRIAL, parse_trial}};
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (strcmp(cmd, table[i].name) == 0) {
            cli->cmd = table[i].cmd;
            optind = 0; /* glibc: a full re-initialisation of getopt */
            opterr = 0;
            int rc = table[i].parse(&mb, argc - 1, argv + 1, cli);
            return rc < 0 ? 0 : rc; /* < 0: --help met */
        }
    return usage(&mb, "unknown command '%.200s'", cmd);
}
