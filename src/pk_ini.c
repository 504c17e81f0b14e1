#include "pk_ini.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "pk_file.h"

/* The sections, or the (section, key) pairs, read so far, hashed: comparing
 * each with all earlier ones made 10^5 observation lines take 36 s.  A
 * slot is 8 bytes (the hash, and 1 + the index in ini->section or
 * ini->entry; 0 when empty) so that a million keys stay in few pages. */
typedef struct seen_slot {
    uint32_t hash, item;
} seen_slot;

typedef struct seen_set {
    const pk_ini *ini;
    int keys; /* items are ini->entry; otherwise ini->section */
    seen_slot *slot;
    size_t cap, n; /* cap is 0 or a power of two, at least twice n */
} seen_set;

/* Our own line reader: it counts lines (Debian's inih is built without
 * line numbers in the handler), sees over-long lines and NUL bytes before
 * inih would silently split or cut them, and records section headers. */
typedef struct reader_state {
    FILE *f;
    pk_ini *ini;
    pk_err *err;
    int line;
    char buf[PK_INI_MAX_LINE + 4]; /* a BOM, the text and a '\r' */
    int after_key; /* a key since the last section header */
    seen_set sections, keys;
} reader_state;

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* FNV-1a over section, a separator and key. */
static uint32_t hash_pair(const char *section, const char *key)
{
    uint64_t h = 14695981039346656037u;
    for (const char *c = section; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211u;
    h = (h ^ 0xff) * 1099511628211u;
    for (const char *c = key; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211u;
    return (uint32_t)(h ^ h >> 32);
}

static int seen_same(const seen_set *s, uint32_t item, const char *section, const char *key)
{
    if (!s->keys)
        return strcmp(s->ini->section[item - 1].name, section) == 0;
    const pk_ini_entry *e = &s->ini->entry[item - 1];
    return strcmp(e->key, key) == 0 && strcmp(e->section, section) == 0;
}

static seen_slot *seen_probe(const seen_set *s, const char *section, const char *key,
                             uint32_t hash)
{
    for (size_t i = hash & (s->cap - 1);; i = (i + 1) & (s->cap - 1))
        if (!s->slot[i].item ||
            (s->slot[i].hash == hash && seen_same(s, s->slot[i].item, section, key)))
            return &s->slot[i];
}

/* The slot of (section, key), with room made for one more.  Empty
 * (item 0) if there was no such section or key yet: then seen_add fills
 * it once the item is stored.  NULL: out of memory. */
static seen_slot *seen_find(seen_set *s, const char *section, const char *key)
{
    if (2 * (s->n + 1) > s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        seen_slot *slot = calloc(cap, sizeof *slot);
        if (!slot)
            return NULL;
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->slot[i].item)
                continue;
            size_t k = s->slot[i].hash & (cap - 1);
            while (slot[k].item) /* the items are distinct: no comparing */
                k = (k + 1) & (cap - 1);
            slot[k] = s->slot[i];
        }
        free(s->slot);
        s->slot = slot;
        s->cap = cap;
    }
    uint32_t hash = hash_pair(section, key);
    seen_slot *e = seen_probe(s, section, key, hash);
    e->hash = hash;
    return e;
}

/* The line of the item in slot e (not empty). */
static int seen_line(const seen_set *s, const seen_slot *e)
{
    return s->keys ? s->ini->entry[e->item - 1].line : s->ini->section[e->item - 1].line;
}

static void seen_add(seen_set *s, seen_slot *e, size_t index)
{
    e->item = (uint32_t)(index + 1);
    s->n++;
}

static void fail_at(reader_state *r, int line, const char *fmt, const char *arg)
{
    char where[512];
    pk_err_where(where, sizeof where, r->ini->path, line, NULL);
    pk_err_set(r->err, PK_EINPUT, where, fmt, arg);
}

/* Reported as such: a handler returning 0 would make inih call it a
 * syntax error on this line. */
static int out_of_memory(reader_state *r)
{
    pk_err_set(r->err, PK_ENOMEM, "", "out of memory reading %s", r->ini->path);
    return 1;
}

