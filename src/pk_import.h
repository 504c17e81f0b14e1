/* pk_import: a NONMEM-style data set (docs/data-sets.md) made into patient
 * files, one per ID.  Each subject's file is generated as text in the
 * patient-file grammar (docs/patient-files.md), every line with a comment
 * naming its source row, and loaded from memory by the patient loader, so
 * that an imported patient passes the very checks a written file does;
 * the loader's complaints are told back as the data set's rows and
 * columns ("FILE:ROW: COLUMN: what is wrong").  Nothing is written until
 * every subject has loaded.
 *
 * pk_import_read is also the in-memory entry point for commands that
 * take a data set directly (a population fit): the loaded patients are
 * set->s[i].patient. */
#ifndef PK_IMPORT_H
#define PK_IMPORT_H

#include <stddef.h>

#include "pk_dataset.h"
#include "pk_err.h"
#include "pk_model.h"
#include "pk_patient.h"

typedef struct pk_import_opts {
    const pk_model *model;
    const char *dir;              /* where the files go (their names in messages) */
    const char *estimate;         /* NULL, or a [fit] estimate list to write */
    const char *obs_spec[PK_DATASET_MAX_MAP]; /* --obs N=NAME */
    size_t n_obs_spec;
} pk_import_opts;

typedef struct pk_import_subject {
    char path[1024];      /* DIR/<id>.ini */
    char *ini;            /* the file's text */
    size_t ini_len;
    pk_patient patient;   /* loaded from ini */
} pk_import_subject;

typedef struct pk_import_set {
    pk_import_subject *s;
    size_t n;
    char ignored[256];    /* the header's columns import does not read: 'A', 'B' */
} pk_import_set;

/* The first line of every file import writes: an existing file is
 * replaced only when it starts so (a user's own file never is). */
#define PK_IMPORT_MARKER "; written by pksim import"

/* Reads the data set at path for o->model into set (zeroed by the call):
 * every subject's file text and loaded patient.  On error set holds what
 * was made and must still be freed. */
int pk_import_read(const char *path, const pk_import_opts *o, pk_import_set *set, pk_err *err);

/* The same from text[0..len) in memory; name stands for the file. */
int pk_import_parse(const char *name, const char *text, size_t len, const pk_import_opts *o,
                    pk_import_set *set, pk_err *err);

/* Writes every file of set under o->dir (created when missing), as one
 * set: all are finished before any is renamed into place.  An existing
 * file is replaced only when import wrote it, and never when it is the
 * input (input_path). */
int pk_import_write(const pk_import_set *set, const pk_import_opts *o, const char *input_path,
                    pk_err *err);

void pk_import_set_free(pk_import_set *set);

/* The default --out of a data set: its path without the extension
 * (data/theoph.csv -> data/theoph), or with "_patients" added when it has
 * none.  Returns dir. */
char *pk_import_default_dir(const char *path, char *dir, size_t size);

#endif
