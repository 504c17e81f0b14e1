#include "pk_popfit_out.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pk_lik.h"
#include "pk_out.h"
#include "pk_prior.h"

#define Z95 1.959964

static const char *scale_name(pk_prior_kind k)
{
    return k == PK_PRIOR_LOGNORMAL     ? "log"
           : k == PK_PRIOR_LOGITNORMAL ? "logit"
           : k == PK_PRIOR_LOG10NORMAL ? "log10"
                                       : "identity";
}

/* Index in phi of a named entry, or -1. */
static int phi_index(const pk_popfit_result *res, const char *what, const char *name)
{
    char key[160];
    snprintf(key, sizeof key, "%s:%s", what, name);
    for (size_t k = 0; k < res->n_phi; k++)
        if (!strcmp(res->phi_name[k], key))
            return (int)k;
    return -1;
}

/* Between-subject SD of listed parameter j (eta scale) and its SE (NAN
 * when fixed or unknown). */
static void omega_sd(const pk_popfit *pf, const pk_popfit_result *res, size_t j, double *sd,
                     double *se)
{
    const char *nm = pf->m->param[pf->o.param[j]].name;
    *sd = sqrt(res->omega[j * res->p + j]);
    int k = phi_index(res, "log_omega", nm);
    *se = NAN;
    if (k < 0 || !res->phi_cov || !(res->phi_se[k] >= 0))
        return;
    if (!pf->o.full_omega) { /* SE(omega) = omega SE(log omega) */
        *se = *sd * res->phi_se[k];
        return;
    }
    /* a full Omega's SD is sqrt(sum_b L_jb^2) over its row of the Cholesky
     * factor, whose diagonal is estimated as a log: the delta method with
     * d SD / d log L_jj = L_jj^2 / SD and d SD / d L_jb = L_jb / SD */
    int idx[PK_MAX_PARAM];
    double g[PK_MAX_PARAM];
    size_t n = 0;
    double ljj = exp(res->phi[k]);
    idx[n] = k;
    g[n++] = ljj * ljj / *sd;
    for (size_t l = 0; l < j; l++) {
        char key[100];
        snprintf(key, sizeof key, "%s,%s", nm, pf->m->param[pf->o.param[l]].name);
        int kl = phi_index(res, "L", key);
        if (kl >= 0) {
            idx[n] = kl;
            g[n++] = res->phi[kl] / *sd;
        }
    }
    double v = 0;
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++)
            v += g[a] * g[b] * res->phi_cov[(size_t)idx[a] * res->n_phi + (size_t)idx[b]];
    *se = v >= 0 ? sqrt(v) : NAN;
}

/* CV% of a log-normal random effect with SD w on the log scale. */
static double cv_pct(pk_prior_kind kind, double w)
{
    return kind == PK_PRIOR_LOGNORMAL ? 100 * sqrt(expm1(w * w)) : NAN;
}

static void write_params(FILE *f, const pk_popfit *pf, const pk_popfit_result *res)
{
    const pk_model *m = pf->m;
    fprintf(f, "parameter,unit,scale,typical_value,lo95,hi95,mu,se_mu,rse_pct,omega,se_omega,"
               "cv_pct,shrinkage\n");
    for (size_t j = 0; j < res->p; j++) {
        const pk_param_def *d = &m->param[pf->o.param[j]];
        pk_prior_kind kd = pf->kind[j];
        double mu = res->mu[j], se = res->phi_se[j], w, sew;
        omega_sd(pf, res, j, &w, &sew);
        double tv = pk_prior_from_eta(kd, mu);
        fprintf(f, "%s,%s,%s,%.8g,%.8g,%.8g,%.8g,%.4g,%.4g,%.6g,%.4g,%.4g,%.4f\n", d->name, d->unit,
                scale_name(kd), tv, pk_prior_from_eta(kd, mu - Z95 * se),
                pk_prior_from_eta(kd, mu + Z95 * se), mu, se,
                kd == PK_PRIOR_LOGNORMAL ? 100 * se : NAN, w, sew, cv_pct(kd, w), res->shrink[j]);
    }
}

/* The residual errors as rows of the same table: sd_<observable>, the
 * estimated SD a (the model's a times the factor), on the log scale. */
