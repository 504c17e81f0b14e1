/* pk_trial_pop: a population model (popfit.ini) on a template patient,
 * and the virtual patients drawn from it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "pk_ini.h"
#include "pk_popprior.h"
#include "pk_prior.h"
#include "pk_text.h"
#include "pk_trial.h"

static int bad(pk_err *err, const pk_ini *ini, const pk_ini_entry *e, const char *fmt,
               const char *arg)
{
    char where[600];
    pk_err_where(where, sizeof where, ini->path, e->line, e->key);
    return pk_err_set(err, PK_EINPUT, where, fmt, arg);
}

/* The model the population names, known to pksim. */
static int find_model(const pk_ini *ini, const pk_model **m, pk_err *err)
{
    for (size_t i = 0; i < ini->n_entry; i++) {
        const pk_ini_entry *e = &ini->entry[i];
        if (strcmp(e->section, "population") || strcmp(e->key, "model"))
            continue;
        if (!(*m = pk_model_find(e->value)))
            return bad(err, ini, e, "unknown model '%s' (see 'pksim models')", e->value);
        return PK_OK;
    }
    return pk_err_set(err, PK_EINPUT, ini->path, "no [population] model: not a popfit.ini");
}

/* The model's defaults as a patient file in memory; a parameter whose
 * default comes from a patient's day-0 data gets a placeholder inside its
 * range, which the population must replace (checked after). */
static int default_template(const pk_model *m, pk_patient *p, pk_err *err)
{
    char text[4096];
    size_t k = (size_t)snprintf(text, sizeof text, "[patient]\nid = trial\nmodel = %s\n"
                                "[parameters]\n", m->name);
    for (size_t j = 0; j < m->n_param && k < sizeof text; j++)
        if (isnan(m->param[j].median))
            k += (size_t)snprintf(text + k, sizeof text - k, "%s = %.17g\n", m->param[j].name,
                                  0.5 * (m->param[j].lo + m->param[j].hi));
    if (k >= sizeof text)
        return pk_err_set(err, PK_EINTERNAL, "", "template patient too long");
    return pk_patient_load_mem("(model defaults)", text, k, p, err);
}

/* [parameters] (which ones the population sets) and [uncertainty]. */
static int read_population(const pk_ini *ini, int from_file, pk_trial_pop *pop, pk_err *err)
{
    const pk_model *m = pop->tmpl.model;
    for (size_t i = 0; i < ini->n_entry; i++) {
        const pk_ini_entry *e = &ini->entry[i];
        int j = pk_model_param_index(m, e->key);
        if (!strcmp(e->section, "parameters") && j >= 0)
            pop->from_pop[j] = 1;
    }
    for (size_t i = 0; i < ini->n_entry; i++) {
        const pk_ini_entry *e = &ini->entry[i];
        if (strcmp(e->section, "uncertainty"))
            continue;
        int j = pk_model_param_index(m, e->key);
        double v;
        if (j < 0 || !pop->from_pop[j])
            return bad(err, ini, e, "%s is not a parameter of the population's [parameters]",
                       e->key);
        if (pk_text_number(e->value, &v, 0) || !(v >= 0 && v <= 100))
            return bad(err, ini, e, "'%s' is not a standard error in 0-100 (its scale)",
                       e->value);
        pop->se[j] = v;
    }
    for (size_t j = 0; j < m->n_param; j++)
        if (isnan(m->param[j].median) && !pop->from_pop[j] && !from_file)
            return pk_err_set(err, PK_EINPUT, ini->path, "%s: no value: the model takes it from "
                              "a patient's day-0 data; set it in [parameters] or give --patient "
                              "FILE", m->param[j].name);
    return PK_OK;
}

/* Typical values and SDs on their scales; the random effects' Cholesky
 * factor from the correlations (pk_popprior). */
