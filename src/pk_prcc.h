/* pk_prcc: partial rank correlation coefficients (PRCC), the usual
 * global sensitivity measure of a model output to its uncertain inputs
 * (Marino et al., J Theor Biol 2008): Spearman-style correlation of input
 * j with the output once the (rank-)linear effect of every other input is
 * removed. */
#ifndef PK_PRCC_H
#define PK_PRCC_H

#include <stddef.h>

/* x: n samples of m inputs (row i at x + i * ldx), y: n outputs.  Writes
 * prcc[0 .. m): in [-1, 1], NAN where undefined (an input or the output
 * constant, fewer samples than m + 3, collinear inputs).  Ties get their
 * average rank.  Returns 0, or -1 when out of memory. */
int pk_prcc(const double *x, size_t n, size_t m, size_t ldx, const double *y, double *prcc);

#endif
