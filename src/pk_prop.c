#include "pk_prop.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include <cvodes/cvodes.h>
#include <nvector/nvector_serial.h>
#include <sunnonlinsol/sunnonlinsol_fixedpoint.h>

typedef struct {
    const pk_model *m;
    const double *derived;
} prop_ctx;

/* dPhi/dtau = A(tau) Phi, column by column through the model's PK rhs. */
static void phi_deriv(const prop_ctx *c, double tau, const double *p, double *dp)
{
    size_t n = c->m->n_pk;
    double col[PK_MAX_STATE], dcol[PK_MAX_STATE];
    for (size_t k = 0; k < n; k++) {
        for (size_t i = 0; i < n; i++)
            col[i] = p[i * n + k];
        c->m->pk_rhs(tau, col, c->derived, dcol);
        for (size_t i = 0; i < n; i++)
            dp[i * n + k] = dcol[i];
    }
}

/* The PK's matrix A(tau), row-major n x n: column k is the right-hand
 * side at the unit vector e_k. */
static void pk_matrix(const prop_ctx *c, double tau, double *a)
{
    size_t n = c->m->n_pk;
    double col[PK_MAX_STATE] = {0}, dcol[PK_MAX_STATE];
    for (size_t k = 0; k < n; k++) {
        col[k] = 1.0;
        c->m->pk_rhs(tau, col, c->derived, dcol);
        col[k] = 0.0;
        for (size_t i = 0; i < n; i++)
            a[i * n + k] = dcol[i];
    }
}

void pk_prop_clear(pk_prop *p)
{
    free(p->phi);
    free(p->dphi);
    free(p->crow);
    free(p->dcrow);
    free(p->irow);
    free(p->jump_tau);
    free(p->jump_phi);
    memset(p, 0, sizeof *p);
}

static double node_tau(const pk_prop *p, size_t j)
{
    if (j <= p->n_fine)
        return j * p->h_fine;
    if (j <= p->n_fine + p->n_coarse)
        return p->t_fine + (j - p->n_fine) * p->h_coarse;
    return p->t_far + (j - p->n_fine - p->n_coarse) * p->h_far;
}

/* The spacing from node j to node j + 1, days: its region's, exactly (the
 * difference of two node_tau values differs from it in the last bits). */
static double node_h(const pk_prop *p, size_t j)
{
    return j < p->n_fine ? p->h_fine : j < p->n_fine + p->n_coarse ? p->h_coarse : p->h_far;
}

/* Stores node j (or jump e) from the current solver state. */
static void store_node(pk_prop *p, const prop_ctx *ctx, const double *c, size_t j, double tau,
                       const double *yv)
{
    size_t n = p->n, nn = n * n;
    double *ph = p->phi + j * nn, *dph = p->dphi + j * nn;
    if (ph != yv)
        memcpy(ph, yv, nn * sizeof(double));
    phi_deriv(ctx, tau, ph, dph);
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

/* Phi across a stretch where the PK's coefficients do not depend on tau:
 * node to node by one exponential per spacing, exact to rounding. */
typedef struct {
    size_t n;
    gsl_matrix *A, *E, *X, *Y; /* A: the PK's matrix; E = expm(A h) */
    double h;                  /* the spacing E is for (NaN: none yet) */
} const_span;

static int span_init(const_span *sp, const prop_ctx *ctx, double tau, size_t n, pk_err *err)
{
    sp->n = n;
    sp->h = NAN;
    sp->A = gsl_matrix_alloc(n, n);
    sp->E = gsl_matrix_alloc(n, n);
    sp->X = gsl_matrix_alloc(n, n);
    sp->Y = gsl_matrix_alloc(n, n);
    if (!sp->A || !sp->E || !sp->X || !sp->Y)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory for the PK propagator");
    pk_matrix(ctx, tau, sp->A->data); /* an n x n gsl_matrix is row-major, tda n */
    return PK_OK;
}

static void span_free(const_span *sp)
{
    gsl_matrix_free(sp->A);
    gsl_matrix_free(sp->E);
    gsl_matrix_free(sp->X);
    gsl_matrix_free(sp->Y);
}

/* E = expm(A h), kept while h stays the same. */
static int span_exp(const_span *sp, double h, pk_err *err)
{
    if (h == sp->h)
        return PK_OK;
    gsl_matrix_memcpy(sp->X, sp->A);
    gsl_matrix_scale(sp->X, h);
    if (gsl_linalg_exponential_ss(sp->X, sp->E, GSL_PREC_DOUBLE)) {
        sp->h = NAN;
        return pk_err_set(err, PK_ESOLVER, "", "matrix exponential of the PK failed");
    }
    sp->h = h;
    return PK_OK;
}

/* out = expm(A h) phi, clamped at 0 (a compartmental PK is a positive
 * system: entries below zero are rounding). */
static int span_apply(const_span *sp, double h, const double *phi, double *out, pk_err *err)
{
    int rc = span_exp(sp, h, err);
    if (rc != PK_OK)
        return rc;
    size_t nn = sp->n * sp->n;
    gsl_matrix_const_view P = gsl_matrix_const_view_array(phi, sp->n, sp->n);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, sp->E, &P.matrix, 0.0, sp->Y);
    for (size_t i = 0; i < nn; i++)
        out[i] = fmax(sp->Y->data[i], 0.0);
    return PK_OK;
}

