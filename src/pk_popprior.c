#include "pk_popprior.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "pk_ini.h"
#include "pk_text.h"

static int bad(pk_err *err, const pk_ini *ini, const pk_ini_entry *e, const char *msg,
               const char *arg)
{
    char where[600];
    pk_err_where(where, sizeof where, ini->path, e->line, e->key);
    return pk_err_set(err, PK_EINPUT, where, msg, arg);
}

/* [population] model, [error] factors, [correlation] A,B = r;
 * [uncertainty] is for virtual trials, not a patient's prior. */
static int read_sections(const pk_ini *ini, const pk_patient *p, pk_popprior *pp, pk_err *err)
{
    const pk_model *m = p->model;
    int model_seen = 0;
    for (size_t i = 0; i < ini->n_entry; i++) {
        const pk_ini_entry *e = &ini->entry[i];
        double v;
        if (!strcmp(e->section, "population")) {
            if (!strcmp(e->key, "model")) {
                model_seen = 1;
                if (strcmp(e->value, m->name))
                    return bad(err, ini, e, "the population is of model %s, the patient's is "
                               "another", e->value);
            }
        } else if (!strcmp(e->section, "error")) {
            int k = pk_model_obs_index(m, e->key);
            if (k < 0)
                return bad(err, ini, e, "no observable of the patient's model: %s", e->key);
            if (pk_text_number(e->value, &v, 0) || !(v > 0) || v > 1e6)
                return bad(err, ini, e, "'%s' is not a positive error factor", e->value);
            pp->err_factor[k] = v;
        } else if (!strcmp(e->section, "correlation")) {
            char a[128];
            const char *comma = strchr(e->key, ',');
            size_t len = comma ? (size_t)(comma - e->key) : 0;
            int ja = -1, jb = -1;
            if (comma && len < sizeof a) {
                memcpy(a, e->key, len);
                a[len] = '\0';
                ja = pk_model_param_index(m, a);
                jb = pk_model_param_index(m, comma + 1);
            }
            if (ja < 0 || jb < 0 || ja == jb)
                return bad(err, ini, e, "%s is not two parameters 'A,B' of the model", e->key);
            if (pk_text_number(e->value, &v, 0) || !(fabs(v) < 1))
                return bad(err, ini, e, "correlation '%s' must lie in (-1, 1)", e->value);
            pp->corr[ja * PK_MAX_PARAM + jb] = pp->corr[jb * PK_MAX_PARAM + ja] = v;
            pp->has_corr = 1;
        } else if (strcmp(e->section, "parameters") && strcmp(e->section, "uncertainty")) {
            return bad(err, ini, e, "unknown section [%s] of a population file", e->section);
        }
    }
    if (!model_seen)
        return pk_err_set(err, PK_EINPUT, ini->path, "no [population] model: not a popfit.ini");
    return PK_OK;
}

int pk_popprior_apply(const char *path, pk_patient *p, pk_popprior *pp, pk_err *err)
{
    memset(pp, 0, sizeof *pp);
    snprintf(pp->path, sizeof pp->path, "%s", path);
    for (size_t k = 0; k < PK_MAX_OBS; k++)
        pp->err_factor[k] = 1.0;
    pk_ini ini = {0};
    int rc = pk_ini_load(path, &ini, err);
    if (rc == PK_OK)
        rc = read_sections(&ini, p, pp, err);
    if (rc == PK_OK)
        rc = pk_patient_set_parameters(&ini, p, err);
    pk_ini_free(&ini);
    return rc;
}

int pk_popprior_to_problem(const pk_popprior *pp, pk_fit_problem *fp, pk_err *err)
{
    for (size_t k = 0; k < fp->m->n_obs; k++)
        fp->err_factor[k] = pp->err_factor[k];
    if (!pp->has_corr)
        return PK_OK;
    /* the estimates' prior covariance and its Cholesky factor */
    size_t q = fp->n_est;
    gsl_matrix *S = gsl_matrix_alloc(q, q);
    if (!S)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    for (size_t a = 0; a < q; a++)
        for (size_t b = 0; b < q; b++) {
            double r = a == b ? 1 : pp->corr[fp->est[a] * PK_MAX_PARAM + fp->est[b]];
            gsl_matrix_set(S, a, b, r * fp->eta_sd[a] * fp->eta_sd[b]);
        }
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int ok = gsl_linalg_cholesky_decomp1(S) == GSL_SUCCESS;
    gsl_set_error_handler(old);
    if (!ok) {
        gsl_matrix_free(S);
        return pk_err_set(err, PK_EINPUT, pp->path, "[correlation]: the correlations of the "
                          "estimated parameters are not a valid (positive definite) matrix");
    }
    double med[PK_MAX_PARAM], sd[PK_MAX_PARAM];
    memcpy(med, fp->eta_med, q * sizeof *med);
    memcpy(sd, fp->eta_sd, q * sizeof *sd);
    pk_fit_set_prior(fp, med, sd, S->data); /* q x q, row-major: L in its lower triangle */
    gsl_matrix_free(S);
    return PK_OK;
}
