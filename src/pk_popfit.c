#include "pk_popfit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multimin.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "pk_clock.h"
#include "pk_lik.h"
#include "pk_prior.h"
#include "pk_text.h"

/* The outer parameter vector phi:
 *   mu_j                      every listed parameter, eta scale;
 *   log omega_j               diagonal Omega: each random effect's SD, unless fixed;
 *   log L_jj, L_jl (l < j)    full Omega = L L^T: Cholesky factor by rows;
 *   log f_o                   each estimated error factor.
 * Parameters with a fixed omega of 0 have no random effect: every
 * subject takes the typical value, and the subject problems estimate
 * only the others ("inner" parameters, in listed order). */

pk_popfit_opts pk_popfit_default_opts(void)
{
    pk_popfit_opts o = {.threads = 0, .progress = 0, .rtol = 1e-6, .full_omega = 0,
                        .use_priors = 0, .sigma_fixed = 0, .max_iter = 200, .n_param = 0};
    for (size_t j = 0; j < PK_MAX_PARAM; j++)
        o.omega_fixed[j] = NAN;
    return o;
}

int pk_popfit_resolve(const pk_patient *first, const char *estimate, const char *const *omega,
                      size_t n_omega, pk_popfit_opts *o, pk_err *err)
{
    const pk_model *m = first->model;
    o->n_param = 0;
    if (!estimate) {
        for (size_t j = 0; j < first->n_estimate; j++)
            o->param[o->n_param++] = first->estimate[j];
        if (o->n_param == 0)
            return pk_err_set(err, PK_EINPUT, first->path, "no [fit] estimate: give --estimate");
    } else {
        char buf[1024];
        if (strlen(estimate) >= sizeof buf)
            return pk_err_set(err, PK_EINPUT, "", "--estimate: list too long");
        snprintf(buf, sizeof buf, "%s", estimate);
        char *save = NULL;
        for (char *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
            int k = pk_model_param_index(m, t);
            if (k < 0)
                return pk_err_set(err, PK_EINPUT, "", "--estimate: %s has no parameter '%.100s'",
                                  m->name, t);
            for (size_t j = 0; j < o->n_param; j++)
                if (o->param[j] == k)
                    return pk_err_set(err, PK_EINPUT, "", "--estimate: %s is listed twice", t);
            if (o->n_param == PK_MAX_PARAM)
                return pk_err_set(err, PK_EINPUT, "", "--estimate: too many parameters");
            o->param[o->n_param++] = k;
        }
        if (o->n_param == 0)
            return pk_err_set(err, PK_EINPUT, "", "--estimate: no parameter named");
    }
    for (size_t j = 0; j < PK_MAX_PARAM; j++)
        o->omega_fixed[j] = NAN;
    for (size_t w = 0; w < n_omega; w++) {
        char name[128];
        const char *eq = strchr(omega[w], '=');
        size_t len = eq ? (size_t)(eq - omega[w]) : 0;
        double sd;
        if (!eq || len == 0 || len >= sizeof name || pk_text_number(eq + 1, &sd, 0) || !(sd >= 0))
            return pk_err_set(err, PK_EINPUT, "", "--omega: '%.100s' is NAME=SD with SD >= 0",
                              omega[w]);
        memcpy(name, omega[w], len);
        name[len] = '\0';
        int k = pk_model_param_index(m, name), hit = -1;
        for (size_t j = 0; j < o->n_param; j++)
            hit = o->param[j] == k ? (int)j : hit;
        if (hit < 0)
            return pk_err_set(err, PK_EINPUT, "", "--omega: %.100s is not an estimated parameter",
                              name);
        if (!isnan(o->omega_fixed[hit]))
            return pk_err_set(err, PK_EINPUT, "", "--omega: %.100s is given twice", name);
        o->omega_fixed[hit] = sd;
    }
    return PK_OK;
}

static int has_bsv(const pk_popfit_opts *o, size_t j)
{
    return !(o->omega_fixed[j] == 0);
}

/* An observable's error factor is estimable when it has a continuous
 * error model and some subject fits an observation of it. */
static int error_estimable(const pk_popfit *pf, int k)
{
    pk_errmodel e = pf->m->obs[k].error;
    if (pf->o.sigma_fixed || e == PK_ERRMODEL_BINOMIAL || e == PK_ERRMODEL_NONE)
        return 0;
    for (size_t i = 0; i < pf->n_sub; i++)
        for (size_t n = 0; n < pf->pt[i].n_obs; n++)
            if (pf->pt[i].obs[n].obs == k && !pf->pt[i].obs[n].check)
                return 1;
    return 0;
}

