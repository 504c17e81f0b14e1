#include "pk_text.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int pk_text_number(const char *s, double *out, int allow_inf)
{
    if (!s || !*s)
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