/* What a file that is not regular is, for the message refusing it. */
static int add_section(reader_state *r, const char *text)
{
    pk_ini *ini = r->ini;
    const char *end = strchr(text, ']');
    if (!end)
        return 0; /* inih reports the syntax error */
    r->after_key = 0;
    size_t len = (size_t)(end - text - 1);
    char name[PK_INI_MAX_LINE + 1];
    memcpy(name, text + 1, len);
    name[len] = 0;
    /* inih strips blanks around the name; so do we */
    char *s = name;
    while (isspace((unsigned char)*s))
        s++;
    size_t l = strlen(s);
    while (l > 0 && isspace((unsigned char)s[l - 1]))
        s[--l] = 0;
    seen_slot *seen = seen_find(&r->sections, s, "");
    if (!seen)
        return -1;
    if (seen->item) {
        char msg[300];
        snprintf(msg, sizeof msg, "duplicate section [%s] (first on line %d)", s,
                 seen_line(&r->sections, seen));
        fail_at(r, r->line, "%s", msg);
        return 0;
    }
    if (ini->n_section == ini->cap_section) {
        size_t cap = ini->cap_section ? 2 * ini->cap_section : 8;
        pk_ini_section *p = realloc(ini->section, cap * sizeof *p);
        if (!p)
            return -1;
        ini->section = p;
        ini->cap_section = cap;
    }
    char *copy = dupstr(s);
    if (!copy)
        return -1;
    ini->section[ini->n_section++] = (pk_ini_section){copy, r->line};
    seen_add(&r->sections, seen, ini->n_section - 1);
    return 0;
}

/* Reads the next line, without its '\n', into r->buf.  Reading stops
 * when the buffer is full: a file without line ends must not fill the
 * memory.  Returns the bytes read, -1 at the end of the file or on a read
 * error, or -2 when the line did not fit. */
static long read_line(reader_state *r)
{
    size_t n = 0;
    int c;
    while ((c = getc_unlocked(r->f)) != EOF && c != '\n') {
        if (n == sizeof r->buf)
            return -2;
        r->buf[n++] = (char)c;
    }
    if (c == EOF && (n == 0 || ferror(r->f)))
        return -1;
    return (long)n;
}

static char *reader(char *str, int num, void *stream)
{
    reader_state *r = stream;
    if (r->err->code)
        return NULL; /* the first error is the one reported: no need to read on */
    long len = read_line(r);
    if (len == -1)
        return NULL;
    r->line++;
    size_t n = len < 0 ? sizeof r->buf : (size_t)len;
    if (memchr(r->buf, 0, n)) {
        fail_at(r, r->line, "%s", "binary data (not a text file)");
        return NULL;
    }
    const char *text = r->buf;
    /* the UTF-8 byte order mark some editors write is not part of line 1 */
    if (r->line == 1 && n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        n -= 3;
    }
    while (n > 0 && text[n - 1] == '\r')
        n--;
    if (len < 0 || n > PK_INI_MAX_LINE || (int)n > num - 2) {
        char msg[64];
        snprintf(msg, sizeof msg, "line longer than %d characters", PK_INI_MAX_LINE);
        fail_at(r, r->line, "%s", msg);
        return NULL;
    }
    memcpy(str, text, n);
    str[n] = '\n';
    str[n + 1] = 0;
    const char *s = str;
    while (isspace((unsigned char)*s))
        s++;
    /* inih would add an indented line after a key to that key's value and
     * hand it to us as the key again, called a duplicate of the line
     * above; blank and comment lines are skipped as inih skips them */
    if (INI_ALLOW_MULTILINE && s > str && r->after_key && !strchr(INI_START_COMMENT_PREFIXES, *s)) {
        fail_at(r, r->line, "%s", "indented continuation lines are not allowed");
        return NULL;
    }
    if (*s == '[' && add_section(r, s) < 0) {
        out_of_memory(r);
        return NULL;
    }
    return str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    reader_state *r = user;
    pk_ini *ini = r->ini;
    if (r->err->code)
        return 1;
    seen_slot *seen = seen_find(&r->keys, section, name);
    if (!seen)
        return out_of_memory(r);
    if (seen->item) {
        char where[512], msg[128];
        pk_err_where(where, sizeof where, ini->path, r->line, name);
        snprintf(msg, sizeof msg, "duplicate key in [%s] (first on line %d)", section,
                 seen_line(&r->keys, seen));
        pk_err_set(r->err, PK_EINPUT, where, "%s", msg);
        return 1;
    }
    if (ini->n_entry == ini->cap_entry) {
        size_t cap = ini->cap_entry ? 2 * ini->cap_entry : 32;
        pk_ini_entry *p = realloc(ini->entry, cap * sizeof *p);
        if (!p)
            return out_of_memory(r);
        ini->entry = p;
        ini->cap_entry = cap;
    }
    pk_ini_entry e = {dupstr(section), dupstr(name), dupstr(value), r->line};
    if (!e.section || !e.key || !e.value) {
        free(e.section);
        free(e.key);
        free(e.value);
        return out_of_memory(r);
    }
    ini->entry[ini->n_entry++] = e;
    seen_add(&r->keys, seen, ini->n_entry - 1);
    r->after_key = *name != 0; /* inih continues no empty name */
    return 1;
}