static void write_errors(FILE *f, const pk_popfit *pf, const pk_popfit_result *res)
{
    const pk_model *m = pf->m;
    for (size_t c = 0; c < m->n_obs; c++) {
        if (!res->err_estimated[c])
            continue;
        int k = phi_index(res, "log_err_factor", m->obs[c].name);
        double lf = log(res->err_factor[c]), se = k >= 0 ? res->phi_se[k] : NAN, a = m->obs[c].a;
        fprintf(f, "sd_%s,%s,log,%.8g,%.8g,%.8g,%.8g,%.4g,%.4g,,,,\n", m->obs[c].name,
                m->obs[c].error == PK_ERRMODEL_LOGNORMAL ? "log units" : m->obs[c].unit,
                a * exp(lf), a * exp(lf - Z95 * se), a * exp(lf + Z95 * se), log(a) + lf, se,
                100 * se);
    }
}

/* text as an RFC 4180 quoted field: a path may hold commas and quotes */
static void put_quoted(FILE *f, const char *text)
{
    fputc('"', f);
    for (const char *c = text; *c; c++) {
        if (*c == '"')
            fputc('"', f);
        fputc(*c, f);
    }
    fputc('"', f);
}

static void write_subjects(FILE *f, const pk_popfit *pf, const pk_popfit_result *res)
{
    const pk_model *m = pf->m;
    fprintf(f, "patient,file,n_obs,m2ll");
    for (size_t j = 0; j < res->p; j++)
        fprintf(f, ",%s", m->param[pf->o.param[j]].name);
    for (size_t j = 0; j < res->p; j++)
        fprintf(f, ",eta_%s", m->param[pf->o.param[j]].name);
    fputc('\n', f);
    for (size_t i = 0; i < res->n_sub; i++) {
        const pk_patient *p = &pf->pt[i];
        size_t n = 0;
        for (size_t k = 0; k < p->n_obs; k++)
            n += !p->obs[k].check;
        fprintf(f, "%s,", p->id);
        put_quoted(f, p->path);
        fprintf(f, ",%zu,%.8g", n, res->m2ll_sub[i]);
        for (size_t j = 0; j < res->p; j++)
            fprintf(f, ",%.8g", pk_prior_from_eta(pf->kind[j], res->ebe[i * res->p + j]));
        for (size_t j = 0; j < res->p; j++)
            fprintf(f, ",%.6g", res->ebe[i * res->p + j] - res->mu[j]);
        fputc('\n', f);
    }
}

static int write_obs(FILE *f, const pk_popfit *pf, const pk_popfit_result *res, pk_err *err)
{
    fprintf(f, "patient,day,observable,dv,censoring,check,n_cells,pred,ipred,iwres,cwres\n");
    for (size_t i = 0; i < res->n_sub; i++) {
        const pk_patient *p = &pf->pt[i];
        size_t n = p->n_obs ? p->n_obs : 1;
        double *t = malloc(4 * n * sizeof *t);
        if (!t)
            return pk_err_set(err, PK_ENOMEM, "", "out of memory");
        int rc = pk_popfit_subject_table(pf, res, i, t, t + n, t + 2 * n, t + 3 * n, err);
        for (size_t k = 0; rc == PK_OK && k < p->n_obs; k++) {
            const pk_observation *o = &p->obs[k];
            const pk_obs_def *od = &pf->m->obs[o->obs];
            fprintf(f, "%s,%.10g,%s,%.10g,%s,%d,%d,%.8g,%.8g,%.6g,%.6g\n", p->id, o->t_day,
                    od->name, o->value, o->censor < 0 ? "left" : o->censor > 0 ? "right" : "none",
                    o->check, od->error == PK_ERRMODEL_BINOMIAL ? pk_lik_cells(od, o) : 0, t[k],
                    t[n + k], t[2 * n + k], t[3 * n + k]);
        }
        free(t);
        if (rc)
            return rc;
    }
    return PK_OK;
}

/* Which observables some subject has observations of (the curves'). */
static size_t observed(const pk_popfit *pf, int *which)
{
    size_t n = 0;
    for (size_t c = 0; c < pf->m->n_obs; c++) {
        int any = 0;
        for (size_t i = 0; i < pf->n_sub && !any; i++)
            for (size_t k = 0; k < pf->pt[i].n_obs && !any; k++)
                any = pf->pt[i].obs[k].obs == (int)c;
        if (any)
            which[n++] = (int)c;
    }
    return n;
}

