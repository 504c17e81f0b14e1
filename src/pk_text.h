/* pk_text: the small parsing helpers every loader shares. */
#ifndef PK_TEXT_H
#define PK_TEXT_H

/* Parses a whole token as a finite number ("inf" allowed when asked);
 * 0 on success, -1 otherwise. */
int pk_text_number(const char *s, double *out, int allow_inf);

/* Splits s (modified in place) into at most max blank-separated tokens;
 * returns their count, -1 when there are more. */
int pk_text_tokenize(char *s, char **tok, int max);

/* qsort comparison of doubles, ascending. */
int pk_text_cmp_double(const void *a, const void *b);

#endif
