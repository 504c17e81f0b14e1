/* pk_prop: the PK propagator.
 *
 * Between doses the PK is linear, and its coefficients depend only on the
 * time since the last dose tau (the gallbladder switch).  So every dosing
 * interval shares one fundamental matrix Phi(tau) (Phi(0) = I): the state
 * tau after a dose is Phi(tau) * (state just after the dose).  pk_prop
 * tabulates Phi and dPhi/dtau at tight tolerance, once per PK parameter
 * set, on three uniform grids (fine where absorption and the switch move
 * fast, coarse in the tail, coarser still (the model's far step) from
 * two days after it, where only the slow elimination is left) so that a
 * look-up is O(1), and interpolates between nodes with cubic Hermite
 * polynomials.  Phi at each dosing-interval length is kept exactly
 * ("jumps"), so propagating from dose to dose adds no interpolation
 * error. */
#ifndef PK_PROP_H
#define PK_PROP_H

#include <stddef.h>

#include "pk_err.h"
#include "pk_model.h"

typedef struct pk_prop {
    size_t n;          /* PK states */
    size_t n_fine;     /* fine intervals: nodes 0..n_fine at j*h_fine */
    size_t n_coarse;   /* coarse intervals after t_fine, up to t_far */
    size_t n_node;     /* all nodes: fine, coarse, then far ones */
    double h_fine, h_coarse, h_far; /* days */
    double r_fine, r_coarse, r_far; /* their reciprocals (1/day): look-ups multiply */
    double t_fine, t_far;           /* t_fine = n_fine*h_fine; t_far = t_fine + n_coarse*h_coarse */
    double tau_end;                 /* the last node: the table's extent */
    double *phi;       /* n_node blocks of n*n, row-major: Phi[i][k] */
    double *dphi;      /* dPhi/dtau, same layout */
    double *crow;      /* n_node rows of n: c^T Phi (mg/L per mg) */
    double *dcrow;     /* c^T dPhi/dtau */
    double *irow;      /* integral of crow from 0 to the node (mg day/L per mg):
                          exact for the Hermite interpolant of crow */
    size_t n_jump;
    double *jump_tau;  /* ascending interval lengths, days */
    double *jump_phi;  /* Phi at each, n*n */
    long steps;        /* CVODE steps spent building it */
    /* the model's closed form (pk_model.pk_phi) instead of a table */
    void (*closed)(const double *derived, double tau_day, double *phi, double *iphi);
    double derived[PK_MAX_DERIVED];
    double c[PK_MAX_STATE];           /* concentration per mg of each PK state */
} pk_prop;

/* The largest table pk_prop_build makes (phi, dphi and the three rows),
 * bytes.  A shipped patient's 221-day table is about 2 MB; oral1cpt's at
 * its prior medians over 221 days 1.4 MB.  Beyond the limit are rate
 * constants far outside any drug's (an optimiser's excursions): building
 * such tables took 90% of an unbounded Theoph fit's time. */
#define PK_PROP_MAX_BYTES 64e6

/* Tabulates Phi on [0, tau_max] for the model's PK at `derived`, keeping
 * Phi exactly at the n_jump sorted, distinct lengths `jumps` (days, at
 * most tau_max).  rtol is CVODE's relative tolerance.  Frees any previous
 * table in p.  Refuses (PK_ESOLVER, p left empty) a PK whose rate
 * constants or concentration row are not finite, whose pk_grid steps are
 * not positive and finite, or whose table would exceed
 * PK_PROP_MAX_BYTES; PK_EINPUT for a non-finite tau_max. */
int pk_prop_build(pk_prop *p, const pk_model *m, const double *derived, double tau_max,
                  const double *jumps, size_t n_jump, double rtol, pk_err *err);

void pk_prop_clear(pk_prop *p);

/* Concentration (mg/L) tau days after a dose that left the PK state y0,
 * and its integral from the dose to tau (AUC, mg day/L), both of the same
 * interpolant: the AUC's derivative is exactly that concentration. */
void pk_prop_conc_auc(const pk_prop *p, double tau, const double *y0, double *c, double *auc);

/* The PK state tau days after a dose that left y0 (interpolated). */
void pk_prop_state(const pk_prop *p, double tau, const double *y0, double *y);

/* 1 when tau is one of the exact jump lengths. */
int pk_prop_has_jump(const pk_prop *p, double tau);

/* y = Phi(tau) y0, exact when tau is a jump length, else interpolated. */
void pk_prop_jump(const pk_prop *p, double tau, const double *y0, double *y);

#endif