int pk_popfit_init(pk_popfit *pf, pk_patient *pt, size_t n, const pk_popfit_opts *o,
                   pk_err *err)
{
    memset(pf, 0, sizeof *pf);
    pf->o = *o;
    pf->pt = pt;
    pf->n_sub = n;
    if (n < 2)
        return pk_err_set(err, PK_EINPUT, "", "a population fit needs at least 2 subjects, got %zu",
                          n);
    pf->m = pt[0].model;
    if (o->n_param == 0)
        return pk_err_set(err, PK_EINPUT, "", "no parameter to estimate");
    for (size_t i = 1; i < n; i++)
        if (pt[i].model != pf->m)
            return pk_err_set(err, PK_EINPUT, pt[i].path, "model %s differs from %s's %s",
                              pt[i].model->name, pt[0].path, pf->m->name);
    size_t n_bsv = 0;
    for (size_t j = 0; j < o->n_param; j++) {
        const pk_param_setting *ps = &pt[0].param[o->param[j]];
        pf->kind[j] = ps->prior;
        /* the literature prior: the file's, or the model's median (NAN
         * for one a patient's own data give: no prior on its typical value) */
        double med = ps->line > 0 ? ps->value : pf->m->param[o->param[j]].median;
        pf->prior_med[j] = pk_prior_to_eta(ps->prior, med);
        pf->prior_sd[j] = pk_prior_sd(ps->prior, ps->spread);
        if (ps->prior == PK_PRIOR_FIXED || !(pf->prior_sd[j] > 0))
            return pk_err_set(err, PK_EINPUT, pt[0].path, "%s is fixed: it has no scale to "
                              "estimate on (give it a prior spread)",
                              pf->m->param[o->param[j]].name);
        if (has_bsv(o, j))
            n_bsv++;
    }
    if (n_bsv == 0)
        return pk_err_set(err, PK_EINPUT, "", "every listed parameter has its random effect "
                          "fixed at 0: nothing for the subjects to estimate");
    if (o->full_omega)
        for (size_t j = 0; j < o->n_param; j++)
            if (!isnan(o->omega_fixed[j]) && o->omega_fixed[j] != 0)
                return pk_err_set(err, PK_EINPUT, "", "--full-omega estimates every variance: "
                                  "fix a random effect only at 0 with it");
    pf->fp = calloc(n, sizeof *pf->fp);
    if (!pf->fp)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    pk_fit_opts fo = pk_fit_default_opts();
    fo.rtol = o->rtol;
    fo.use_priors = 1;
    fo.starts = 1;
    for (size_t i = 0; i < n; i++) {
        pk_patient *p = &pt[i];
        p->n_estimate = 0;
        for (size_t j = 0; j < o->n_param; j++)
            if (has_bsv(o, j))
                p->estimate[p->n_estimate++] = o->param[j];
        for (size_t j = 0; j < o->n_param; j++) /* one scale for every subject */
            if (p->param[o->param[j]].prior != pf->kind[j])
                return pk_err_set(err, PK_EINPUT, p->path, "%s: prior family differs from %s's",
                                  pf->m->param[o->param[j]].name, pt[0].path);
        if (pk_fit_problem_init(&pf->fp[i], p, &fo, err))
            return err->code;
    }
    return PK_OK;
}

void pk_popfit_free(pk_popfit *pf)
{
    if (pf->fp)
        for (size_t i = 0; i < pf->n_sub; i++)
            pk_fit_problem_free(&pf->fp[i]);
    free(pf->fp);
    memset(pf, 0, sizeof *pf);
}

/* ---- phi <-> the population's values ---- */

typedef struct {
    size_t p, q;                     /* listed, inner (with a random effect) */
    int inner[PK_MAX_PARAM];         /* listed index of each inner parameter */
    double mu[PK_MAX_PARAM];         /* listed, eta scale */
    double L[PK_MAX_PARAM * PK_MAX_PARAM]; /* q x q, Omega = L L^T */
    double logdet_omega;
    double errf[PK_MAX_OBS];
} pop_values;

/* Names phi's entries (res->phi_name) and counts them. */
static size_t phi_layout(const pk_popfit *pf, pk_popfit_result *res)
{
    const pk_popfit_opts *o = &pf->o;
    size_t k = 0;
    char(*nm)[48] = res ? res->phi_name : NULL;
#define NAME(...)                                                                            \
    do {                                                                                     \
        if (nm)                                                                              \
            snprintf(nm[k], sizeof nm[k], __VA_ARGS__);                                      \
        k++;                                                                                 \
    } while (0)
    for (size_t j = 0; j < o->n_param; j++)
        NAME("mu:%s", pf->m->param[o->param[j]].name);
    for (size_t j = 0; j < o->n_param; j++) {
        if (!has_bsv(o, j) || !isnan(o->omega_fixed[j]))
            continue;
        NAME("log_omega:%s", pf->m->param[o->param[j]].name);
        if (o->full_omega)
            for (size_t l = 0; l < j; l++)
                if (has_bsv(o, l))
                    NAME("L:%s,%s", pf->m->param[o->param[j]].name,
                         pf->m->param[o->param[l]].name);
    }
    for (size_t c = 0; c < pf->m->n_obs; c++)
        if (error_estimable(pf, (int)c))
            NAME("log_err_factor:%s", pf->m->obs[c].name);
#undef NAME
    return k;
}

/* phi -> mu, L, error factors. */
static void unpack(const pk_popfit *pf, const double *phi, pop_values *v)
{
    const pk_popfit_opts *o = &pf->o;
    memset(v, 0, sizeof *v);
    v->p = o->n_param;
    size_t k = 0;
    for (size_t j = 0; j < v->p; j++)
        v->mu[j] = phi[k++];
    for (size_t j = 0; j < v->p; j++)
        if (has_bsv(o, j))
            v->inner[v->q++] = (int)j;
    size_t q = v->q;
    for (size_t a = 0; a < q; a++) {
        size_t j = (size_t)v->inner[a];
        if (!isnan(o->omega_fixed[j])) {
            v->L[a * q + a] = o->omega_fixed[j];
            continue;
        }
        v->L[a * q + a] = exp(phi[k++]);
        if (o->full_omega)
            for (size_t b = 0; b < a; b++)
                v->L[a * q + b] = phi[k++];
    }
    for (size_t c = 0; c < pf->m->n_obs; c++)
        v->errf[c] = error_estimable(pf, (int)c) ? exp(phi[k++]) : 1.0;
    v->logdet_omega = 0;
    for (size_t a = 0; a < q; a++)
        v->logdet_omega += 2 * log(v->L[a * q + a]);
}

/* ---- one subject's part of -2 log L ---- */

static double sumsq(const double *r, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += r[i] * r[i];
    return s;
}

/* log det(J^T J) by Cholesky; NAN when not positive definite.  With step
 * not NULL, also the Gauss-Newton step -(J^T J)^-1 J^T r (q values); with
 * inv not NULL, (J^T J)^-1 (q x q), from the same factor. */
