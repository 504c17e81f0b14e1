/* pk_out: output files written atomically.  A file is written to a
 * temporary name in its final directory, flushed, synced and renamed over
 * the final name, so a reader sees the previous complete file or the new
 * complete one, never a part. */
#ifndef PK_OUT_H
#define PK_OUT_H

#include <stdio.h>

#include "pk_err.h"

typedef struct pk_out {
    FILE *f;
    int fd;              /* the temporary's descriptor (under f) */
    int werr;            /* errno of the first failed write, 0 if none */
    char path[1024];     /* final name */
    char tmp[1100];      /* temporary name in the same directory */
} pk_out;

/* Creates dir and its parents (like mkdir -p). */
int pk_out_mkdir(const char *dir, pk_err *err);

/* Removes, newest first, the directories pk_out_mkdir created in this
 * process that are still empty: a failed run leaves no empty folders. */
void pk_out_remove_created(void);

/* Creates a new temporary file for FINAL (a path) in FINAL's directory,
 * named .BASE.tmp.PID.XXXXXX: mkstemp makes the name unpredictable and
 * refuses anything already there (a planted symlink included).  It gets
 * the permissions a new file would (0666 less the umask).  tmp receives
 * the name; returns the open descriptor, or -1 with err naming FINAL. */
int pk_out_mktemp(const char *final, char *tmp, size_t n_tmp, pk_err *err);

/* Removes DIR/.*.tmp.PID.* files left by processes that no longer exist
 * (killed while writing); files of live processes are left alone. */
void pk_out_clear_stale(const char *dir);

/* A directory of outputs as one unit.  pk_out_stage_dir makes a private
 * directory beside final (.BASE.tmp.PID.XXXXXX, parents created) for the
 * files; pk_out_swap_dir then puts it in final's place with one atomic
 * exchange, so a reader sees the old set or the new one, never a mix.  An
 * existing final is replaced only if it holds marker (a file of an earlier
 * run of the same kind) or nothing: a user's other folder is never
 * emptied.  pk_out_drop_dir removes a stage (or what the swap left). */
int pk_out_stage_dir(const char *final, char *stage, size_t n_stage, pk_err *err);
int pk_out_swap_dir(const char *stage, const char *final, const char *marker, pk_err *err);
void pk_out_drop_dir(const char *dir);

/* Opens DIR/NAME for writing through a temporary file; the directory is
 * created when missing. */
int pk_out_open(pk_out *o, const char *dir, const char *name, pk_err *err);

/* Checks every write, syncs and renames into place.  On any failure the
 * temporary file is removed and the previous file left as it was. */
int pk_out_commit(pk_out *o, pk_err *err);

/* The two halves of a commit: finish (check, flush, sync, close: what a
 * full disk makes fail) and publish (rename). */
int pk_out_finish(pk_out *o, pk_err *err);
int pk_out_publish(pk_out *o, pk_err *err);

/* Several files as one output: every file is finished before any is
 * renamed, so a failure leaves all the previous files in place.  Entries
 * never opened (zeroed) are skipped.  A pk_out must not move once open:
 * its stream keeps a pointer to it (the first write error's errno). */
int pk_out_commit_all(pk_out *o, size_t n, pk_err *err);

/* Abandons the file: closes and removes the temporary. Safe to repeat. */
void pk_out_abort(pk_out *o);

/* A run's output set as one unit, in a directory shared with other kinds
 * of outputs (results/<id>/ holds a fit's and a simulation's files and a
 * sweep/).  The writer holds an exclusive flock(2) on DIR itself from the
 * first file of the set to the last (a fit: fit.ini, fit.csv,
 * fit_summary.txt, posterior.csv and with --plot fit.png; a simulation:
 * simulation.csv and simulation.png), so the renames of two runs never
 * interleave: DIR is left with the whole set of the run that came last.
 * A reader that takes the lock shared (flock -s DIR in a script) reads one
 * run's set; one that does not may see a set half renamed, which sweep
 * notices through fit.ini's posterior_sha256.  The lock is on the
 * directory, not a file in it: nothing is left behind, and there is no
 * name at which a symlink could be planted.  pk_out_lock creates DIR when
 * missing and waits for the lock (saying so on a terminal after a second)
 * rather than refusing; an interrupt ends the wait (PK_EINTR).  Returns
 * the descriptor that holds the lock, or -1 with err set. */
int pk_out_lock(const char *dir, int shared, pk_err *err);
void pk_out_unlock(int fd); /* -1 is ignored */

#endif