/* Nodes j0+1 .. j1 from node j0 across a constant stretch: one
 * exponential per region's spacing. */
static int span_nodes(pk_prop *p, const_span *sp, const prop_ctx *ctx, const double *c, size_t j0,
                      size_t j1, pk_err *err)
{
    size_t nn = p->n * p->n;
    for (size_t j = j0 + 1; j <= j1; j++) {
        int rc = span_apply(sp, node_h(p, j - 1), p->phi + (j - 1) * nn, p->phi + j * nn, err);
        if (rc != PK_OK)
            return rc;
        store_node(p, ctx, c, j, node_tau(p, j), p->phi + j * nn);
    }
    return PK_OK;
}

/* irow by the exact integral of each cubic Hermite piece of crow:
 * h/2 (f0 + f1) + h^2/12 (f0' - f1'). */
static void integrate_crow(pk_prop *p)
{
    size_t n = p->n;
    memset(p->irow, 0, n * sizeof(double));
    for (size_t j = 0; j + 1 < p->n_node; j++) {
        double h = node_h(p, j);
        const double *f0 = p->crow + j * n, *f1 = f0 + n, *g0 = p->dcrow + j * n, *g1 = g0 + n;
        for (size_t k = 0; k < n; k++)
            p->irow[(j + 1) * n + k] =
                p->irow[j * n + k] + h / 2 * (f0[k] + f1[k]) + h * h / 12 * (g0[k] - g1[k]);
    }
}

static size_t locate(const pk_prop *p, double tau);

/* The entries of Phi that CVODE integrates: those that can change.  From
 * phi0, Phi(tau) = Psi(tau) phi0, where Psi_il can be non-zero only when
 * state i is reachable from l through the PK's couplings (A's pattern,
 * sampled at `taus`: a model's pattern is fixed between doses), and
 * Psi e_l = e_l for a state l that feeds nothing (A e_l = 0, as for an
 * elimination counter).  So Phi_ik moves only if some feeding l reaches i
 * with phi0_lk != 0; every other entry keeps its value in phi0 exactly.
 * 38 of 64 entries for sorafenib_flt3. */
typedef struct {
    const prop_ctx *ctx;
    size_t m; /* entries integrated */
    size_t idx[PK_MAX_STATE * PK_MAX_STATE];
    double full[PK_MAX_STATE * PK_MAX_STATE], dfull[PK_MAX_STATE * PK_MAX_STATE];
} packed_phi;

static void pack_pattern(packed_phi *pk, const prop_ctx *ctx, size_t n, const double *taus,
                         size_t n_tau, const double *phi0)
{
    unsigned char reach[PK_MAX_STATE * PK_MAX_STATE] = {0}, feeds[PK_MAX_STATE] = {0};
    double a[PK_MAX_STATE * PK_MAX_STATE];
    for (size_t k = 0; k < n; k++)
        reach[k * n + k] = 1;
    for (size_t t = 0; t < n_tau; t++) {
        pk_matrix(ctx, taus[t], a);
        for (size_t e = 0; e < n * n; e++)
            if (a[e] != 0.0) {
                reach[e] = 1;
                feeds[e % n] = 1;
            }
    }
    for (size_t v = 0; v < n; v++) /* transitive closure */
        for (size_t i = 0; i < n; i++)
            if (reach[i * n + v])
                for (size_t k = 0; k < n; k++)
                    reach[i * n + k] |= reach[v * n + k];
    pk->ctx = ctx;
    pk->m = 0;
    for (size_t e = 0; e < n * n; e++) {
        size_t i = e / n, k = e % n;
        int moves = 0;
        for (size_t l = 0; l < n && !moves; l++)
            moves = feeds[l] && reach[i * n + l] && phi0[l * n + k] != 0.0;
        pk->full[e] = phi0[e];
        if (moves)
            pk->idx[pk->m++] = e;
    }
}

