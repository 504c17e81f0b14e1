#include "pk_csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Both tables: column names, then numbers. */
static void free_names(char **name, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(name[i]);
    free(name);
}

static int find_name(char *const *name, size_t n, const char *want)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(name[i], want) == 0)
            return (int)i;
    return -1;
}

void pk_csv_free(pk_csv *t)
{
    free_names(t->name, t->n_col);
    free(t->v);
    memset(t, 0, sizeof *t);
}

int pk_csv_col(const pk_csv *t, const char *name)
{
    return find_name(t->name, t->n_col, name);
}

/* The header line: unique column names. */
static int read_header(pk_csv *t, char *line, const char *path, pk_err *err)
{
    char *save = NULL;
    for (char *s = strtok_r(line, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
        if (pk_csv_col(t, s) >= 0)
            return pk_err_set(err, PK_EINPUT, path, "column '%.60s' appears twice", s);
        char **nm = realloc(t->name, (t->n_col + 1) * sizeof *nm);
        if (!nm || !(nm[t->n_col] = strdup(s))) {
            if (nm)
                t->name = nm;
            return pk_err_set(err, PK_ENOMEM, path, "out of memory");
        }
        t->name = nm;
        t->n_col++;
    }
    return PK_OK;
}

/* Why field c of a row does not parse (end: where strtod stopped): the
 * most specific of too many fields, too few, or not a number. */
static int bad_field(const pk_csv *t, size_t c, const char *s, const char *end, double x,
                     const char *where, pk_err *err)
{
    int last = c + 1 == t->n_col;
    if (last && end != s && isfinite(x))
        return pk_err_set(err, PK_EINPUT, where,
                          "more fields than the %zu columns of the header", t->n_col);
    if (!last && end != s && isfinite(x) && *end == 0)
        return pk_err_set(err, PK_EINPUT, where, "%zu fields, fewer than the %zu "
                          "columns of the header", c + 1, t->n_col);
    return pk_err_set(err, PK_EINPUT, where, "column %zu (%s) is not a finite number",
                      c + 1, t->name[c]);
}

/* One data row (line lineno): a finite number in every column, appended
 * to t->v, which grows geometrically (*cap_v: its room in numbers). */
static int read_row(pk_csv *t, const char *line, int lineno, size_t *cap_v, const char *path,
                    pk_err *err)
{
    if ((t->n_row + 1) * t->n_col > *cap_v) {
        *cap_v = 2 * (t->n_row + 1) * t->n_col + 64;
        double *v = realloc(t->v, *cap_v * sizeof *v);
        if (!v)
            return pk_err_set(err, PK_ENOMEM, path, "out of memory");
        t->v = v;
    }
    const char *s = line;
    for (size_t c = 0; c < t->n_col; c++) {
        char *end;
        double x = strtod(s, &end);
        int last = c + 1 == t->n_col;
        if (end == s || !isfinite(x) || (last ? *end != 0 : *end != ',')) {
            char where[600];
            snprintf(where, sizeof where, "%s:%d", path, lineno);
            return bad_field(t, c, s, end, x, where, err);
        }
        t->v[t->n_row * t->n_col + c] = x;
        s = *end ? end + 1 : end;
    }
    t->n_row++;
    return PK_OK;
}

int pk_csv_read(const char *path, pk_csv *t, pk_err *err)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "r");
    if (!f)
        return pk_err_set(err, PK_EINPUT, path, "cannot open: %s", strerror(errno));
    char *line = NULL;
    size_t cap = 0, cap_v = 0;
    int rc = PK_OK, lineno = 0;
    ssize_t got;
    while (rc == PK_OK && (got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (got == 0 || line[got - 1] != '\n') {
            /* every writer ends its rows: a last line without one was cut */
            char where[600];
            snprintf(where, sizeof where, "%s:%d", path, lineno);
            rc = pk_err_set(err, PK_EINPUT, where, "the file ends in the middle of a line "
                            "(cut short?)");
            break;
        }
        line[strcspn(line, "\r\n")] = 0;
        if (lineno == 1)
            rc = read_header(t, line, path, err);
        else if (line[0])
            rc = read_row(t, line, lineno, &cap_v, path, err);
    }
    if (rc == PK_OK && (t->n_col == 0 || t->n_row == 0))
        rc = pk_err_set(err, PK_EINPUT, path, "no data rows");
    free(line);
    fclose(f);
    if (rc != PK_OK)
        pk_csv_free(t); /* an error leaves nothing to free */
    return rc;
}