/* popfit_traj.csv: each subject's PRED and IPRED curves of every observed
 * output on its grid (pk_popfit_traj_grid), rows by patient, observable
 * and day: tidy, for the figures and for R or Python. */
static int write_traj(FILE *f, const pk_popfit *pf, const pk_popfit_result *res, pk_err *err)
{
    int which[PK_MAX_OBS];
    size_t n_which = observed(pf, which), no = pf->m->n_obs;
    fprintf(f, "patient,day,observable,pred,ipred\n");
    int rc = PK_OK;
    for (size_t i = 0; i < res->n_sub && rc == PK_OK; i++) {
        double *t = NULL, *pred = NULL, *ipred = NULL;
        size_t n = 0;
        rc = pk_popfit_traj_grid(pf, i, PK_POPFIT_TRAJ_POINTS, &t, &n, err);
        if (rc == PK_OK && (!(pred = malloc(n * no * sizeof *pred)) ||
                            !(ipred = malloc(n * no * sizeof *ipred))))
            rc = pk_err_set(err, PK_ENOMEM, "", "out of memory");
        if (rc == PK_OK)
            rc = pk_popfit_traj(pf, res, i, t, n, pred, ipred, err);
        for (size_t c = 0; rc == PK_OK && c < n_which; c++)
            for (size_t k = 0; k < n; k++)
                fprintf(f, "%s,%.10g,%s,%.8g,%.8g\n", pf->pt[i].id, t[k],
                        pf->m->obs[which[c]].name, pred[k * no + (size_t)which[c]],
                        ipred[k * no + (size_t)which[c]]);
        free(t);
        free(pred);
        free(ipred);
    }
    return rc;
}

/* popfit.ini: the population in the patient-file [parameters] grammar,
 * each typical value with its between-subject spread as the prior. */
static void write_ini(FILE *f, const pk_popfit *pf, const pk_popfit_result *res)
{
    const pk_model *m = pf->m;
    fprintf(f, "# pksim popfit: population estimates over %zu subjects (FOCE-I).\n"
               "# As priors for a new patient: pksim fit --prior THIS_FILE PATIENT.ini\n"
               "[population]\nmodel = %s\nsubjects = %zu\nobservations = %zu\n"
               "m2ll = %.10g\n\n[parameters]\n",
            res->n_sub, m->name, res->n_sub, res->n_obs_fit, res->m2ll);
    for (size_t j = 0; j < res->p; j++) {
        const pk_param_def *d = &m->param[pf->o.param[j]];
        double w = sqrt(res->omega[j * res->p + j]), tv = pk_prior_from_eta(pf->kind[j], res->mu[j]);
        if (w == 0)
            fprintf(f, "%s = %.10g fixed ; %s, no between-subject variability\n", d->name, tv,
                    d->unit);
        else if (pf->kind[j] == PK_PRIOR_LOGNORMAL)
            fprintf(f, "%s = %.10g cv %.6g%% ; %s, omega %.6g on the log scale\n", d->name, tv,
                    cv_pct(pf->kind[j], w), d->unit, w);
        else
            fprintf(f, "%s = %.10g sd %.6g ; %s, omega on the %s scale\n", d->name, tv, w,
                    d->unit, scale_name(pf->kind[j]));
    }
    int any = 0;
    for (size_t c = 0; c < m->n_obs; c++)
        if (res->err_estimated[c]) {
            if (!any++)
                fprintf(f, "\n[error]\n# factor on the model's error SDs\n");
            fprintf(f, "%s = %.10g ; SD a = %.6g %s\n", m->obs[c].name, res->err_factor[c],
                    res->err_factor[c] * m->obs[c].a, m->obs[c].unit);
        }
    /* the typical values' estimation uncertainty, for virtual trials
     * (typical values drawn from it before the subjects) */
    fprintf(f, "\n[uncertainty]\n# standard errors of the typical values on their scale "
               "(log, logit, log10)\n");
    for (size_t j = 0; j < res->p; j++)
        if (isfinite(res->phi_se[j]))
            fprintf(f, "%s = %.8g ; %s scale\n", m->param[pf->o.param[j]].name, res->phi_se[j],
                    scale_name(pf->kind[j]));
    if (pf->o.full_omega) {
        fprintf(f, "\n[correlation]\n");
        for (size_t a = 0; a < res->p; a++)
            for (size_t b = 0; b < a; b++) {
                double wa = sqrt(res->omega[a * res->p + a]), wb = sqrt(res->omega[b * res->p + b]);
                if (wa > 0 && wb > 0)
                    fprintf(f, "%s,%s = %.8f\n", m->param[pf->o.param[a]].name,
                            m->param[pf->o.param[b]].name, res->omega[a * res->p + b] / (wa * wb));
            }
    }
}