static double logdet_jtj(const double *J, const double *r, size_t n, size_t q, double *step,
                         double *inv)
{
    gsl_matrix *H = gsl_matrix_alloc(q, q);
    if (!H)
        return NAN;
    gsl_matrix_const_view Jv = gsl_matrix_const_view_array(J, n, q);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &Jv.matrix, &Jv.matrix, 0.0, H);
    double ld = NAN;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    if (gsl_linalg_cholesky_decomp1(H) == GSL_SUCCESS) {
        ld = 0;
        for (size_t a = 0; a < q; a++)
            ld += 2 * log(gsl_matrix_get(H, a, a));
        if (step) {
            gsl_vector_const_view rv = gsl_vector_const_view_array(r, n);
            gsl_vector_view sv = gsl_vector_view_array(step, q);
            gsl_blas_dgemv(CblasTrans, -1.0, &Jv.matrix, &rv.vector, 0.0, &sv.vector);
            if (gsl_linalg_cholesky_svx(H, &sv.vector) != GSL_SUCCESS)
                ld = NAN;
        }
        if (inv && isfinite(ld)) {
            gsl_matrix_view Iv = gsl_matrix_view_array(inv, q, q);
            if (gsl_linalg_cholesky_invert(H) != GSL_SUCCESS)
                ld = NAN;
            gsl_matrix_memcpy(&Iv.matrix, H);
        }
    }
    gsl_set_error_handler(old);
    gsl_matrix_free(H);
    return ld;
}

/* Points subject i's problem at the population values. */
static void set_population(const pk_popfit *pf, size_t i, const pop_values *v)
{
    pk_fit_problem *fp = &pf->fp[i];
    double med[PK_MAX_PARAM], sd[PK_MAX_PARAM];
    for (size_t a = 0; a < v->q; a++) {
        med[a] = v->mu[v->inner[a]];
        double s2 = 0;
        for (size_t b = 0; b <= a; b++)
            s2 += v->L[a * v->q + b] * v->L[a * v->q + b];
        sd[a] = sqrt(s2);
    }
    pk_fit_set_prior(fp, med, sd, v->L);
    for (size_t j = 0; j < v->p; j++) /* typical values of those without a random effect */
        if (!has_bsv(&pf->o, j))
            fp->theta0[pf->o.param[j]] = pk_prior_from_eta(pf->kind[j], v->mu[j]);
    for (size_t c = 0; c < pf->m->n_obs; c++)
        fp->err_factor[c] = v->errf[c];
}

/* Constants of subject i's fitted observations (pk_lik_m2ll_const). */
static double obs_constants(const pk_fit_problem *fp)
{
    double c = 0;
    for (size_t n = 0; n < fp->p->n_obs; n++) {
        const pk_observation *o = &fp->p->obs[n];
        if (o->check)
            continue;
        pk_obs_def od = fp->m->obs[o->obs];
        od.a *= fp->err_factor[o->obs];
        od.b *= fp->err_factor[o->obs];
        c += pk_lik_m2ll_const(&od, o);
    }
    return c;
}

/* Whether the model's solutions come from CVODE (with its noise) rather
 * than a closed form. */
static int solved_by_cvode(const pk_model *m)
{
    return !(m->pk_phi && m->n_state == m->n_pk);
}

/* The Newton decrement g^T (J^T J)^-1 g of the sum of squares at (J, r),
 * g = J^T r, with log det(J^T J) in *ld and the Gauss-Newton step; NAN
 * when J^T J is singular. */
static double decrement(const double *J, const double *r, size_t n, size_t q, double *ld,
                        double *step)
{
    *ld = logdet_jtj(J, r, n, q, step, NULL);
    if (!isfinite(*ld))
        return NAN;
    double d = 0;
    for (size_t a = 0; a < q; a++) {
        double g = 0;
        for (size_t k = 0; k < n; k++)
            g += J[k * q + a] * r[k];
        d -= g * step[a];
    }
    return d;
}

#define PK_POLISH_MAX 6     /* Gauss-Newton steps after the optimiser */
#define PK_POLISH_DONE 1e-9 /* Newton decrement at which the mode is taken as found */

/* Gauss-Newton steps from the optimiser's mode (eta, r and J at it;
 * overwritten with the polished mode's).  The optimiser stops where the solver's noise in the sum
 * of squares (1e-5 at rtol 1e-6 for sorafenib_flt3) hides further
 * descent: in a direction the data barely inform, up to 1e-3 from the
 * mode, and log det(J^T J), which moves by up to 40 per unit of eta
 * there, carried that stop's noise into -2LL (0.02 per subject): too
 * noisy for the outer finite differences.  The gradient J^T r is smooth
 * where the sum of squares is not, so steps that shrink the Newton
 * decrement (halved until they do: full steps overshoot where J^T J
 * underestimates the curvature) reach the mode to 1e-6. */
static int polish(const pk_popfit *pf, size_t i, pk_solver *s, double *eta, double *r, double *J,
                  long *sims)
{
    const pk_fit_problem *fp = &pf->fp[i];
    size_t q = fp->n_est, n = fp->n_res;
    double step[PK_MAX_PARAM], step2[PK_MAX_PARAM], e[PK_MAX_PARAM], ld;
    double dec = decrement(J, r, n, q, &ld, step);
    double *r2 = malloc(n * (q + 1) * sizeof *r2), *J2 = r2 ? r2 + n : NULL;
    if (!r2)
        return -1;
    for (int it = 0; it < PK_POLISH_MAX && dec > PK_POLISH_DONE; it++) {
        int taken = 0;
        for (double t = 1; !taken && t > 0.2; t /= 2) {
            int inside = 1;
            for (size_t j = 0; j < q; j++) {
                e[j] = eta[j] + t * step[j];
                inside &= e[j] > fp->eta_lo[j] && e[j] < fp->eta_hi[j];
            }
            pk_err err = {0};
            *sims += 1 + 2 * (long)q;
            if (!inside || pk_fit_jacobian(fp, s, e, r2, J2, fp->o.jacobian, &err))
                continue;
            double dec2 = decrement(J2, r2, n, q, &ld, step2);
            if ((taken = dec2 < dec)) {
                memcpy(eta, e, q * sizeof *e);
                memcpy(r, r2, n * sizeof *r);
                memcpy(J, J2, n * q * sizeof *J);
                memcpy(step, step2, q * sizeof *step);
                dec = dec2;
            }
        }
        if (!taken)
            break;
    }
    free(r2);
    return 0;
}

