#include "pk_text.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pk_text_number(const char *s, double *out, int allow_inf)
{
    /* strtod also reads hexadecimal ("0x190" is 400): numbers here are
     * decimal, as a clinician writes them */
    if (!s || !*s || strpbrk(s, "xX"))
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || isnan(v))
        return -1;
    if (isinf(v) && !(allow_inf && v > 0))
        return -1;
    *out = v;
    return 0;
}

int pk_text_tokenize(char *s, char **tok, int max)
{
    int n = 0;
    char *save = NULL;
    for (char *p = strtok_r(s, " \t", &save); p; p = strtok_r(NULL, " \t", &save)) {
        if (n == max)
            return -1;
        tok[n++] = p;
    }
    return n;
}

int pk_text_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

const char *pk_text_exact(char *buf, size_t size, double v)
{
    for (int digits = 6; digits <= 17; digits++) {
        snprintf(buf, size, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}