static int packed_rhs(double tau, N_Vector y, N_Vector ydot, void *ud)
{
    packed_phi *pk = ud;
    const double *yv = N_VGetArrayPointer(y);
    double *dv = N_VGetArrayPointer(ydot);
    dv[0] = 0.0; /* the dummy entry when nothing moves (m = 0) */
    for (size_t i = 0; i < pk->m; i++)
        pk->full[pk->idx[i]] = yv[i];
    phi_deriv(pk->ctx, tau, pk->full, pk->dfull);
    for (size_t i = 0; i < pk->m; i++)
        dv[i] = pk->dfull[pk->idx[i]];
    return 0;
}

/* The CVODE stretch: Phi from node j0 (already stored) to node j1, storing
 * nodes and the jumps that fall inside (tau_j0, tau_j1]. */
static int cvode_nodes(pk_prop *p, const prop_ctx *ctx, const double *c, size_t j0, size_t j1,
                       double rtol, pk_err *err)
{
    size_t n = p->n, nn = n * n;
    double t0 = node_tau(p, j0), t1 = node_tau(p, j1);
    packed_phi *pk = malloc(sizeof *pk);
    SUNContext sun = NULL;
    void *cv = NULL;
    N_Vector y = NULL;
    SUNNonlinearSolver nls = NULL;
    int rc = PK_OK;
    if (!pk) {
        rc = pk_err_set(err, PK_ENOMEM, "", "out of memory for the PK propagator");
        goto done;
    }
    double taus[3] = {t0, (t0 + t1) / 2, t1};
    pack_pattern(pk, ctx, n, taus, 3, p->phi + j0 * nn);
    /* Adams with fixed-point iteration: the PK is not stiff at the step
     * sizes its accuracy needs, and no Jacobian is formed. */
    if (SUNContext_Create(NULL, &sun) != 0 ||
        !(y = N_VNew_Serial((sunindextype)(pk->m ? pk->m : 1), sun)) ||
        !(cv = CVodeCreate(CV_ADAMS, sun)) || !(nls = SUNNonlinSol_FixedPoint(y, 0, sun))) {
        rc = pk_err_set(err, PK_ENOMEM, "", "cannot create the PK propagator's solver");
        goto done;
    }
    N_VEnableFusedOps_Serial(y, SUNTRUE); /* fewer passes per step */
    N_VConst(0.0, y);
    double *yv = N_VGetArrayPointer(y);
    for (size_t i = 0; i < pk->m; i++)
        yv[i] = pk->full[pk->idx[i]];
    /* Phi has unit scale; atol far below any amount that matters.  Adams
     * orders above 5 take more steps here, not fewer: 386 against 263 per
     * table for patient 2 at rtol 3e-8. */
    if (CVodeInit(cv, packed_rhs, t0, y) < 0 || CVodeSStolerances(cv, rtol, rtol * 1e-4) < 0 ||
        CVodeSetUserData(cv, pk) < 0 || CVodeSetNonlinearSolver(cv, nls) < 0 ||
        CVodeSetMaxNumSteps(cv, 10000000) < 0 || CVodeSetStopTime(cv, t1) < 0 ||
        CVodeSetMaxOrd(cv, 5) < 0) {
        rc = pk_err_set(err, PK_EINTERNAL, "", "cannot set up the PK propagator's solver");
        goto done;
    }
    size_t j = j0 + 1, e = 0;
    while (e < p->n_jump && p->jump_tau[e] <= t0)
        e++;
    while (j <= j1 || (e < p->n_jump && p->jump_tau[e] < t1)) {
        double tn = j <= j1 ? node_tau(p, j) : INFINITY;
        double te = e < p->n_jump && p->jump_tau[e] < t1 ? p->jump_tau[e] : INFINITY;
        double target = fmin(tn, te), tret;
        int flag = CVode(cv, target, y, &tret, CV_NORMAL);
        if (flag < 0) {
            rc = pk_err_set(err, PK_ESOLVER, "",
                            "PK propagator failed at %.6g days after a dose (CVODE flag %d)",
                            target, flag);
            goto done;
        }
        /* A compartmental PK is a positive system: Phi >= 0 exactly, so
         * entries below zero are solver noise at the atol level. */
        for (size_t i = 0; i < pk->m; i++)
            pk->full[pk->idx[i]] = fmax(yv[i], 0.0);
        if (te == target)
            memcpy(p->jump_phi + e++ * nn, pk->full, nn * sizeof(double));
        if (tn == target)
            store_node(p, ctx, c, j++, tn, pk->full);
    }
    long nst = 0;
    CVodeGetNumSteps(cv, &nst);
    p->steps = nst;
done:
    SUNNonlinSolFree(nls);
    N_VDestroy(y);
    CVodeFree(&cv);
    SUNContext_Free(&sun);
    free(pk);
    return rc;
}