/* Subject i at v: its mode from eta (q values, overwritten) and its -2
 * log L.  J and r are scratch of n_res x q and n_res; cov receives the
 * mode's (J^T J)^-1 (q x q) for models solved by CVODE. */
static int subject_m2ll(const pk_popfit *pf, size_t i, pk_solver *s, const pop_values *v,
                        double *eta, double *out, double *r, double *J, double *cov, long *sims)
{
    pk_fit_problem *fp = &pf->fp[i];
    pk_err e = {0};
    double obj;
    set_population(pf, i, v);
    if (!s || pk_fit_mode(fp, s, eta, &obj, sims))
        return -1;
    *sims += 1 + 2 * (long)v->q;
    if (pk_fit_jacobian(fp, s, eta, r, J, fp->o.jacobian, &e))
        return -1;
    /* through CVODE: the mode polished, and its Laplace covariance kept
     * for the EM steps (em_steps), which only such models take */
    int cvode = solved_by_cvode(pf->m);
    if (cvode && polish(pf, i, s, eta, r, J, sims))
        return -1;
    double ld = logdet_jtj(J, r, fp->n_res, v->q, NULL, cvode ? cov : NULL);
    *out = sumsq(r, fp->n_res) + ld + v->logdet_omega + obs_constants(fp);
    return isfinite(*out) ? 0 : -1;
}

/* ---- -2 log L over the subjects ---- */

/* Finite-difference steps (phi scale) and the gradient norm taken as an
 * optimum.  A model in closed form gives -2LL to rounding: steps 1e-4
 * (gradient) and 2e-3 (Hessian) and a gradient of 1e-3 (the optimum to
 * about 1e-4).  Through CVODE at rtol 1e-6, -2LL carries noise of about
 * 1e-3 per subject (sorafenib_flt3, the modes polished): steps of 1e-2
 * and 5e-2 keep the gradient's error near 0.1 and the Hessian's near 5%
 * of its diagonal (about 20 for a typical value with an SE of 0.3), and a
 * gradient of 0.3 leaves less than 0.01 of -2LL to gain. */
typedef struct {
    double grad_h, hess_h, gtol;
} fd_steps;

static fd_steps fd_steps_for(const pk_model *m)
{
    if (!solved_by_cvode(m))
        return (fd_steps){1e-4, 2e-3, 1e-3};
    return (fd_steps){1e-2, 5e-2, 0.3};
}

typedef struct {
    pk_popfit *pf;
    pk_solver **solver;   /* one per thread */
    int nt;
    size_t q, nmax_res;
    double *eta;          /* n_sub x q: each subject's last mode (the next start) */
    double *cov;          /* n_sub x q x q: its Laplace covariance (J^T J)^-1 */
    double *m2ll_sub;
    int *ok;
    long evals, sims;
    double t0;
    int iter;
    fd_steps fd;
} pop_state;

/* -2 log L at phi (+ the typical values' prior penalty); INFINITY when a
 * subject fails.  Subjects in parallel; each starts from its own last
 * mode, so the result does not depend on the threads. */
static double objective(pop_state *st, const double *phi)
{
    pk_popfit *pf = st->pf;
    pop_values v;
    unpack(pf, phi, &v);
    /* typical values stay inside the admissible ranges (the subjects'
     * boxes): outside, the objective is infinite and the line search
     * steps back */
    for (size_t j = 0; j < v.p; j++) {
        const pk_param_def *d = &pf->m->param[pf->o.param[j]];
        double lo = pk_prior_to_eta(pf->kind[j], d->lo), hi = pk_prior_to_eta(pf->kind[j], d->hi);
        if (!(v.mu[j] > lo + PK_FIT_BOX_MARGIN && v.mu[j] < hi - PK_FIT_BOX_MARGIN))
            return INFINITY;
    }
    long sims = 0;
    int nt = st->nt;
    (void)nt;
#pragma omp parallel num_threads(nt) reduction(+ : sims)
    {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        double *r = malloc(st->nmax_res * sizeof *r), *J = malloc(st->nmax_res * st->q * sizeof *J);
#pragma omp for schedule(dynamic, 1)
        for (size_t i = 0; i < pf->n_sub; i++) {
            long si = 0;
            st->ok[i] = r && J && !pk_interrupted() &&
                        subject_m2ll(pf, i, st->solver[tid], &v, st->eta + i * st->q,
                                     &st->m2ll_sub[i], r, J, st->cov + i * st->q * st->q,
                                     &si) == 0;
            sims += si;
        }
        free(r);
        free(J);
    }
    st->sims += sims;
    st->evals++;
    double f = 0;
    for (size_t i = 0; i < pf->n_sub; i++)
        f += st->ok[i] ? st->m2ll_sub[i] : INFINITY;
    if (pf->o.use_priors)
        for (size_t j = 0; j < v.p; j++) {
            if (!isfinite(pf->prior_med[j]))
                continue;
            double z = (v.mu[j] - pf->prior_med[j]) / pf->prior_sd[j];
            f += z * z;
        }
    return f;
}

static double f_cb(const gsl_vector *x, void *params)
{
    double f = objective(params, x->data);
    return isfinite(f) ? f : GSL_POSINF;
}

