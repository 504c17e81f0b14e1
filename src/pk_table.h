/* pk_table: a CSV data table (a NONMEM-style data set) read with libcsv:
 * RFC 4180 quotes, LF or CRLF line ends, blanks around unquoted fields
 * trimmed, a UTF-8 byte order mark skipped.  The first row that is not
 * blank is the header (a leading '#' on it is dropped: "#ID,TIME,..."
 * is common); later rows whose first field starts with '#' are comments,
 * and blank lines are skipped.  Every row keeps the line of the file it
 * is on, for messages ("FILE:LINE: COLUMN: ...").
 *
 * Refused with the line: control bytes other than tab and the line ends
 * (binary data), a lone carriage return, a line with an unclosed quote
 * (a line break inside a quoted field is not accepted: a data set's
 * values are numbers and names), quotes libcsv's strict mode refuses
 * (a quote inside an unquoted field, text after a closing quote), fields
 * over PK_TABLE_MAX_FIELD characters, more than PK_TABLE_MAX_COL columns,
 * a row with another number of fields than the header. */
#ifndef PK_TABLE_H
#define PK_TABLE_H

#include <stddef.h>

#include "pk_err.h"

#define PK_TABLE_MAX_FIELD 256
#define PK_TABLE_MAX_COL 256
#define PK_TABLE_MAX_BYTES (256u << 20) /* a file larger than this is refused */

typedef struct pk_table {
    char *path;          /* the name messages use */
    size_t n_col, n_row;
    char **name;         /* n_col header fields, as written (trimmed) */
    char **field;        /* n_row x n_col fields, quotes undone */
    int *line;           /* n_row: each row's line in the file (1-based) */
    int header_line;
    size_t cap_row;
} pk_table;

/* Parses text[0..len) into t (zeroed by the call).  name stands for the
 * file in messages.  On error t holds what was read and must still be
 * freed with pk_table_free. */
int pk_table_parse(const char *name, const char *text, size_t len, pk_table *t, pk_err *err);

/* Reads a regular file (not a directory, FIFO or device) and parses it.
 * An empty file (or one of blank lines) is refused. */
int pk_table_read(const char *path, pk_table *t, pk_err *err);

void pk_table_free(pk_table *t);

/* The field of row r, column c. */
static inline const char *pk_table_at(const pk_table *t, size_t r, size_t c)
{
    return t->field[r * t->n_col + c];
}

#endif
