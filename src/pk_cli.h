/* pk_cli: the command line, parsed into one request without touching a
 * file, so that the parser can be tested (and fuzzed) on its own.  main.c
 * then does the work the request names. */
#ifndef PK_CLI_H
#define PK_CLI_H

#include <stddef.h>

#include "pk_export.h"
#include "pk_fit.h"
#include "pk_import.h"
#include "pk_fit_bands.h"
#include "pk_plot.h"
#include "pk_popfit.h"
#include "pk_simulate.h"
#include "pk_sweep.h"
#include "pk_trial.h"

typedef enum {
    PK_CMD_HELP,     /* print the usage on standard output */
    PK_CMD_VERSION,
    PK_CMD_MODELS,
    PK_CMD_SIMULATE,
    PK_CMD_FIT,
    PK_CMD_SWEEP,
    PK_CMD_PLOT,
    PK_CMD_POPFIT,
    PK_CMD_IMPORT,
    PK_CMD_EXPORT,
    PK_CMD_TRIAL
} pk_cmd;

/* popfit's request: names are resolved against the model once the files
 * are read. */
typedef struct pk_popfit_request {
    pk_popfit_opts o;
    const char *estimate;             /* "A,B,C" (NULL: the first file's [fit] estimate) */
    const char *omega[PK_MAX_PARAM];  /* "NAME=SD" fixing a random effect's SD */
    size_t n_omega;
    char *const *files;               /* patient files (point into argv) */
    size_t n_files;
    const char *model;                /* --model of a data set (one DATA.csv) */
    const char *obs_spec[16];         /* its --obs N=NAME mappings (import's) */
    size_t n_obs_spec;
} pk_popfit_request;

typedef struct pk_cli {
    pk_cmd cmd;
    const char *file;        /* the command's FILE or PATH (points into argv) */
    const char *out_dir;     /* --out of simulate, fit and sweep (NULL: default) */
    const char *rules_file;  /* sweep --rules */
    const char *fit_prior;   /* fit --prior: a popfit.ini as the priors */
    int quiet, plot;
    pk_sim_request sim;
    pk_fit_opts fit;
    pk_fit_bands_opts bands; /* fit --band */
    pk_sweep_opts sweep;
    pk_plot_opts plot_opts;  /* plot command */
    pk_popfit_request pop;
    pk_trial_opts trial;     /* trial: N, regimens, seed, threads */
    const char *trial_patient; /* trial --patient: the template patient file */
    pk_import_opts import;   /* import: its model, --out (dir), --obs, --estimate */
    pk_export_opts export;   /* export: --results, --out */
    char **files;            /* export's patient files (point into argv) */
    size_t n_files;
    const char *help_for;    /* PK_CMD_HELP: the command asked about (NULL: all) */
    int argc;                /* the whole command line, for run.json */
    char **argv;
} pk_cli;

extern const char pk_cli_usage[];

/* The help of one command (its lines of pk_cli_usage, with the exit
 * codes), or of all when command is NULL or unknown, into buf. */
const char *pk_cli_help(const char *command, char *buf, size_t size);

/* Parses argv[0..argc) (argv[0] the program; getopt_long permutes the
 * rest).  Returns 0 with cli filled, or the exit status of a usage error
 * (2) with its message, one or two lines without the final newline, in
 * msg.  Nothing is printed. */
int pk_cli_parse(int argc, char **argv, pk_cli *cli, char *msg, size_t msg_size);

#endif