static void df_cb(const gsl_vector *x, void *params, gsl_vector *g)
{
    pop_state *st = params;
    size_t n = x->size;
    double *y = malloc(n * sizeof *y);
    if (!y) {
        gsl_vector_set_all(g, GSL_NAN);
        return;
    }
    memcpy(y, x->data, n * sizeof *y);
    for (size_t k = 0; k < n; k++) {
        y[k] = x->data[k] + st->fd.grad_h;
        double fp = objective(st, y);
        y[k] = x->data[k] - st->fd.grad_h;
        double fm = objective(st, y);
        y[k] = x->data[k];
        gsl_vector_set(g, k, (fp - fm) / (2 * st->fd.grad_h));
    }
    free(y);
}

static void fdf_cb(const gsl_vector *x, void *params, double *f, gsl_vector *g)
{
    *f = f_cb(x, params);
    df_cb(x, params, g);
}

static void progress(const pop_state *st, double f)
{
    if (!st->pf->o.progress)
        return;
    fprintf(stderr, "\rpksim popfit: iteration %d, -2LL %.4f, %ld evaluations, %.1f s   ",
            st->iter, f, st->evals, pk_clock_s() - st->t0);
    fflush(stderr);
}

/* BFGS from phi (overwritten with the optimum). */
static int minimise(pop_state *st, double *phi, size_t n, int *converged, char *why,
                    size_t why_size, pk_err *err)
{
    gsl_multimin_function_fdf fn = {.f = f_cb, .df = df_cb, .fdf = fdf_cb, .n = n, .params = st};
    gsl_multimin_fdfminimizer *mz =
        gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, n);
    if (!mz)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    gsl_vector_view x0 = gsl_vector_view_array(phi, n);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int status = gsl_multimin_fdfminimizer_set(mz, &fn, &x0.vector, 0.1, 0.1);
    *converged = 0;
    for (st->iter = 0; status == GSL_SUCCESS && st->iter < st->pf->o.max_iter; st->iter++) {
        if (!isfinite(mz->f))
            break;
        progress(st, mz->f);
        status = gsl_multimin_fdfminimizer_iterate(mz);
        if (pk_interrupted())
            break;
        /* -2LL's gradient below 1e-3 per unit of phi (logs, eta scale):
         * the optimum to about 1e-4 in each */
        if (gsl_multimin_test_gradient(mz->gradient, st->fd.gtol) == GSL_SUCCESS) {
            *converged = 1;
            break;
        }
    }
    /* no further progress along the search direction at a small gradient
     * is an optimum too */
    if (status == GSL_ENOPROG && gsl_blas_dnrm2(mz->gradient) < 10 * st->fd.gtol)
        *converged = 1;
    gsl_set_error_handler(old);
    snprintf(why, why_size, "%s after %d iterations, gradient norm %.3g",
             *converged             ? "converged"
             : status == GSL_ENOPROG ? "no further progress"
             : status != GSL_SUCCESS ? gsl_strerror(status)
             : !isfinite(mz->f)      ? "objective not finite"
                                     : "iteration limit",
             st->iter, gsl_blas_dnrm2(mz->gradient));
    memcpy(phi, mz->x->data, n * sizeof *phi);
    double f = mz->f;
    gsl_multimin_fdfminimizer_free(mz);
    if (st->pf->o.progress)
        fputc('\n', stderr);
    if (pk_interrupted())
        return pk_err_set(err, PK_EINTR, "", "interrupted: no output written");
    if (!isfinite(f))
        return pk_err_set(err, PK_ESOLVER, "", "the population objective is not finite at the "
                          "start: some subject's mode could not be found");
    return PK_OK;
}

/* ---- expectation-maximisation steps towards the optimum ---- */

#define PK_EM_MAX 40    /* steps at most */
#define PK_EM_TOL 2e-3  /* largest change in phi (logs, eta scale) taken as done */

/* New typical values and Omega from the modes and their Laplace
 * covariances C_i (the iterative two-stage or Laplace-EM update):
 * mu = mean of the modes (with --priors, each pulled to its prior as a
 * normal prior pulls a mean of n values), Omega = mean of
 * (mode - mu)(mode - mu)^T + C_i, its diagonal only without --full-omega.
 * Fixed random effects and the error factors keep their values. */
static void em_update(const pop_state *st, double *phi)
{
    const pk_popfit *pf = st->pf;
    pop_values v;
    unpack(pf, phi, &v);
    size_t q = v.q, N = pf->n_sub;
    double mu[PK_MAX_PARAM], S[PK_MAX_PARAM * PK_MAX_PARAM] = {0};
    for (size_t a = 0; a < q; a++) {
        size_t j = (size_t)v.inner[a];
        double m = 0, om2 = 0;
        for (size_t i = 0; i < N; i++)
            m += st->eta[i * q + a] / (double)N;
        for (size_t b = 0; b <= a; b++)
            om2 += v.L[a * q + b] * v.L[a * q + b];
        if (pf->o.use_priors && isfinite(pf->prior_med[j])) {
            double w = (double)N / om2, w0 = 1 / (pf->prior_sd[j] * pf->prior_sd[j]);
            m = (w * m + w0 * pf->prior_med[j]) / (w + w0);
        }
        mu[a] = m;
        phi[j] = m;
    }
    for (size_t i = 0; i < N; i++)
        for (size_t a = 0; a < q; a++)
            for (size_t b = 0; b <= a; b++)
                S[a * q + b] += ((st->eta[i * q + a] - mu[a]) * (st->eta[i * q + b] - mu[b]) +
                                 st->cov[(i * q + a) * q + b]) / (double)N;
    gsl_matrix_view Sv = gsl_matrix_view_array(S, q, q);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int chol = pf->o.full_omega && gsl_linalg_cholesky_decomp1(&Sv.matrix) == GSL_SUCCESS;
    gsl_set_error_handler(old);
    size_t k = v.p;
    for (size_t a = 0; a < q; a++) {
        if (!isnan(pf->o.omega_fixed[v.inner[a]]))
            continue;
        if (!pf->o.full_omega) {
            phi[k++] = 0.5 * log(S[a * q + a]);
            continue;
        }
        if (!chol) { /* keep the current Omega */
            k += 1 + a;
            continue;
        }
        phi[k++] = log(S[a * q + a]);
        for (size_t b = 0; b < a; b++)
            phi[k++] = S[a * q + b];
    }
}

