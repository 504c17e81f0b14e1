#include "pk_prop.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cvodes/cvodes.h>
#include <nvector/nvector_serial.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

typedef struct {
    const pk_model *m;
    const double *derived;
} prop_ctx;

/* dPhi/dtau = A(tau) Phi, column by column through the model's PK rhs. */
static int phi_rhs(double tau, N_Vector y, N_Vector ydot, void *ud)
{
    const prop_ctx *c = ud;
    size_t n = c->m->n_pk;
    const double *p = N_VGetArrayPointer(y);
    double *dp = N_VGetArrayPointer(ydot);
    double col[PK_MAX_STATE], dcol[PK_MAX_STATE];
    for (size_t k = 0; k < n; k++) {
        for (size_t i = 0; i < n; i++)
            col[i] = p[i * n + k];
        c->m->pk_rhs(tau, col, c->derived, dcol);
        for (size_t i = 0; i < n; i++)
            dp[i * n + k] = dcol[i];
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void pk_prop_clear(pk_prop *p)
{
    free(p->tau);
    free(p->phi);
    free(p->dphi);
    free(p->crow);
    free(p->dcrow);
    memset(p, 0, sizeof *p);
}

/* The node grid: fine steps where absorption and the gallbladder switch
 * move fast, coarse ones in the smooth tail, plus the requested times. */
static double *make_grid(const pk_model *m, const double *derived, double tau_max,
                         const double *extra, size_t n_extra, size_t *n_out)
{
    double hf, tf, hc;
    m->pk_grid(derived, &hf, &tf, &hc);
    if (tf > tau_max)
        tf = tau_max;
    size_t nf = (size_t)ceil(tf / hf) + 1;
    size_t nc = tau_max > tf ? (size_t)ceil((tau_max - tf) / hc) + 1 : 0;
    size_t cap = nf + nc + n_extra + 2;
    double *t = malloc(cap * sizeof *t);
    if (!t)
        return NULL;
    size_t k = 0;
    for (size_t j = 0; j < nf && j * hf < tf; j++)
        t[k++] = j * hf;
    t[k++] = tf;
    for (size_t j = 1; j < nc && tf + j * hc < tau_max; j++)
        t[k++] = tf + j * hc;
    t[k++] = tau_max;
    for (size_t j = 0; j < n_extra; j++)
        if (extra[j] >= 0 && extra[j] <= tau_max)
            t[k++] = extra[j];
    qsort(t, k, sizeof *t, cmp_double);
    /* Merge nodes closer than 1e-9 day; an exact extra time wins. */
    size_t u = 0;
    for (size_t j = 0; j < k; j++) {
        if (u > 0 && t[j] - t[u - 1] < 1e-9) {
            for (size_t e = 0; e < n_extra; e++)
                if (extra[e] == t[j])
                    t[u - 1] = t[j];
            continue;
        }
        t[u++] = t[j];
    }
    t[0] = 0.0;
    *n_out = u;
    return t;
}

int pk_prop_build(pk_prop *p, const pk_model *m, const double *derived, double tau_max,
                  const double *extra, size_t n_extra, double rtol, pk_err *err)
{
    pk_prop_clear(p);
    size_t n = m->n_pk, nn = n * n;
    p->n = n;
    if (!(tau_max > 0))
        tau_max = 1.0;
    p->tau = make_grid(m, derived, tau_max, extra, n_extra, &p->n_node);
    if (!p->tau)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory for the PK propagator");
    size_t nn_node = p->n_node;
    p->phi = malloc(nn_node * nn * sizeof(double));
    p->dphi = malloc(nn_node * nn * sizeof(double));
    p->crow = malloc(nn_node * n * sizeof(double));
    p->dcrow = malloc(nn_node * n * sizeof(double));
    if (!p->phi || !p->dphi || !p->crow || !p->dcrow) {
        pk_prop_clear(p);
        return pk_err_set(err, PK_ENOMEM, "", "out of memory for the PK propagator");
    }

    /* c: concentration per unit amount in each PK state (conc is linear). */
    double c[PK_MAX_STATE], unit[PK_MAX_STATE] = {0};
    for (size_t i = 0; i < n; i++) {
        unit[i] = 1.0;
        c[i] = m->conc(unit, derived);
        unit[i] = 0.0;
    }

    prop_ctx ctx = {m, derived};
    SUNContext sun = NULL;
    void *cv = NULL;
    N_Vector y = NULL;
    SUNMatrix A = NULL;
    SUNLinearSolver LS = NULL;
    int rc = PK_OK;
    if (SUNContext_Create(NULL, &sun) != 0 || !(y = N_VNew_Serial((sunindextype)nn, sun)) ||
        !(cv = CVodeCreate(CV_BDF, sun)) ||
        !(A = SUNDenseMatrix((sunindextype)nn, (sunindextype)nn, sun)) ||
        !(LS = SUNLinSol_Dense(y, A, sun))) {
        rc = pk_err_set(err, PK_ENOMEM, "", "cannot create the PK propagator's solver");
        goto done;
    }
    double *yv = N_VGetArrayPointer(y);
    for (size_t i = 0; i < nn; i++)
        yv[i] = (i / n == i % n) ? 1.0 : 0.0;
    /* Phi has unit scale; atol far below any amount that matters. */
    if (CVodeInit(cv, phi_rhs, 0.0, y) < 0 || CVodeSStolerances(cv, rtol, rtol * 1e-4) < 0 ||
        CVodeSetUserData(cv, &ctx) < 0 || CVodeSetLinearSolver(cv, LS, A) < 0 ||
        CVodeSetMaxNumSteps(cv, 1000000) < 0 || CVodeSetStopTime(cv, p->tau[nn_node - 1]) < 0) {
        rc = pk_err_set(err, PK_EINTERNAL, "", "cannot set up the PK propagator's solver");
        goto done;
    }
    for (size_t j = 0; j < nn_node; j++) {
        if (j > 0) {
            double tret;
            int flag = CVode(cv, p->tau[j], y, &tret, CV_NORMAL);
            if (flag < 0) {
                rc = pk_err_set(err, PK_ESOLVER, "",
                                "PK propagator failed at %.6g days after a dose (CVODE flag %d)",
                                p->tau[j], flag);
                goto done;
            }
        }
        double *ph = p->phi + j * nn, *dph = p->dphi + j * nn;
        memcpy(ph, yv, nn * sizeof(double));
        N_Vector tmp = N_VMake_Serial((sunindextype)nn, dph, sun);
        phi_rhs(p->tau[j], y, tmp, &ctx);
        N_VDestroy(tmp);
        for (size_t k = 0; k < n; k++) {
            double s = 0, ds = 0;
            for (size_t i = 0; i < n; i++) {
                s += c[i] * ph[i * n + k];
                ds += c[i] * dph[i * n + k];
            }
            p->crow[j * n + k] = s;
            p->dcrow[j * n + k] = ds;
        }
    }
    long nst = 0;
    CVodeGetNumSteps(cv, &nst);
    p->steps = nst;
done:
    SUNLinSolFree(LS);
    SUNMatDestroy(A);
    N_VDestroy(y);
    CVodeFree(&cv);
    SUNContext_Free(&sun);
    if (rc != PK_OK)
        pk_prop_clear(p);
    return rc;
}

/* Node j with tau[j] <= tau < tau[j+1] (clamped to the table). */
static size_t locate(const pk_prop *p, double tau)
{
    size_t lo = 0, hi = p->n_node - 1;
    if (tau >= p->tau[hi])
        return hi > 0 ? hi - 1 : 0;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (p->tau[mid] <= tau)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

typedef struct {
    double h, w0, w1, v0, v1;     /* value weights: f0, h*f0', f1, h*f1' */
    double dw0, dw1, dv0, dv1;    /* derivative weights, already / h */
} hermite;

static hermite hermite_at(const pk_prop *p, size_t j, double tau)
{
    hermite H;
    double h = p->tau[j + 1] - p->tau[j];
    double s = (tau - p->tau[j]) / h;
    double s2 = s * s, s3 = s2 * s;
    H.h = h;
    H.w0 = 2 * s3 - 3 * s2 + 1;
    H.v0 = (s3 - 2 * s2 + s) * h;
    H.w1 = -2 * s3 + 3 * s2;
    H.v1 = (s3 - s2) * h;
    H.dw0 = (6 * s2 - 6 * s) / h;
    H.dv0 = 3 * s2 - 4 * s + 1;
    H.dw1 = (-6 * s2 + 6 * s) / h;
    H.dv1 = 3 * s2 - 2 * s;
    return H;
}

void pk_prop_conc(const pk_prop *p, double tau, const double *y0, double *c, double *dc)
{
    size_t n = p->n;
    if (p->n_node < 2) {
        *c = *dc = 0;
        return;
    }
    size_t j = locate(p, tau);
    const double *r0 = p->crow + j * n, *r1 = r0 + n;
    const double *d0 = p->dcrow + j * n, *d1 = d0 + n;
    double f0 = 0, f1 = 0, g0 = 0, g1 = 0;
    for (size_t k = 0; k < n; k++) {
        f0 += r0[k] * y0[k];
        f1 += r1[k] * y0[k];
        g0 += d0[k] * y0[k];
        g1 += d1[k] * y0[k];
    }
    hermite H = hermite_at(p, j, tau);
    *c = H.w0 * f0 + H.v0 * g0 + H.w1 * f1 + H.v1 * g1;
    if (dc)
        *dc = H.dw0 * f0 + H.dv0 * g0 + H.dw1 * f1 + H.dv1 * g1;
}

void pk_prop_state(const pk_prop *p, double tau, const double *y0, double *y)
{
    size_t n = p->n, nn = n * n;
    if (p->n_node < 2) {
        memcpy(y, y0, n * sizeof *y);
        return;
    }
    size_t j = locate(p, tau);
    hermite H = hermite_at(p, j, tau);
    const double *a0 = p->phi + j * nn, *a1 = a0 + nn;
    const double *b0 = p->dphi + j * nn, *b1 = b0 + nn;
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t k = 0; k < n; k++) {
            size_t ik = i * n + k;
            s += (H.w0 * a0[ik] + H.v0 * b0[ik] + H.w1 * a1[ik] + H.v1 * b1[ik]) * y0[k];
        }
        y[i] = s;
    }
}