/* c: the concentration per unit amount of each PK state (conc is linear).
 * The PK's matrix and c must be finite: parameters that underflow or
 * overflow on their way to the derived constants (a volume of 1e-164 L, a
 * clearance of inf) would make NaN tables. */
static int conc_row_checked(const prop_ctx *ctx, size_t n, double *c, pk_err *err)
{
    const pk_model *m = ctx->m;
    double a0[PK_MAX_STATE * PK_MAX_STATE], unit[PK_MAX_STATE] = {0};
    pk_matrix(ctx, 0.0, a0);
    for (size_t i = 0; i < n; i++) {
        unit[i] = 1.0;
        c[i] = m->conc(unit, ctx->derived);
        unit[i] = 0.0;
        for (size_t k = 0; k < n; k++)
            if (!isfinite(a0[i * n + k]))
                return pk_err_set(err, PK_ESOLVER, "",
                                  "PK propagator: rate constant %g from %s to %s is not finite",
                                  a0[i * n + k], m->state[k].name, m->state[i].name);
        if (!isfinite(c[i]))
            return pk_err_set(err, PK_ESOLVER, "",
                              "PK propagator: concentration per mg of %s is %g, not finite",
                              m->state[i].name, c[i]);
    }
    return PK_OK;
}

/* The three grids' steps and node counts from the model's pk_grid, refused
 * before anything is allocated when the table would be too large. */
static int plan_grid(pk_prop *p, const pk_model *m, const double *derived, double tau_max,
                     pk_err *err)
{
    size_t n = p->n, nn = n * n;
    double hf, tf, hc, hfar;
    m->pk_grid(derived, &hf, &tf, &hc, &hfar);
    tf = fmin(tf, tau_max);
    if (!(hf > 0 && hc > 0 && hfar > 0 && isfinite(hf) && isfinite(hc) && isfinite(hfar) &&
          tf >= 0))
        return pk_err_set(err, PK_ESOLVER, "",
                          "PK propagator: grid steps %g, %g and %g days from the PK's rate "
                          "constants are not positive and finite",
                          hf, hc, hfar);
    /* Node counts in double first: one is cast to size_t only once the
     * whole table is known to fit in PK_PROP_MAX_BYTES (a rate constant of
     * 1e12/day would ask for 1e12 nodes, and an infinite one for a count
     * no integer holds). */
    double nf = fmax(ceil(tf / hf - 1e-9), 1.0), t_fine = nf * hf;
    double coarse_end = fmin(tau_max, t_fine + 2.0);
    double ncoarse = coarse_end > t_fine ? ceil((coarse_end - t_fine) / hc - 1e-9) : 0.0;
    double t_far = t_fine + ncoarse * hc;
    double nfar = tau_max > t_far ? ceil((tau_max - t_far) / hfar - 1e-9) : 0.0;
    double nodes = nf + 1 + ncoarse + nfar;
    double bytes = nodes * (2.0 * nn + 3.0 * n) * sizeof(double);
    if (!(bytes <= PK_PROP_MAX_BYTES))
        return pk_err_set(err, PK_ESOLVER, "",
                          "PK propagator: %.3g nodes (%.3g MB) for these PK parameters, over the "
                          "%.0f MB limit (rate constants too fast for the grid)",
                          nodes, bytes / 1e6, PK_PROP_MAX_BYTES / 1e6);
    p->h_fine = hf;
    p->h_coarse = hc;
    p->n_fine = (size_t)nf;
    p->t_fine = p->n_fine * hf;
    /* Two days after the fine region only the slow elimination is left:
     * the model's far step (4x the coarse one) keeps the Hermite error
     * (h*k)^4/384 near 1e-7. */
    p->h_far = hfar;
    p->r_fine = 1.0 / p->h_fine;
    p->r_coarse = 1.0 / p->h_coarse;
    p->r_far = 1.0 / p->h_far;
    p->n_coarse = (size_t)ncoarse;
    p->t_far = p->t_fine + p->n_coarse * hc;
    p->n_node = p->n_fine + 1 + p->n_coarse + (size_t)nfar;
    return PK_OK;
}

