/* pk_hash: SHA-256 fingerprints (OpenSSL's libcrypto) of what a result
 * came from, so a later command can tell that a file is the one a fit
 * wrote. */
#ifndef PK_HASH_H
#define PK_HASH_H

#include <stddef.h>

#include "pk_err.h"

#define PK_SHA256_HEX 65 /* 64 hex digits and the terminating NUL */

void pk_sha256_hex(const void *data, size_t n, char hex[PK_SHA256_HEX]);

/* Of a whole file; PK_EIO with err naming it when it cannot be read. */
int pk_sha256_file(const char *path, char hex[PK_SHA256_HEX], pk_err *err);

#endif