/* EM steps from phi until it settles: each costs one evaluation of -2LL,
 * against 2 n_phi for a finite-difference gradient, and is not misled by
 * -2LL's noise; BFGS then finishes on -2LL itself.  Stops early (phi kept
 * at the best -2LL seen) when -2LL rises by more than 1. */
static void em_steps(pop_state *st, double *phi, size_t n)
{
    double best = INFINITY, best_phi[PK_POPFIT_MAX_PHI], prev[PK_POPFIT_MAX_PHI];
    for (int it = 0; it < PK_EM_MAX && !pk_interrupted(); it++) {
        double f = objective(st, phi);
        progress(st, f);
        if (!isfinite(f) || f > best + 1)
            break;
        if (f < best) {
            best = f;
            memcpy(best_phi, phi, n * sizeof *phi);
        }
        memcpy(prev, phi, n * sizeof *phi);
        em_update(st, phi);
        double d = 0;
        for (size_t k = 0; k < n; k++)
            d = fmax(d, fabs(phi[k] - prev[k]));
        if (d < PK_EM_TOL)
            break;
    }
    if (isfinite(best))
        memcpy(phi, best_phi, n * sizeof *phi);
}

/* ---- start, standard errors, results ---- */

/* Start: typical values at the mean of the subjects' own prior medians
 * (data-derived ones differ), random-effect SDs at the priors' (CV 50%
 * and the like: wide enough for the modes to move), error factors 1. */
static void start_phi(const pk_popfit *pf, double *phi)
{
    const pk_popfit_opts *o = &pf->o;
    size_t k = 0;
    for (size_t j = 0; j < o->n_param; j++) {
        double s = 0;
        for (size_t i = 0; i < pf->n_sub; i++)
            s += pk_prior_to_eta(pf->kind[j], pf->pt[i].param[o->param[j]].value);
        phi[k++] = s / (double)pf->n_sub;
    }
    for (size_t j = 0; j < o->n_param; j++) {
        if (!has_bsv(o, j) || !isnan(o->omega_fixed[j]))
            continue;
        phi[k++] = log(pf->prior_sd[j]);
        if (o->full_omega)
            for (size_t l = 0; l < j; l++)
                if (has_bsv(o, l))
                    phi[k++] = 0;
    }
    for (size_t c = 0; c < pf->m->n_obs; c++)
        if (error_estimable(pf, (int)c))
            phi[k++] = 0;
}

/* Covariance of phi: 2 H^-1, H the central-difference Hessian of -2 log L
 * (which is -2 times the log-likelihood's).  Leaves the optimum's modes
 * in st->eta on return. */
static int phi_covariance(pop_state *st, const double *phi, size_t n, pk_popfit_result *res)
{
    double h = st->fd.hess_h, *y = malloc(n * sizeof *y), *eta0 = NULL;
    size_t ne = st->pf->n_sub * st->q;
    gsl_matrix *H = gsl_matrix_alloc(n, n);
    res->phi_cov = calloc(n * n, sizeof *res->phi_cov);
    eta0 = malloc(ne * sizeof *eta0);
    if (!y || !H || !res->phi_cov || !eta0) {
        free(y);
        free(eta0);
        gsl_matrix_free(H);
        return -1;
    }
    double f0 = objective(st, phi);
    memcpy(eta0, st->eta, ne * sizeof *eta0);
    memcpy(y, phi, n * sizeof *y);
    for (size_t a = 0; a < n && !pk_interrupted(); a++)
        for (size_t b = 0; b <= a; b++) {
            double v;
            if (a == b) {
                y[a] = phi[a] + h;
                double fp = objective(st, y);
                y[a] = phi[a] - h;
                double fm = objective(st, y);
                v = (fp - 2 * f0 + fm) / (h * h);
            } else {
                double f4[4];
                for (int z = 0; z < 4; z++) {
                    y[a] = phi[a] + (z & 1 ? -h : h);
                    y[b] = phi[b] + (z & 2 ? -h : h);
                    f4[z] = objective(st, y);
                }
                v = (f4[0] - f4[1] - f4[2] + f4[3]) / (4 * h * h);
            }
            y[a] = phi[a];
            y[b] = phi[b];
            gsl_matrix_set(H, a, b, v);
            gsl_matrix_set(H, b, a, v);
        }
    memcpy(st->eta, eta0, ne * sizeof *eta0);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int ok = gsl_linalg_cholesky_decomp1(H) == GSL_SUCCESS && gsl_linalg_cholesky_invert(H) == 0;
    gsl_set_error_handler(old);
    for (size_t a = 0; a < n; a++) {
        for (size_t b = 0; b < n; b++)
            res->phi_cov[a * n + b] = ok ? 2 * gsl_matrix_get(H, a, b) : NAN;
        res->phi_se[a] = ok ? sqrt(res->phi_cov[a * n + a]) : NAN;
    }
    free(y);
    free(eta0);
    gsl_matrix_free(H);
    return ok;
}

