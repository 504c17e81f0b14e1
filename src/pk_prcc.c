#include "pk_prcc.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_sort.h>

/* Average ranks (1..n) of v[k * stride], k < n, into r; idx scratch of n. */
static void ranks(const double *v, size_t stride, size_t n, size_t *idx, double *r)
{
    gsl_sort_index(idx, v, stride, n);
    for (size_t a = 0; a < n;) {
        size_t b = a;
        while (b + 1 < n && v[idx[b + 1] * stride] == v[idx[a] * stride])
            b++;
        double avg = 0.5 * (double)(a + b) + 1;
        for (size_t k = a; k <= b; k++)
            r[idx[k]] = avg;
        a = b + 1;
    }
}

int pk_prcc(const double *x, size_t n, size_t m, size_t ldx, const double *y, double *prcc)
{
    for (size_t j = 0; j < m; j++)
        prcc[j] = NAN;
    if (n < m + 3)
        return 0;
    size_t p = m + 1; /* the inputs, then the output */
    double *rk = malloc(n * p * sizeof *rk), *col = malloc(n * sizeof *col);
    size_t *idx = malloc(n * sizeof *idx);
    gsl_matrix *c = gsl_matrix_alloc(p, p), *inv = gsl_matrix_alloc(p, p);
    gsl_permutation *perm = gsl_permutation_alloc(p);
    int rc = rk && col && idx && c && inv && perm ? 0 : -1;
    for (size_t v = 0; rc == 0 && v < p; v++) {
        if (v < m)
            ranks(x + v, ldx, n, idx, col);
        else
            ranks(y, 1, n, idx, col);
        /* centred ranks: Pearson's r on them is Spearman's */
        double mean = 0.5 * (double)(n + 1);
        for (size_t i = 0; i < n; i++)
            rk[v * n + i] = col[i] - mean;
    }
    int singular = 0;
    for (size_t a = 0; rc == 0 && a < p; a++)
        for (size_t b = a; b < p; b++) {
            double s = 0, sa = 0, sb = 0;
            for (size_t i = 0; i < n; i++) {
                s += rk[a * n + i] * rk[b * n + i];
                sa += rk[a * n + i] * rk[a * n + i];
                sb += rk[b * n + i] * rk[b * n + i];
            }
            if (!(sa > 0) || !(sb > 0)) {
                singular = 1; /* a constant input or output */
                continue;
            }
            gsl_matrix_set(c, a, b, s / sqrt(sa * sb));
            gsl_matrix_set(c, b, a, s / sqrt(sa * sb));
        }
    int sign = 0;
    if (rc == 0 && !singular && gsl_linalg_LU_decomp(c, perm, &sign) == 0 &&
        fabs(gsl_linalg_LU_det(c, sign)) > 1e-12 && gsl_linalg_LU_invert(c, perm, inv) == 0) {
        /* partial correlation of input j with the output, all else held */
        double pyy = gsl_matrix_get(inv, m, m);
        for (size_t j = 0; j < m; j++) {
            double pjj = gsl_matrix_get(inv, j, j), pjy = gsl_matrix_get(inv, j, m);
            if (pjj > 0 && pyy > 0)
                prcc[j] = fmax(-1.0, fmin(1.0, -pjy / sqrt(pjj * pyy)));
        }
    }
    free(rk);
    free(col);
    free(idx);
    gsl_matrix_free(c);
    gsl_matrix_free(inv);
    gsl_permutation_free(perm);
    return rc;
}
