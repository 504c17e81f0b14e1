/* pk_gnuplot: gnuplot as a child process, and the one door into its
 * language.
 *
 * A script is built in memory.  Text that comes from an input file, an
 * option or a path enters it only through pk_gp_lit, as a single-quoted
 * literal: there gnuplot substitutes neither backquotes (shell commands)
 * nor macros, and a quote is written twice.  Text that no literal can hold
 * (control characters, which would end the command line) is refused with a
 * one-line error before gnuplot starts.
 *
 * gnuplot runs without a shell (fork and exec), its standard error goes to
 * an anonymous temporary file (no name anyone could plant a link at), and
 * SIGINT/SIGTERM stop it and us within a second. */
#ifndef PK_GNUPLOT_H
#define PK_GNUPLOT_H

#include <stdio.h>

#include "pk_err.h"

#define PK_GP_LIT_MAX 2200 /* a literal: 1024-byte path, every byte a quote */

typedef struct pk_gp_script {
    FILE *f;              /* write gnuplot code here */
    char *buf;            /* the script once closed */
    size_t len;
    char refused[200];    /* the first text refused, and why ("" = none) */
    char lit[8][PK_GP_LIT_MAX]; /* ring of literals handed out by pk_gp_lit */
    int next_lit;
} pk_gp_script;

int pk_gp_script_open(pk_gp_script *s, pk_err *err);

/* text as a gnuplot single-quoted literal, quotes included, valid until
 * eight more calls.  Refused text gives '' and is recorded in s->refused. */
const char *pk_gp_lit(pk_gp_script *s, const char *text);

/* Ends the script; fails (PK_EINPUT, naming what) when any text was
 * refused. */
int pk_gp_script_close(pk_gp_script *s, const char *what, pk_err *err);
void pk_gp_script_free(pk_gp_script *s);

/* Is gnuplot on PATH? */
int pk_gp_available(void);

/* Runs gnuplot on the script in directory dir (NULL: ours), where the
 * script's relative file names resolve; its standard output is ours (the
 * dumb terminal draws there).  gnuplot's first error line becomes err. */
int pk_gp_run(const char *script, size_t len, const char *dir, pk_err *err);

#endif