static int load_stream(FILE *f, const char *path, pk_ini *ini, pk_err *err);

int pk_ini_load(const char *path, pk_ini *ini, pk_err *err)
{
    ini->path = dupstr(path);
    if (!ini->path)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    int fd = pk_file_open_regular(path, "an INI file", NULL, err);
    if (fd < 0)
        return err->code;
    FILE *f = fdopen(fd, "r");
    if (!f) {
        int fdopen_errno = errno;
        close(fd);
        return pk_err_set(err, PK_EIO, path, "cannot open: %s", strerror(fdopen_errno));
    }
    return load_stream(f, path, ini, err);
}

int pk_ini_load_mem(const char *name, const char *text, size_t len, pk_ini *ini, pk_err *err)
{
    ini->path = dupstr(name);
    if (!ini->path)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    if (len == 0) /* fmemopen refuses an empty buffer */
        return pk_err_set(err, PK_EINPUT, name, "file is empty");
    FILE *f = fmemopen((void *)text, len, "r");
    if (!f)
        return pk_err_set(err, PK_ENOMEM, name, "cannot read from memory: %s", strerror(errno));
    return load_stream(f, name, ini, err);
}

/* Reads f (closed here) into ini; path names it in messages. */
static int load_stream(FILE *f, const char *path, pk_ini *ini, pk_err *err)
{
    reader_state r = {.f = f, .ini = ini, .err = err, .sections = {.ini = ini},
                      .keys = {.ini = ini, .keys = 1}};
    int rc = ini_parse_stream(reader, &r, handler, &r);
    int read_error = ferror(f);
    fclose(f);
    free(r.sections.slot);
    free(r.keys.slot);
    if (err->code)
        return err->code;
    if (read_error)
        return pk_err_set(err, PK_EIO, path, "read error");
    if (rc == -2)
        return pk_err_set(err, PK_ENOMEM, path, "out of memory");
    if (rc > 0) {
        char where[512];
        pk_err_where(where, sizeof where, path, rc, NULL);
        return pk_err_set(err, PK_EINPUT, where,
                          "expected 'key = value', '[section]' or a comment");
    }
    if (rc != 0)
        return pk_err_set(err, PK_EIO, path, "cannot read");
    if (ini->n_entry == 0 && ini->n_section == 0)
        return pk_err_set(err, PK_EINPUT, path, "file is empty");
    return PK_OK;
}

void pk_ini_free(pk_ini *ini)
{
    if (!ini)
        return;
    for (size_t i = 0; i < ini->n_entry; i++) {
        free(ini->entry[i].section);
        free(ini->entry[i].key);
        free(ini->entry[i].value);
    }
    for (size_t i = 0; i < ini->n_section; i++)
        free(ini->section[i].name);
    free(ini->entry);
    free(ini->section);
    free(ini->path);
    memset(ini, 0, sizeof *ini);
}

int pk_ini_section_line(const pk_ini *ini, const char *name)
{
    for (size_t i = 0; i < ini->n_section; i++)
        if (strcmp(ini->section[i].name, name) == 0)
            return ini->section[i].line;
    return 0;
}
