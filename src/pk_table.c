#include "pk_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <csv.h>

#include "pk_file.h"

/* What libcsv's callbacks build: the fields of the record being read,
 * then the header or a row. */
typedef struct reader {
    pk_table *t;
    pk_err *err;
    int line;             /* the line being fed to the parser */
    char **rec;           /* fields of the current record */
    size_t n_rec, cap_rec;
    int have_header;
} reader;

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

static void drop_record(reader *r)
{
    for (size_t i = 0; i < r->n_rec; i++)
        free(r->rec[i]);
    r->n_rec = 0;
}

static int fail(reader *r, int line, const char *column, const char *msg)
{
    char where[600];
    pk_err_where(where, sizeof where, r->t->path, line, column);
    return pk_err_set(r->err, PK_EINPUT, where, "%s", msg);
}

static void on_field(void *s, size_t len, void *data)
{
    reader *r = data;
    if (r->err->code)
        return;
    if (len > PK_TABLE_MAX_FIELD) {
        char msg[80];
        const char *col = r->have_header && r->n_rec < r->t->n_col ? r->t->name[r->n_rec] : NULL;
        snprintf(msg, sizeof msg, "a field longer than %d characters", PK_TABLE_MAX_FIELD);
        fail(r, r->line, col, msg);
        return;
    }
    if (r->n_rec == PK_TABLE_MAX_COL) {
        char msg[80];
        snprintf(msg, sizeof msg, "more than %d fields", PK_TABLE_MAX_COL);
        fail(r, r->line, NULL, msg);
        return;
    }
    if (r->n_rec == r->cap_rec) {
        size_t cap = r->cap_rec ? 2 * r->cap_rec : 16;
        char **p = realloc(r->rec, cap * sizeof *p);
        if (!p) {
            pk_err_set(r->err, PK_ENOMEM, "", "out of memory reading %s", r->t->path);
            return;
        }
        r->rec = p;
        r->cap_rec = cap;
    }
    if (!(r->rec[r->n_rec] = dup_n(s ? s : "", s ? len : 0))) {
        pk_err_set(r->err, PK_ENOMEM, "", "out of memory reading %s", r->t->path);
        return;
    }
    r->n_rec++;
}

static int take_header(reader *r)
{
    pk_table *t = r->t;
    if (r->rec[0][0] == '#') /* "#ID,TIME,...": the '#' is no part of the name */
        memmove(r->rec[0], r->rec[0] + 1, strlen(r->rec[0]));
    t->name = r->rec;
    t->n_col = r->n_rec;
    t->header_line = r->line;
    r->rec = NULL;
    r->n_rec = r->cap_rec = 0;
    r->have_header = 1;
    return PK_OK;
}

static int take_row(reader *r)
{
    pk_table *t = r->t;
    if (r->n_rec != t->n_col) {
        char msg[120];
        snprintf(msg, sizeof msg, "%zu fields where the header (line %d) has %zu", r->n_rec,
                 t->header_line, t->n_col);
        return fail(r, r->line, NULL, msg);
    }
    if (t->n_row == t->cap_row) {
        size_t cap = t->cap_row ? 2 * t->cap_row : 64;
        char **f = realloc(t->field, cap * t->n_col * sizeof *f);
        if (f)
            t->field = f;
        int *l = f ? realloc(t->line, cap * sizeof *l) : NULL;
        if (!l)
            return pk_err_set(r->err, PK_ENOMEM, "", "out of memory reading %s", t->path);
        t->line = l;
        t->cap_row = cap;
    }
    memcpy(t->field + t->n_row * t->n_col, r->rec, t->n_col * sizeof *r->rec);
    t->line[t->n_row++] = r->line;
    r->n_rec = 0;
    return PK_OK;
}