void pk_popfit_summary(FILE *f, const pk_popfit *pf, const pk_popfit_result *res)
{
    const pk_model *m = pf->m;
    fprintf(f, "pksim popfit: model %s, %zu subjects, %zu observations fitted\n"
               "method: FOCE with interaction (Laplace at each subject's mode), %s\n"
               "-2 log likelihood %.4f   AIC %.4f   BIC %.4f   (%zu estimated)\n",
            m->name, res->n_sub, res->n_obs_fit,
            pf->o.use_priors ? "priors on the typical values" : "maximum likelihood", res->m2ll,
            res->aic, res->bic, res->n_phi);
    if (pf->o.use_priors)
        fprintf(f, "prior penalty on the typical values %.4f (not in -2LL)\n", res->prior_pen);
    fprintf(f, "outer search: %s%s; %ld objective evaluations; standard errors %s\n\n",
            res->converged ? "" : "NOT CONVERGED: ", res->stop, res->evals,
            res->cov_ok ? "from the outer Hessian" : "unavailable (Hessian not positive definite)");
    fprintf(f, "%-22s %12s %12s %8s %8s %8s %8s\n", "parameter", "typical", "95% CI lo",
            "95% CI hi", "omega", "CV%", "shrink");
    for (size_t j = 0; j < res->p; j++) {
        const pk_param_def *d = &m->param[pf->o.param[j]];
        double mu = res->mu[j], se = res->phi_se[j], w, sew;
        omega_sd(pf, res, j, &w, &sew);
        fprintf(f, "%-22s %12.5g %12.5g %8.4g %8.4g %8.3g %8.3f\n", d->name,
                pk_prior_from_eta(pf->kind[j], mu), pk_prior_from_eta(pf->kind[j], mu - Z95 * se),
                pk_prior_from_eta(pf->kind[j], mu + Z95 * se), w, cv_pct(pf->kind[j], w),
                res->shrink[j]);
    }
    for (size_t c = 0; c < m->n_obs; c++)
        if (res->err_estimated[c])
            fprintf(f, "residual error %s: SD factor %.5g (a = %.5g %s)\n", m->obs[c].name,
                    res->err_factor[c], res->err_factor[c] * m->obs[c].a, m->obs[c].unit);
    fprintf(f, "\nomega: between-subject SD on the parameter's scale (log, logit, log10);\n"
               "shrinkage: 1 - SD(modes)/omega (NONMEM's: near 1, the data say little)\n");
}

int pk_popfit_write(const char *dir, const pk_popfit *pf, const pk_popfit_result *res,
                    pk_err *err)
{
    enum { N = 6 };
    static const char *const names[N] = {"popfit.ini",          "popfit_summary.txt",
                                         "popfit_params.csv",   "popfit_subjects.csv",
                                         "popfit_obs.csv",      "popfit_traj.csv"};
    pk_out out[N];
    memset(out, 0, sizeof out);
    int rc = PK_OK;
    for (int i = 0; i < N && rc == PK_OK; i++) {
        if ((rc = pk_out_open(&out[i], dir, names[i], err)))
            break;
        FILE *f = out[i].f;
        switch (i) {
        case 0:
            write_ini(f, pf, res);
            break;
        case 1:
            pk_popfit_summary(f, pf, res);
            break;
        case 2:
            write_params(f, pf, res);
            write_errors(f, pf, res);
            break;
        case 3:
            write_subjects(f, pf, res);
            break;
        case 4:
            rc = write_obs(f, pf, res, err);
            break;
        default:
            rc = write_traj(f, pf, res, err);
            break;
        }
    }
    if (rc == PK_OK)
        rc = pk_out_commit_all(out, N, err);
    for (int i = 0; i < N; i++)
        pk_out_abort(&out[i]);
    return rc;
}