/* Population values, modes, shrinkage and criteria at phi into res. */
static void fill_result(pop_state *st, const double *phi, pk_popfit_result *res)
{
    pk_popfit *pf = st->pf;
    pop_values v;
    unpack(pf, phi, &v);
    size_t p = v.p, q = v.q;
    memcpy(res->mu, v.mu, sizeof res->mu);
    for (size_t j = 0; j < p * p; j++)
        res->omega[j] = 0;
    for (size_t a = 0; a < q; a++)
        for (size_t b = 0; b < q; b++) {
            double s = 0;
            for (size_t c = 0; c <= (a < b ? a : b); c++)
                s += v.L[a * q + c] * v.L[b * q + c];
            res->omega[(size_t)v.inner[a] * p + (size_t)v.inner[b]] = s;
        }
    memcpy(res->err_factor, v.errf, sizeof res->err_factor);
    for (size_t c = 0; c < pf->m->n_obs; c++)
        res->err_estimated[c] = error_estimable(pf, (int)c);
    res->m2ll = 0;
    for (size_t i = 0; i < pf->n_sub; i++) {
        res->m2ll_sub[i] = st->m2ll_sub[i];
        res->sub_ok[i] = st->ok[i];
        res->m2ll += st->m2ll_sub[i];
        for (size_t j = 0; j < p; j++)
            res->ebe[i * p + j] = v.mu[j];
        for (size_t a = 0; a < q; a++)
            res->ebe[i * p + (size_t)v.inner[a]] = st->eta[i * q + a];
    }
    res->n_obs_fit = 0;
    for (size_t i = 0; i < pf->n_sub; i++)
        for (size_t n = 0; n < pf->pt[i].n_obs; n++)
            res->n_obs_fit += !pf->pt[i].obs[n].check;
    res->prior_pen = 0;
    if (pf->o.use_priors)
        for (size_t j = 0; j < p; j++)
            if (isfinite(pf->prior_med[j]))
                res->prior_pen += pow((v.mu[j] - pf->prior_med[j]) / pf->prior_sd[j], 2);
    double k = (double)res->n_phi, nobs = (double)res->n_obs_fit;
    res->aic = res->m2ll + 2 * k;
    res->bic = res->m2ll + k * log(nobs);
    for (size_t j = 0; j < p; j++) {
        double om = sqrt(res->omega[j * p + j]), m = 0, ss = 0, n = (double)pf->n_sub;
        for (size_t i = 0; i < pf->n_sub; i++)
            m += res->ebe[i * p + j] - v.mu[j];
        m /= n;
        for (size_t i = 0; i < pf->n_sub; i++)
            ss += pow(res->ebe[i * p + j] - v.mu[j] - m, 2);
        res->shrink[j] = om > 0 ? 1 - sqrt(ss / (n - 1)) / om : NAN;
    }
}

/* The model's error SDs are measurement errors; a population's residual
 * error (model misfit included) is often ten times larger, and starting
 * the outer search 1000 units of -2LL away slows it: the error factors
 * start at the best of 1, 3, 10, 30 and 100 (all alike). */
static void start_errors(pop_state *st, double *phi)
{
    size_t k0 = 0, n = phi_layout(st->pf, NULL);
    for (size_t c = 0; c < st->pf->m->n_obs; c++)
        k0 += error_estimable(st->pf, (int)c);
    if (k0 == 0)
        return;
    static const double factor[] = {1, 3, 10, 30, 100};
    double best = INFINITY, best_f = 1;
    for (size_t z = 0; z < sizeof factor / sizeof *factor; z++) {
        for (size_t k = n - k0; k < n; k++)
            phi[k] = log(factor[z]);
        double f = objective(st, phi);
        if (f < best) {
            best = f;
            best_f = factor[z];
        }
    }
    for (size_t k = n - k0; k < n; k++)
        phi[k] = log(best_f);
}

static void state_free(pop_state *st)
{
    if (st->solver)
        for (int t = 0; t < st->nt; t++)
            pk_solver_free(st->solver[t]);
    free(st->solver);
    free(st->eta);
    free(st->cov);
    free(st->m2ll_sub);
    free(st->ok);
}

static int state_init(pop_state *st, pk_popfit *pf, pk_err *err)
{
    memset(st, 0, sizeof *st);
    st->pf = pf;
    st->t0 = pk_clock_s();
    st->fd = fd_steps_for(pf->m);
    st->nt = 1;
#ifdef _OPENMP
    st->nt = pf->o.threads > 0 ? pf->o.threads : omp_get_max_threads();
#endif
    st->q = pf->fp[0].n_est;
    for (size_t i = 0; i < pf->n_sub; i++)
        st->nmax_res = pf->fp[i].n_res > st->nmax_res ? pf->fp[i].n_res : st->nmax_res;
    st->solver = calloc((size_t)st->nt, sizeof *st->solver);
    st->eta = malloc(pf->n_sub * st->q * sizeof *st->eta);
    st->cov = malloc(pf->n_sub * st->q * st->q * sizeof *st->cov);
    st->m2ll_sub = malloc(pf->n_sub * sizeof *st->m2ll_sub);
    st->ok = calloc(pf->n_sub, sizeof *st->ok);
    if (!st->solver || !st->eta || !st->cov || !st->m2ll_sub || !st->ok)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    for (int t = 0; t < st->nt; t++)
        if (!(st->solver[t] = pk_fit_solver(&pf->fp[0], pf->o.rtol)))
            return pk_err_set(err, PK_ENOMEM, "", "cannot make a solver");
    return PK_OK;
}

int pk_popfit_run(pk_popfit *pf, pk_popfit_result *res, pk_err *err)
{
    memset(res, 0, sizeof *res);
    res->n_sub = pf->n_sub;
    res->p = pf->o.n_param;
    res->n_phi = phi_layout(pf, res);
    res->ebe = malloc(pf->n_sub * res->p * sizeof *res->ebe);
    res->m2ll_sub = malloc(pf->n_sub * sizeof *res->m2ll_sub);
    res->sub_ok = calloc(pf->n_sub, sizeof *res->sub_ok);
    pop_state st;
    int rc = state_init(&st, pf, err);
    if (rc == PK_OK && (!res->ebe || !res->m2ll_sub || !res->sub_ok))
        rc = pk_err_set(err, PK_ENOMEM, "", "out of memory");
    if (rc) {
        state_free(&st);
        return rc;
    }
    double phi[PK_POPFIT_MAX_PHI];
    start_phi(pf, phi);
    pop_values v;
    unpack(pf, phi, &v);
    for (size_t i = 0; i < pf->n_sub; i++) /* first modes from the typical values */
        for (size_t a = 0; a < st.q; a++)
            st.eta[i * st.q + a] = v.mu[v.inner[a]];
    start_errors(&st, phi);
    if (solved_by_cvode(pf->m))
        em_steps(&st, phi, res->n_phi);
    if ((rc = minimise(&st, phi, res->n_phi, &res->converged, res->stop, sizeof res->stop, err)) == PK_OK) {
        res->cov_ok = phi_covariance(&st, phi, res->n_phi, res) > 0;
        if (pk_interrupted())
            rc = pk_err_set(err, PK_EINTR, "", "interrupted: no output written");
    }
    if (rc == PK_OK) {
        objective(&st, phi); /* the modes and parts at the optimum itself */
        for (size_t i = 0; i < pf->n_sub; i++)
            if (!st.ok[i])
                rc = pk_err_set(err, PK_ESOLVER, pf->pt[i].path, "no conditional mode at the "
                                "population optimum");
    }
    if (rc == PK_OK) {
        memcpy(res->phi, phi, res->n_phi * sizeof *phi);
        fill_result(&st, phi, res);
        res->iter = st.iter;
        res->evals = st.evals;
        res->sims = st.sims;
        res->t_s = pk_clock_s() - st.t0;
    }
    state_free(&st);
    return rc;
}