/* ---- text tables ---- */

void pk_csv_text_free(pk_csv_text *t)
{
    for (size_t i = 0; i < t->n_row * t->n_col; i++)
        free(t->s[i]);
    free_names(t->name, t->n_col);
    free(t->s);
    free(t->v);
    memset(t, 0, sizeof *t);
}

int pk_csv_text_col(const pk_csv_text *t, const char *name)
{
    return find_name(t->name, t->n_col, name);
}

/* Splits one line into fields (quotes undone); returns how many, or -1 on
 * an unterminated quote.  The fields are malloc'ed into out (up to max). */
static long split_line(const char *line, char **out, size_t max)
{
    size_t n = 0, len = strlen(line);
    char *buf = malloc(len + 1);
    if (!buf)
        return -1;
    const char *p = line;
    for (;;) {
        size_t k = 0;
        if (*p == '"') {
            for (p++;; p++) {
                if (!*p) {
                    free(buf);
                    return -1;
                }
                if (*p == '"' && p[1] == '"')
                    buf[k++] = *p++;
                else if (*p == '"')
                    break;
                else
                    buf[k++] = *p;
            }
            p++;
        } else {
            while (*p && *p != ',')
                buf[k++] = *p++;
        }
        buf[k] = 0;
        if (n < max && !(out[n] = strdup(buf))) {
            free(buf);
            return -1;
        }
        n++;
        if (*p != ',')
            break;
        p++;
    }
    free(buf);
    return (long)n;
}

int pk_csv_read_text(const char *path, pk_csv_text *t, pk_err *err)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "r");
    if (!f)
        return pk_err_set(err, PK_EINPUT, path, "cannot open: %s", strerror(errno));
    char *line = NULL, *fld[256];
    size_t cap = 0;
    int rc = PK_OK, lineno = 0;
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0] && lineno > 1)
            continue;
        long n = split_line(line, fld, 256);
        char where[600];
        snprintf(where, sizeof where, "%s:%d", path, lineno);
        if (n < 0 || n > 256 || (lineno > 1 && (size_t)n != t->n_col)) {
            for (long i = 0; i < n && i < 256; i++)
                free(fld[i]);
            rc = pk_err_set(err, PK_EINPUT, where, n < 0 ? "a quote is not closed"
                                                         : "%ld fields, the header has %zu",
                            n, t->n_col);
            goto done;
        }
        if (lineno == 1) {
            t->name = malloc((size_t)n * sizeof *t->name);
            if (!t->name) {
                for (long i = 0; i < n; i++)
                    free(fld[i]);
                rc = pk_err_set(err, PK_ENOMEM, path, "out of memory");
                goto done;
            }
            memcpy(t->name, fld, (size_t)n * sizeof *fld);
            t->n_col = (size_t)n;
            continue;
        }
        char **s = realloc(t->s, (t->n_row + 1) * t->n_col * sizeof *s);
        double *v = s ? realloc(t->v, (t->n_row + 1) * t->n_col * sizeof *v) : NULL;
        if (s)
            t->s = s;
        if (v)
            t->v = v;
        if (!s || !v) {
            for (long i = 0; i < n; i++)
                free(fld[i]);
            rc = pk_err_set(err, PK_ENOMEM, path, "out of memory");
            goto done;
        }
        for (size_t c = 0; c < t->n_col; c++) {
            char *end;
            double x = strtod(fld[c], &end);
            t->s[t->n_row * t->n_col + c] = fld[c];
            t->v[t->n_row * t->n_col + c] = end != fld[c] && !*end ? x : NAN;
        }
        t->n_row++;
    }
    if (t->n_col == 0 || t->n_row == 0)
        rc = pk_err_set(err, PK_EINPUT, path, "no data rows");
done:
    free(line);
    fclose(f);
    if (rc != PK_OK)
        pk_csv_text_free(t);
    return rc;
}
