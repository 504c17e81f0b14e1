/* pk_text: the small parsing helpers every loader shares. */
#ifndef PK_TEXT_H
#define PK_TEXT_H

#include <stddef.h>

/* Parses a whole token as a finite decimal number ("inf" allowed when
 * asked; hexadecimal refused); 0 on success, -1 otherwise. */
int pk_text_number(const char *s, double *out, int allow_inf);

/* Splits s (modified in place) into at most max blank-separated tokens;
 * returns their count, -1 when there are more. */
int pk_text_tokenize(char *s, char **tok, int max);

/* v with the fewest significant digits (6 to 17) that read back as v
 * exactly, into buf; returns buf.  For messages about a value that must
 * not be shown rounded ("800.0000002 mg/day", not "800 mg/day"). */
const char *pk_text_exact(char *buf, size_t size, double v);

/* qsort comparison of doubles, ascending. */
int pk_text_cmp_double(const void *a, const void *b);

#endif