int pk_popfit_evaluate(pk_popfit *pf, const double *phi, double *m2ll, pk_err *err)
{
    pop_state st;
    int rc = state_init(&st, pf, err);
    if (rc == PK_OK) {
        pop_values v;
        unpack(pf, phi, &v);
        for (size_t i = 0; i < pf->n_sub; i++)
            for (size_t a = 0; a < st.q; a++)
                st.eta[i * st.q + a] = v.mu[v.inner[a]];
        int pri = pf->o.use_priors;
        pf->o.use_priors = 0;
        *m2ll = objective(&st, phi);
        pf->o.use_priors = pri;
        if (!isfinite(*m2ll))
            rc = pk_err_set(err, PK_ESOLVER, "", "-2 log L is not finite there");
    }
    state_free(&st);
    return rc;
}

void pk_popfit_result_free(pk_popfit_result *res)
{
    free(res->phi_cov);
    free(res->ebe);
    free(res->m2ll_sub);
    free(res->sub_ok);
    memset(res, 0, sizeof *res);
}

/* r - J (ebe - mu) decorrelated by C = I + J Omega J^T (n x n, lower
 * Cholesky solve): the CWRES of the model linearised at the mode. */
static int cwres_of(const double *r, const double *J, size_t n, size_t q, const double *d,
                    const pop_values *v, double *out)
{
    gsl_matrix *C = gsl_matrix_alloc(n, n), *JL = gsl_matrix_calloc(n, q);
    gsl_vector *e = gsl_vector_alloc(n);
    int ok = C && JL && e;
    for (size_t a = 0; ok && a < n; a++) {
        double s = r[a];
        for (size_t k = 0; k < q; k++) {
            s -= J[a * q + k] * d[k];
            double jl = 0; /* (J L)[a, k], L lower triangular */
            for (size_t m = k; m < q; m++)
                jl += J[a * q + m] * v->L[m * q + k];
            gsl_matrix_set(JL, a, k, jl);
        }
        gsl_vector_set(e, a, s);
    }
    if (ok) {
        gsl_matrix_set_identity(C);
        gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, JL, JL, 1.0, C);
    }
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    ok = ok && gsl_linalg_cholesky_decomp1(C) == GSL_SUCCESS;
    gsl_set_error_handler(old);
    if (ok) /* L_C^-1 e: forward substitution */
        gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, C, e);
    for (size_t a = 0; a < n; a++)
        out[a] = ok ? gsl_vector_get(e, a) : NAN;
    gsl_matrix_free(C);
    gsl_matrix_free(JL);
    gsl_vector_free(e);
    return ok ? 0 : -1;
}

int pk_popfit_subject_table(const pk_popfit *pf, const pk_popfit_result *res, size_t i,
                            double *pred, double *ipred, double *iwres, double *cwres,
                            pk_err *err)
{
    pk_fit_problem *fp = &pf->fp[i];
    pop_values v;
    unpack(pf, res->phi, &v);
    set_population(pf, i, &v);
    size_t q = v.q, n = fp->n_res, no = fp->n_res_obs;
    double eta[PK_MAX_PARAM], mu[PK_MAX_PARAM], d[PK_MAX_PARAM];
    for (size_t a = 0; a < q; a++) {
        eta[a] = res->ebe[i * res->p + (size_t)v.inner[a]];
        mu[a] = v.mu[v.inner[a]];
        d[a] = eta[a] - mu[a];
    }
    double *r = malloc(n * sizeof *r), *J = malloc(n * q * sizeof *J);
    double *cw = malloc((no ? no : 1) * sizeof *cw);
    pk_solver *s = pk_fit_solver(fp, pf->o.rtol);
    int rc = PK_OK;
    if (!r || !J || !cw || !s)
        rc = pk_err_set(err, PK_ENOMEM, "", "out of memory");
    if (rc == PK_OK)
        rc = pk_fit_residuals(fp, s, mu, r, pred, err);
    if (rc == PK_OK)
        rc = pk_fit_residuals(fp, s, eta, r, ipred, err);
    if (rc == PK_OK)
        rc = pk_fit_jacobian(fp, s, eta, r, J, fp->o.jacobian, err);
    if (rc == PK_OK) {
        cwres_of(r, J, no, q, d, &v, cw);
        size_t k = 0;
        for (size_t m = 0; m < fp->p->n_obs; m++) {
            const pk_observation *o = &fp->p->obs[m];
            iwres[m] = cwres[m] = NAN;
            if (o->check)
                continue;
            iwres[m] = r[k];
            cwres[m] = cw[k];
            k += (size_t)pk_lik_n_residuals(&pf->m->obs[o->obs]);
        }
    }
    free(r);
    free(J);
    free(cw);
    pk_solver_free(s);
    return rc;
}
