#include "pk_import.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pk_out.h"
#include "pk_table.h"
#include "pk_text.h"

#define NO_COL PK_DS_N_COL             /* a line from no column */
#define ESTIMATE_COL (PK_DS_N_COL + 1) /* the [fit] line of --estimate */

/* A generated file: its text, and for each line the row and column it
 * comes from, to tell the loader's complaints back in the data set's
 * terms. */
typedef struct gen_text {
    char *buf;
    size_t len, cap;
    int n_line;
    int *row;   /* [1 .. n_line]: source row (0: none) */
    int *col;   /* [1 .. n_line]: pk_ds_col, NO_COL or ESTIMATE_COL */
    size_t cap_line;
    int oom;
} gen_text;

static void emit(gen_text *g, int row, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void emit(gen_text *g, int row, int col, const char *fmt, ...)
{
    if (g->oom)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    size_t need = g->len + (size_t)n + 2;
    if (need > g->cap) {
        size_t cap = need * 2;
        char *b = realloc(g->buf, cap);
        if (!b) {
            g->oom = 1;
            return;
        }
        g->buf = b;
        g->cap = cap;
    }
    if ((size_t)g->n_line + 2 > g->cap_line) {
        size_t cap = g->cap_line ? 2 * g->cap_line : 64;
        int *r = realloc(g->row, cap * sizeof *r);
        if (r)
            g->row = r;
        int *c = r ? realloc(g->col, cap * sizeof *c) : NULL;
        if (!c) {
            g->oom = 1;
            return;
        }
        g->col = c;
        g->cap_line = cap;
    }
    va_start(ap, fmt);
    vsnprintf(g->buf + g->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    g->len += (size_t)n;
    g->buf[g->len++] = '\n';
    g->buf[g->len] = 0;
    g->n_line++;
    g->row[g->n_line] = row;
    g->col[g->n_line] = col;
}

/* A blank line, then "[name]". */
static void section(gen_text *g, const char *name)
{
    emit(g, 0, NO_COL, "%s", "");
    emit(g, 0, NO_COL, "[%s]", name);
}

/* The data set's file name for a comment: its last part, control bytes
 * as '?', at most 80 characters. */
static void comment_name(const char *path, char *out, size_t size)
{
    const char *base = strrchr(path, '/');
    snprintf(out, size < 81 ? size : 81, "%s", base ? base + 1 : path);
    for (char *c = out; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
}

/* One subject's patient file, in the grammar of docs/patient-files.md. */
static void generate(const pk_dataset *d, const pk_ds_subject *s, const pk_import_opts *o,
                     gen_text *g)
{
    const pk_model *m = o->model;
    char name[96], a[32], b[32];
    comment_name(d->t->path, name, sizeof name);
    emit(g, 0, NO_COL, "%s from %s (model %s)", PK_IMPORT_MARKER, name, m->name);
    emit(g, 0, NO_COL, "; each line names its row (the data set's line); days are TIME/24");
    emit(g, 0, NO_COL, "[patient]");
    if (strcmp(s->id, s->id_text) != 0)
        emit(g, s->first_row, PK_DS_ID, "id = %s ; ID '%.60s', row %d", s->id, s->id_text,
             s->first_row);
    else
        emit(g, s->first_row, PK_DS_ID, "id = %s ; row %d", s->id, s->first_row);
    emit(g, 0, NO_COL, "model = %s", m->name);
    if (!isnan(s->weight_kg))
        emit(g, s->wt_row, PK_DS_WT, "weight_kg = %s ; row %d (WT)",
             pk_text_exact(a, sizeof a, s->weight_kg), s->wt_row);
    if (s->n_dose) {
        section(g, "dosing");
        for (size_t i = 0; i < s->n_dose; i++) {
            const pk_ds_dose *x = &s->dose[i];
            char from[64] = "";
            if (x->addl_k)
                snprintf(from, sizeof from, ", ADDL %ld of %ld", x->addl_k, x->addl_n);
            emit(g, x->row, PK_DS_AMT, "%s = %s mg once ; row %d%s",
                 pk_text_exact(a, sizeof a, x->t_h / 24.0),
                 pk_text_exact(b, sizeof b, x->amt_mg), x->row, from);
        }
    }
    if (s->n_obs) {
        section(g, "observations");
        for (size_t i = 0; i < s->n_obs; i++) {
            const pk_ds_obs *x = &s->obs[i];
            emit(g, x->row, (int)x->from, "%s %s = %s%s ; row %d",
                 pk_text_exact(a, sizeof a, x->t_h / 24.0), m->obs[x->obs].name,
                 x->censor < 0 ? "< " : x->censor > 0 ? "> " : "",
                 pk_text_exact(b, sizeof b, x->value), x->row);
        }
    }
    if (o->estimate) {
        section(g, "fit");
        emit(g, 0, ESTIMATE_COL, "estimate = %s", o->estimate);
    } else {
        emit(g, 0, NO_COL, "%s", "");
        emit(g, 0, NO_COL, "; [fit] estimate = the parameters to fit (see 'pksim models'), or "
             "give them to import with --estimate");
    }
}

/* A complaint of the loader about a generated line, told as the data
 * set's row and column; one about the whole subject names its first row. */
static int tell_back(const pk_dataset *d, const pk_ds_subject *s, const gen_text *g,
                     const char *path, const pk_err *e, pk_err *err)
{
    if (e->code != PK_EINPUT)
        return pk_err_set(err, e->code, e->where, "%s", e->msg);
    size_t n = strlen(path);
    int line = 0;
    if (strncmp(e->where, path, n) == 0 && e->where[n] == ':')
        line = atoi(e->where + n + 1);
    char where[600];
    if (line > 0 && line <= g->n_line && g->row[line] > 0) {
        int c = g->col[line];
        /* a dose too close to the one before it: its time is what is wrong */
        if (c == PK_DS_AMT && strstr(e->msg, "interval"))
            c = PK_DS_TIME;
        pk_err_where(where, sizeof where, d->t->path, g->row[line],
                     pk_dataset_colname(d, (pk_ds_col)c));
        return pk_err_set(err, PK_EINPUT, where, "%s", e->msg);
    }
    if (line > 0 && line <= g->n_line && g->col[line] == ESTIMATE_COL)
        return pk_err_set(err, PK_EINPUT, "--estimate", "%s", e->msg);
    pk_err_where(where, sizeof where, d->t->path, s->first_row, pk_dataset_colname(d, PK_DS_ID));
    return pk_err_set(err, PK_EINPUT, where, "subject %s: %s", s->id_text, e->msg);
}

static int import_table(const pk_table *t, const pk_import_opts *o, pk_import_set *set,
                        pk_err *err)
{
    pk_dataset d;
    int rc = pk_dataset_read(t, o->model, o->obs_spec, o->n_obs_spec, &d, err);
    for (size_t c = 0; rc == PK_OK && c < t->n_col; c++) {
        int read = 0;
        for (int k = 0; k < PK_DS_N_COL; k++)
            read |= d.col[k] == (int)c;
        size_t l = strlen(set->ignored);
        if (!read && l + 4 < sizeof set->ignored)
            snprintf(set->ignored + l, sizeof set->ignored - l, "%s'%s'", l ? ", " : "",
                     t->name[c]);
    }
    if (rc == PK_OK && !(set->s = calloc(d.n ? d.n : 1, sizeof *set->s)))
        rc = pk_err_set(err, PK_ENOMEM, "", "out of memory");
    for (size_t i = 0; rc == PK_OK && i < d.n; i++) {
        const pk_ds_subject *s = &d.s[i];
        pk_import_subject *x = &set->s[set->n++];
        if (snprintf(x->path, sizeof x->path, "%s%s%s.ini", o->dir ? o->dir : "",
                     o->dir ? "/" : "", s->id) >= (int)sizeof x->path) {
            rc = pk_err_set(err, PK_EINPUT, o->dir, "path too long");
            break;
        }
        gen_text g = {0};
        generate(&d, s, o, &g);
        if (g.oom) {
            rc = pk_err_set(err, PK_ENOMEM, "", "out of memory");
        } else {
            pk_err e = {0};
            x->ini = g.buf;
            x->ini_len = g.len;
            g.buf = NULL;
            if (pk_patient_load_mem(x->path, x->ini, x->ini_len, &x->patient, &e))
                rc = tell_back(&d, s, &g, x->path, &e, err);
        }
        free(g.buf);
        free(g.row);
        free(g.col);
    }
    pk_dataset_free(&d);
    return rc;
}

int pk_import_parse(const char *name, const char *text, size_t len, const pk_import_opts *o,
                    pk_import_set *set, pk_err *err)
{
    memset(set, 0, sizeof *set);
    pk_table t;
    int rc = pk_table_parse(name, text, len, &t, err);
    if (rc == PK_OK)
        rc = import_table(&t, o, set, err);
    pk_table_free(&t);
    return rc;
}

int pk_import_read(const char *path, const pk_import_opts *o, pk_import_set *set, pk_err *err)
{
    memset(set, 0, sizeof *set);
    pk_table t;
    int rc = pk_table_read(path, &t, err);
    if (rc == PK_OK)
        rc = import_table(&t, o, set, err);
    pk_table_free(&t);
    return rc;
}

/* An existing file at path may be replaced only when import wrote it and
 * it is not the input. */
static int check_target(const char *path, const struct stat *input, pk_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return errno == ENOENT ? PK_OK
                               : pk_err_set(err, PK_EIO, path, "cannot check: %s", strerror(errno));
    if (input && st.st_dev == input->st_dev && st.st_ino == input->st_ino)
        return pk_err_set(err, PK_EINPUT, path, "is the input data set: give another --out");
    if (!S_ISREG(st.st_mode))
        return pk_err_set(err, PK_EINPUT, path, "exists and is not a file");
    char first[sizeof PK_IMPORT_MARKER] = "";
    FILE *f = fopen(path, "r");
    size_t got = f ? fread(first, 1, sizeof first - 1, f) : 0;
    if (f)
        fclose(f);
    if (got != sizeof first - 1 || memcmp(first, PK_IMPORT_MARKER, got) != 0)
        return pk_err_set(err, PK_EINPUT, path, "exists and was not written by pksim import: "
                          "move it away or give another --out");
    return PK_OK;
}

int pk_import_write(const pk_import_set *set, const pk_import_opts *o, const char *input_path,
                    pk_err *err)
{
    const char *dir = o->dir ? o->dir : ".";
    struct stat in;
    int have_in = input_path && stat(input_path, &in) == 0;
    int lock = pk_out_lock(dir, 0, err);
    if (lock < 0)
        return err->code;
    pk_out *out = calloc(set->n ? set->n : 1, sizeof *out);
    int rc = out ? PK_OK : pk_err_set(err, PK_ENOMEM, "", "out of memory");
    for (size_t i = 0; rc == PK_OK && i < set->n; i++)
        rc = check_target(set->s[i].path, have_in ? &in : NULL, err);
    /* each finished (closed) before the next is opened: a data set of
     * thousands of subjects must not hold thousands of descriptors; all
     * finished before any is renamed into place */
    for (size_t i = 0; rc == PK_OK && i < set->n; i++) {
        const char *base = strrchr(set->s[i].path, '/');
        if ((rc = pk_out_open(&out[i], dir, base ? base + 1 : set->s[i].path, err)) == PK_OK) {
            fwrite(set->s[i].ini, 1, set->s[i].ini_len, out[i].f);
            rc = pk_out_finish(&out[i], err);
        }
    }
    for (size_t i = 0; rc == PK_OK && i < set->n; i++)
        rc = pk_out_publish(&out[i], err);
    for (size_t i = 0; out && i < set->n; i++)
        pk_out_abort(&out[i]);
    free(out);
    pk_out_unlock(lock);
    return rc;
}

void pk_import_set_free(pk_import_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++) {
        free(set->s[i].ini);
        pk_patient_free(&set->s[i].patient);
    }
    free(set->s);
    memset(set, 0, sizeof *set);
}

char *pk_import_default_dir(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (dot && dot > base)
        snprintf(dir, size, "%.*s", (int)(dot - path), path);
    else
        snprintf(dir, size, "%s_patients", path);
    return dir;
}
