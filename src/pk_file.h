/* pk_file: an input file opened safely: without blocking (a FIFO without
 * a writer cannot hang a run), and only when it is a regular file, as the
 * descriptor read from says (not what the path named a moment earlier). */
#ifndef PK_FILE_H
#define PK_FILE_H

#include <sys/types.h>

#include "pk_err.h"

/* Opens path for reading; what names the kind expected in messages ("an
 * INI file": "is a directory, not an INI file").  Returns the descriptor
 * (the caller closes it) with its size in *size when size is not NULL,
 * or -1 with err set. */
int pk_file_open_regular(const char *path, const char *what, off_t *size, pk_err *err);

#endif