/* The planned grid's arrays and the jump lengths; p is cleared on failure. */
static int alloc_table(pk_prop *p, const double *jumps, size_t n_jump, pk_err *err)
{
    size_t n = p->n, nn = n * n;
    p->n_jump = n_jump;
    p->phi = malloc(p->n_node * nn * sizeof(double));
    p->dphi = malloc(p->n_node * nn * sizeof(double));
    p->crow = malloc(p->n_node * n * sizeof(double));
    p->dcrow = malloc(p->n_node * n * sizeof(double));
    p->irow = malloc(p->n_node * n * sizeof(double));
    p->jump_tau = malloc((n_jump ? n_jump : 1) * sizeof(double));
    p->jump_phi = malloc((n_jump ? n_jump : 1) * nn * sizeof(double));
    if (!p->phi || !p->dphi || !p->crow || !p->dcrow || !p->irow || !p->jump_tau ||
        !p->jump_phi) {
        pk_prop_clear(p);
        return pk_err_set(err, PK_ENOMEM, "", "out of memory for the PK propagator");
    }
    if (n_jump)
        memcpy(p->jump_tau, jumps, n_jump * sizeof(double));
    p->tau_end = node_tau(p, p->n_node - 1);
    return PK_OK;
}

/* Where the coefficients depend on tau, CVODE integrates Phi; before and
 * after, matrix exponentials step from node to node exactly.  Without the
 * model's window, CVODE covers the fine and coarse regions, after which
 * the time-since-dose effects are over.  Nodes j_on..j_off are CVODE's
 * (j_on == j_off: none). */
static void cvode_stretch(const pk_prop *p, const pk_model *m, const double *derived,
                          size_t *j_on, size_t *j_off)
{
    double on = 0.0, off = p->t_far;
    if (m->pk_tau_window)
        m->pk_tau_window(derived, &on, &off);
    *j_on = *j_off = 0;
    if (!(off > on))
        return;
    /* the last node at or before on (locate may round one down) */
    *j_on = on >= p->tau_end ? p->n_node - 1 : locate(p, on);
    if (*j_on + 1 < p->n_node && node_tau(p, *j_on + 1) <= on)
        (*j_on)++;
    *j_off = off >= p->tau_end ? p->n_node - 1 : locate(p, off);
    if (node_tau(p, *j_off) < off && *j_off + 1 < p->n_node)
        (*j_off)++;
    if (*j_off < *j_on)
        *j_off = *j_on;
}

/* Every node and jump: exponentials before j_on, CVODE to j_off,
 * exponentials after; then the integral row. */
static int fill_table(pk_prop *p, const prop_ctx *ctx, const double *c, size_t j_on,
                      size_t j_off, const double *jumps, size_t n_jump, double rtol, pk_err *err)
{
    size_t n = p->n, nn = n * n;
    const_span before = {0}, after = {0};
    int rc = span_init(&before, ctx, 0.0, n, err);
    if (rc == PK_OK)
        rc = span_init(&after, ctx, node_tau(p, j_off), n, err);
    if (rc != PK_OK)
        goto done;
    double *phi0 = p->phi;
    for (size_t i = 0; i < nn; i++)
        phi0[i] = (i / n == i % n) ? 1.0 : 0.0;
    store_node(p, ctx, c, 0, 0.0, phi0);
    if ((rc = span_nodes(p, &before, ctx, c, 0, j_on, err)) != PK_OK)
        goto done;
    if (j_off > j_on && (rc = cvode_nodes(p, ctx, c, j_on, j_off, rtol, err)) != PK_OK)
        goto done;
    if ((rc = span_nodes(p, &after, ctx, c, j_off, p->n_node - 1, err)) != PK_OK)
        goto done;
    /* jumps outside the CVODE stretch: their own exponentials */
    double t_on = node_tau(p, j_on), t_off = node_tau(p, j_off);
    for (size_t e = 0; e < n_jump && rc == PK_OK; e++) {
        double *out = p->jump_phi + e * nn;
        if (jumps[e] <= t_on)
            rc = span_apply(&before, jumps[e], phi0, out, err);
        else if (jumps[e] >= t_off)
            rc = span_apply(&after, jumps[e] - t_off, p->phi + j_off * nn, out, err);
    }
    if (rc == PK_OK)
        integrate_crow(p);
done:
    span_free(&before);
    span_free(&after);
    return rc;
}