static int scales(pk_trial_pop *pop, const pk_popprior *pp, pk_err *err)
{
    const pk_patient *p = &pop->tmpl;
    const pk_model *m = p->model;
    for (size_t j = 0; j < m->n_param; j++) {
        const pk_param_setting *s = &p->param[j];
        if (!pop->from_pop[j])
            continue;
        pop->eta_typ[j] = pk_prior_to_eta(s->prior, s->value);
        pop->omega[j] = s->fixed ? 0 : pk_prior_sd(s->prior, s->spread);
        if (pop->omega[j] > 0)
            pop->re[pop->n_re++] = (int)j;
    }
    size_t q = pop->n_re;
    if (q == 0)
        return PK_OK;
    gsl_matrix_view S = gsl_matrix_view_array(pop->L, q, q);
    for (size_t a = 0; a < q; a++)
        for (size_t b = 0; b < q; b++) {
            double r = a == b ? 1 : pp->corr[pop->re[a] * PK_MAX_PARAM + pop->re[b]];
            gsl_matrix_set(&S.matrix, a, b, r * pop->omega[pop->re[a]] * pop->omega[pop->re[b]]);
        }
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int ok = gsl_linalg_cholesky_decomp1(&S.matrix) == GSL_SUCCESS;
    gsl_set_error_handler(old);
    if (!ok)
        return pk_err_set(err, PK_EINPUT, pop->path, "[correlation]: not a valid (positive "
                          "definite) correlation matrix");
    for (size_t a = 0; a < q; a++) /* keep the lower triangle only */
        for (size_t b = a + 1; b < q; b++)
            pop->L[a * q + b] = 0;
    return PK_OK;
}

int pk_trial_pop_load(const char *popfit, const char *patient_file, pk_trial_pop *pop,
                      pk_err *err)
{
    memset(pop, 0, sizeof *pop);
    snprintf(pop->path, sizeof pop->path, "%s", popfit);
    pk_ini ini = {0};
    const pk_model *m = NULL;
    pk_popprior pp;
    int rc = pk_ini_load(popfit, &ini, err);
    if (rc == PK_OK)
        rc = find_model(&ini, &m, err);
    if (rc == PK_OK)
        rc = patient_file ? pk_patient_load(patient_file, &pop->tmpl, err)
                          : default_template(m, &pop->tmpl, err);
    if (rc == PK_OK)
        rc = pk_popprior_apply(popfit, &pop->tmpl, &pp, err);
    if (rc == PK_OK)
        rc = read_population(&ini, patient_file != NULL, pop, err);
    if (rc == PK_OK)
        rc = scales(pop, &pp, err);
    pk_ini_free(&ini);
    return rc;
}

void pk_trial_pop_free(pk_trial_pop *pop)
{
    pk_patient_free(&pop->tmpl);
    memset(pop, 0, sizeof *pop);
}

/* The random effects b = L z on top of eta; 1 when every value is in range. */
static int add_random_effects(const pk_trial_pop *pop, const double *eta, gsl_rng *rng,
                              double *theta)
{
    const pk_model *m = pop->tmpl.model;
    size_t q = pop->n_re;
    double z[PK_MAX_PARAM];
    for (size_t a = 0; a < q; a++)
        z[a] = gsl_ran_gaussian_ziggurat(rng, 1.0);
    int in = 1;
    for (size_t a = 0; a < q; a++) {
        double b = 0;
        for (size_t c = 0; c <= a; c++)
            b += pop->L[a * q + c] * z[c];
        int j = pop->re[a];
        theta[j] = pk_prior_from_eta(pop->tmpl.param[j].prior, eta[j] + b);
        in &= theta[j] >= m->param[j].lo && theta[j] <= m->param[j].hi;
    }
    return in;
}

void pk_trial_pop_draw(const pk_trial_pop *pop, unsigned long seed, size_t i, double *theta)
{
    const pk_patient *p = &pop->tmpl;
    const pk_model *m = p->model;
    size_t np = m->n_param;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, pk_prior_stream_seed(seed, PK_TRIAL_STREAM + i));
    double eta[PK_MAX_PARAM];
    for (size_t j = 0; j < np; j++)
        if (pop->from_pop[j]) {
            eta[j] = pop->eta_typ[j] + pop->se[j] * gsl_ran_gaussian_ziggurat(rng, 1.0);
            theta[j] = pk_prior_from_eta(p->param[j].prior, eta[j]);
        }
    int tries = 0;
    while (pop->n_re && !add_random_effects(pop, eta, rng, theta) && ++tries < 100)
        ;
    for (size_t j = 0; j < np; j++) {
        const pk_param_def *d = &m->param[j];
        const pk_param_setting *s = &p->param[j];
        if (pop->from_pop[j]) {
            theta[j] = fmin(fmax(theta[j], d->lo), d->hi);
            continue;
        }
        int has_prior = !s->fixed && s->prior != PK_PRIOR_FIXED && s->spread > 0;
        theta[j] = has_prior ? pk_prior_draw_in(s->prior, s->value, s->spread, d->lo, d->hi, rng)
                             : s->value;
    }
    gsl_rng_free(rng);
}
