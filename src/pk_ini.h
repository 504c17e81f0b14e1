/* pk_ini: an INI file as raw (section, key, value, line) entries, read
 * with inih.  No meaning is attached here (that is pk_patient's job), but
 * everything that makes the text itself unusable is rejected: a missing
 * or unreadable file, anything but a regular file (a directory, a device,
 * a FIFO), binary data, over-long lines, lines that are neither
 * "[section]" nor "key = value", duplicate sections and duplicate keys.
 * No read goes further than one line's limit past the last line end. */
#ifndef PK_INI_H
#define PK_INI_H

#include <stddef.h>

#include "pk_err.h"

#define PK_INI_MAX_LINE 198 /* characters per line, without the newline */

typedef struct pk_ini_entry {
    char *section, *key, *value;
    int line;
} pk_ini_entry;

typedef struct pk_ini_section {
    char *name;
    int line;
} pk_ini_section;

typedef struct pk_ini {
    char *path;
    pk_ini_entry *entry;
    size_t n_entry, cap_entry;
    pk_ini_section *section;
    size_t n_section, cap_section;
} pk_ini;

/* Reads path into ini (zero it first).  On error ini holds what was read
 * and must still be freed with pk_ini_free. */
int pk_ini_load(const char *path, pk_ini *ini, pk_err *err);

/* The same from text[0..len) in memory (generated text: an imported data
 * set's patients); name stands for the file in messages. */
int pk_ini_load_mem(const char *name, const char *text, size_t len, pk_ini *ini, pk_err *err);

void pk_ini_free(pk_ini *ini);

/* The line of "[name]", or 0 if the file has no such section. */
int pk_ini_section_line(const pk_ini *ini, const char *name);

#endif