int pk_prop_build(pk_prop *p, const pk_model *m, const double *derived, double tau_max,
                  const double *jumps, size_t n_jump, double rtol, pk_err *err)
{
    pk_prop_clear(p);
    size_t n = m->n_pk;
    p->n = n;
    if (!(tau_max > 0))
        tau_max = 1.0;
    if (!isfinite(tau_max))
        return pk_err_set(err, PK_EINPUT, "", "PK propagator: the table's extent is not finite");
    prop_ctx ctx = {m, derived};
    double c[PK_MAX_STATE];
    int rc = conc_row_checked(&ctx, n, c, err);
    if (rc != PK_OK)
        return rc;
    if (m->pk_phi) { /* closed form: no table, every tau exact */
        p->closed = m->pk_phi;
        /* the PK's leading values only: a caller's array may hold no more */
        memcpy(p->derived, derived, m->n_pk_derived * sizeof *derived);
        memcpy(p->c, c, n * sizeof *c);
        p->tau_end = INFINITY;
        return PK_OK;
    }
    if ((rc = plan_grid(p, m, derived, tau_max, err)) != PK_OK ||
        (rc = alloc_table(p, jumps, n_jump, err)) != PK_OK)
        return rc;
    size_t j_on, j_off;
    cvode_stretch(p, m, derived, &j_on, &j_off);
    if ((rc = fill_table(p, &ctx, c, j_on, j_off, jumps, n_jump, rtol, err)) != PK_OK)
        pk_prop_clear(p);
    return rc;
}

/* The interval [tau_j, tau_j + h] that holds tau (clamped to the table),
 * in O(1) from the uniform grids; r = 1/h. */
typedef struct {
    size_t j;
    double t0, h, r; /* days, days, 1/day */
} interval;

static interval interval_at(const pk_prop *p, double tau)
{
    interval iv;
    if (tau < p->t_fine) {
        double q = tau * p->r_fine;
        size_t j = q > 0 ? (size_t)q : 0;
        iv.j = j < p->n_fine ? j : p->n_fine - 1;
        iv.h = p->h_fine;
        iv.r = p->r_fine;
        iv.t0 = (double)iv.j * p->h_fine;
        return iv;
    }
    size_t n_far = p->n_node - 1 - p->n_fine - p->n_coarse;
    if (p->n_coarse > 0 && (tau < p->t_far || n_far == 0)) {
        size_t j = (size_t)((tau - p->t_fine) * p->r_coarse);
        j = j < p->n_coarse ? j : p->n_coarse - 1;
        iv.j = p->n_fine + j;
        iv.h = p->h_coarse;
        iv.r = p->r_coarse;
        iv.t0 = p->t_fine + (double)j * p->h_coarse;
        return iv;
    }
    if (n_far == 0) {
        iv.j = p->n_fine - 1;
        iv.h = p->h_fine;
        iv.r = p->r_fine;
        iv.t0 = (double)iv.j * p->h_fine;
        return iv;
    }
    size_t j = (size_t)((tau - p->t_far) * p->r_far);
    j = j < n_far ? j : n_far - 1;
    iv.j = p->n_fine + p->n_coarse + j;
    iv.h = p->h_far;
    iv.r = p->r_far;
    iv.t0 = p->t_far + (double)j * p->h_far;
    return iv;
}

static size_t locate(const pk_prop *p, double tau)
{
    return interval_at(p, tau).j;
}

typedef struct {
    double w0, v0, w1, v1; /* value weights for f0, f0', f1, f1' */
} hermite;

