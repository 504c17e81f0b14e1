/* pk_prop: the PK propagator.
 *
 * Between doses the PK is linear, and its coefficients depend only on the
 * time since the last dose tau (the gallbladder switch).  So every dosing
 * interval shares one fundamental matrix Phi(tau) (Phi(0) = I): the state
 * tau after a dose is Phi(tau) * (state just after the dose).  pk_prop
 * tabulates Phi and dPhi/dtau on a node grid at tight tolerance, once per
 * PK parameter set, and interpolates between nodes with cubic Hermite
 * polynomials (exact at nodes; interval lengths are made nodes). */
#ifndef PK_PROP_H
#define PK_PROP_H

#include <stddef.h>

#include "pk_err.h"
#include "pk_model.h"

typedef struct pk_prop {
    size_t n;          /* PK states */
    size_t n_node;
    double *tau;       /* node times, days after a dose; tau[0] = 0 */
    double *phi;       /* n_node blocks of n*n, row-major: Phi[i][k] */
    double *dphi;      /* dPhi/dtau, same layout */
    double *crow;      /* n_node rows of n: c^T Phi (C per unit state, mg/L per mg) */
    double *dcrow;     /* c^T dPhi/dtau */
    long steps;        /* CVODE steps spent building it */
} pk_prop;

/* Tabulates Phi on [0, tau_max] for the model's PK at `derived`, adding
 * the n_extra times `extra` (days) as exact nodes.  rtol is CVODE's
 * relative tolerance.  Frees any previous table in p. */
int pk_prop_build(pk_prop *p, const pk_model *m, const double *derived, double tau_max,
                  const double *extra, size_t n_extra, double rtol, pk_err *err);

void pk_prop_clear(pk_prop *p);

/* Concentration (mg/L) and its time derivative (mg/L/day) at tau days
 * after a dose that left the PK state y0. */
void pk_prop_conc(const pk_prop *p, double tau, const double *y0, double *c, double *dc);

/* The PK state tau days after a dose that left y0. */
void pk_prop_state(const pk_prop *p, double tau, const double *y0, double *y);

#endif