static void on_record(int c, void *data)
{
    (void)c;
    reader *r = data;
    if (r->err->code || r->n_rec == 0)
        return;
    /* a line of blanks is one empty field: a blank line */
    int blank = r->n_rec == 1 && r->rec[0][0] == 0;
    if (blank || (r->have_header && r->rec[0][0] == '#'))
        drop_record(r);
    else if (!r->have_header)
        take_header(r);
    else if (take_row(r))
        drop_record(r);
}

/* Control bytes, lone carriage returns and unbalanced quotes, line by
 * line, before libcsv sees the text: every record is then one line. */
static int scan_line(reader *r, const unsigned char *s, size_t n)
{
    size_t quotes = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c == '"')
            quotes++;
        else if (c == '\r' && !(i + 1 == n || (i + 2 == n && s[i + 1] == '\n')))
            return fail(r, r->line, NULL, "a carriage return inside a line (line ends are LF or "
                        "CRLF)");
        else if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f) {
            char msg[80];
            snprintf(msg, sizeof msg, "binary data (byte 0x%02x): not a CSV text file", c);
            return fail(r, r->line, NULL, msg);
        }
    }
    if (quotes % 2)
        return fail(r, r->line, NULL, "a quoted field is not closed on its line (line breaks "
                    "inside fields are not accepted)");
    return PK_OK;
}

int pk_table_parse(const char *name, const char *text, size_t len, pk_table *t, pk_err *err)
{
    memset(t, 0, sizeof *t);
    if (!(t->path = dup_n(name, strlen(name))))
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    reader r = {.t = t, .err = err};
    size_t off = 0;
    while (off < len && !err->code) {
        const char *nl = memchr(text + off, '\n', len - off);
        size_t n = nl ? (size_t)(nl - (text + off)) + 1 : len - off;
        r.line++;
        if (scan_line(&r, (const unsigned char *)text + off, n))
            break;
        if (csv_parse(&p, text + off, n, on_field, on_record, &r) != n && !err->code)
            fail(&r, r.line, NULL, "malformed quotes (RFC 4180: a quote inside an unquoted "
                 "field, or text after a closing quote)");
        off += n;
    }
    if (!err->code && csv_fini(&p, on_field, on_record, &r) != 0 && !err->code)
        fail(&r, r.line, NULL, "malformed quotes (RFC 4180)");
    csv_free(&p);
    drop_record(&r);
    free(r.rec);
    if (!err->code && !r.have_header)
        pk_err_set(err, PK_EINPUT, t->path, "is empty: no header row");
    return err->code;
}

int pk_table_read(const char *path, pk_table *t, pk_err *err)
{
    memset(t, 0, sizeof *t);
    off_t size = 0;
    int fd = pk_file_open_regular(path, "a CSV file", &size, err);
    if (fd < 0)
        return err->code;
    if ((unsigned long long)size > PK_TABLE_MAX_BYTES) {
        close(fd);
        return pk_err_set(err, PK_EINPUT, path, "is larger than %u MiB", PK_TABLE_MAX_BYTES >> 20);
    }
    size_t cap = (size_t)size + 1, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        close(fd);
        return pk_err_set(err, PK_ENOMEM, "", "out of memory reading %s", path);
    }
    for (;;) { /* the size may change under us: read to the end, within the limit */
        if (n == cap) {
            char *b = cap <= PK_TABLE_MAX_BYTES ? realloc(buf, 2 * cap) : NULL;
            if (!b) {
                free(buf);
                close(fd);
                return pk_err_set(err, PK_EINPUT, path, "is larger than %u MiB",
                                  PK_TABLE_MAX_BYTES >> 20);
            }
            buf = b;
            cap *= 2;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return pk_err_set(err, PK_EIO, path, "cannot read: %s", strerror(e));
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    int rc = pk_table_parse(path, buf, n, t, err);
    free(buf);
    return rc;
}

void pk_table_free(pk_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_col; i++)
        free(t->name[i]);
    for (size_t i = 0; i < t->n_row * t->n_col; i++)
        free(t->field[i]);
    free(t->name);
    free(t->field);
    free(t->line);
    free(t->path);
    memset(t, 0, sizeof *t);
}