static hermite hermite_at(interval iv, double s)
{
    hermite H;
    double s2 = s * s, s3 = s2 * s;
    H.w0 = 2 * s3 - 3 * s2 + 1;
    H.v0 = (s3 - 2 * s2 + s) * iv.h;
    H.w1 = -2 * s3 + 3 * s2;
    H.v1 = (s3 - s2) * iv.h;
    return H;
}

/* y = M y0 for an n x n row-major M. */
static void mat_vec(const double *a, size_t n, const double *y0, double *y)
{
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t k = 0; k < n; k++)
            s += a[i * n + k] * y0[k];
        y[i] = s;
    }
}

/* The closed form's concentration and AUC from the dose. */
static void closed_conc_auc(const pk_prop *p, double tau, const double *y0, double *c,
                            double *auc)
{
    double phi[PK_MAX_STATE * PK_MAX_STATE], iphi[PK_MAX_STATE * PK_MAX_STATE];
    double y[PK_MAX_STATE], iy[PK_MAX_STATE];
    p->closed(p->derived, tau, phi, iphi);
    mat_vec(phi, p->n, y0, y);
    mat_vec(iphi, p->n, y0, iy);
    *c = *auc = 0;
    for (size_t k = 0; k < p->n; k++) {
        *c += p->c[k] * y[k];
        *auc += p->c[k] * iy[k];
    }
}

void pk_prop_conc_auc(const pk_prop *p, double tau, const double *y0, double *c, double *auc)
{
    if (p->closed) {
        closed_conc_auc(p, tau, y0, c, auc);
        return;
    }
    interval iv = interval_at(p, tau);
    size_t n = p->n, j = iv.j;
    const double *r0 = p->crow + j * n, *r1 = r0 + n;
    const double *d0 = p->dcrow + j * n, *d1 = d0 + n, *i0 = p->irow + j * n;
    double f0 = 0, f1 = 0, g0 = 0, g1 = 0, a0 = 0;
    for (size_t k = 0; k < n; k++) {
        f0 += r0[k] * y0[k];
        f1 += r1[k] * y0[k];
        g0 += d0[k] * y0[k];
        g1 += d1[k] * y0[k];
        a0 += i0[k] * y0[k];
    }
    double h = iv.h, s = (tau - iv.t0) * iv.r;
    hermite H = hermite_at(iv, s);
    *c = H.w0 * f0 + H.v0 * g0 + H.w1 * f1 + H.v1 * g1;
    /* the Hermite basis integrated from the node to tau */
    double s2 = s * s, s3 = s2 * s, s4 = s2 * s2;
    *auc = a0 + h * ((s4 / 2 - s3 + s) * f0 + h * (s4 / 4 - 2 * s3 / 3 + s2 / 2) * g0 +
                     (s3 - s4 / 2) * f1 + h * (s4 / 4 - s3 / 3) * g1);
}

void pk_prop_state(const pk_prop *p, double tau, const double *y0, double *y)
{
    if (p->closed) {
        double phi[PK_MAX_STATE * PK_MAX_STATE], iphi[PK_MAX_STATE * PK_MAX_STATE];
        p->closed(p->derived, tau, phi, iphi);
        mat_vec(phi, p->n, y0, y);
        return;
    }
    interval iv = interval_at(p, tau);
    size_t n = p->n, nn = n * n, j = iv.j;
    hermite H = hermite_at(iv, (tau - iv.t0) * iv.r);
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

static long find_jump(const pk_prop *p, double tau)
{
    size_t lo = 0, hi = p->n_jump;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (p->jump_tau[mid] < tau)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < p->n_jump && p->jump_tau[lo] == tau ? (long)lo : -1;
}

int pk_prop_has_jump(const pk_prop *p, double tau)
{
    return p->closed || find_jump(p, tau) >= 0;
}

void pk_prop_jump(const pk_prop *p, double tau, const double *y0, double *y)
{
    if (p->closed) {
        pk_prop_state(p, tau, y0, y);
        return;
    }
    long e = find_jump(p, tau);
    if (e < 0) {
        pk_prop_state(p, tau, y0, y);
        return;
    }
    size_t n = p->n;
    const double *a = p->jump_phi + (size_t)e * n * n;
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t k = 0; k < n; k++)
            s += a[i * n + k] * y0[k];
        y[i] = s;
    }
}
