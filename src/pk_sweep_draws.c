/* pk_sweep_draws: the parameter vectors of a sweep's draws, from a
 * posterior or from the priors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "pk_csv.h"
#include "pk_hash.h"
#include "pk_prior.h"
#include "pk_sweep.h"

void pk_sweep_posterior_free(pk_sweep_posterior *post)
{
    pk_csv_free(&post->csv);
    memset(post, 0, sizeof *post);
}

/* The fingerprint and the shape fit.ini recorded for its posterior. */
static int check_record(const pk_patient *p, const char *path, const pk_csv *c, pk_err *err)
{
    if (p->posterior_sha256[0]) {
        char hex[PK_SHA256_HEX];
        if (pk_sha256_file(path, hex, err))
            return err->code;
        if (strcmp(hex, p->posterior_sha256) != 0)
            return pk_err_set(err, PK_EINPUT, path, "is not the posterior %s recorded (SHA-256 "
                              "differs): changed, cut short or from another fit; refit",
                              p->path);
    }
    if (p->posterior_draws && c->n_row != p->posterior_draws)
        return pk_err_set(err, PK_EINPUT, path, "has %zu draws, %s recorded %zu", c->n_row,
                          p->path, p->posterior_draws);
    if (p->posterior_params[0]) {
        char list[512];
        size_t k = 0;
        for (size_t i = 0; i < c->n_col; i++)
            if (strcmp(c->name[i], "draw") != 0)
                k += (size_t)snprintf(list + k, k < sizeof list ? sizeof list - k : 0, "%s%s",
                                      k ? "," : "", c->name[i]);
        if (k >= sizeof list || strcmp(list, p->posterior_params) != 0)
            return pk_err_set(err, PK_EINPUT, path, "has the columns %.200s, %s recorded %.200s",
                              list, p->path, p->posterior_params);
    }
    return PK_OK;
}

int pk_sweep_posterior_load(const pk_patient *p, const pk_sweep_opts *o, size_t n_draws,
                            pk_sweep_posterior *post, pk_err *err)
{
    const pk_model *m = p->model;
    memset(post, 0, sizeof *post);
    if (o->point || !o->posterior[0])
        return PK_OK;
    pk_csv *c = &post->csv;
    const char *path = o->posterior;
    if (pk_csv_read(path, c, err) || check_record(p, path, c, err))
        goto fail;
    for (size_t cc = 0; cc < c->n_col; cc++)
        if (strcmp(c->name[cc], "draw") != 0 && pk_model_param_index(m, c->name[cc]) < 0) {
            pk_err_set(err, PK_EINPUT, path, "column %.60s is not a parameter of model %s",
                       c->name[cc], m->name);
            goto fail;
        }
    for (size_t j = 0; j < m->n_param; j++) {
        post->col[j] = pk_csv_col(c, m->param[j].name);
        if (post->col[j] < 0 && p->has_map[j]) {
            pk_err_set(err, PK_EINPUT, path, "has no column for %s, which %s estimated",
                       m->param[j].name, p->path);
            goto fail;
        }
    }
    /* every draw must be a value the model accepts */
    for (size_t r = 0; r < c->n_row; r++)
        for (size_t j = 0; j < m->n_param; j++) {
            const pk_param_def *pd = &m->param[j];
            double v = post->col[j] >= 0 ? c->v[r * c->n_col + (size_t)post->col[j]] : 0;
            if (post->col[j] >= 0 && !(v >= pd->lo && v <= pd->hi)) {
                char where[1200];
                snprintf(where, sizeof where, "%s: row %zu", path, r + 1);
                pk_err_set(err, PK_EINPUT, where, "%s: %g is outside %g-%g", pd->name, v, pd->lo,
                           pd->hi);
                goto fail;
            }
        }
    if (c->n_row < n_draws && !o->resample) {
        pk_err_set(err, PK_EINPUT, path, "has %zu draws, fewer than the %zu asked for: give "
                   "--draws %zu, or --resample to reuse them", c->n_row, n_draws, c->n_row);
        goto fail;
    }
    post->loaded = 1;
    return PK_OK;
fail:
    pk_sweep_posterior_free(post);
    return err->code;
}

void pk_sweep_draws(const pk_patient *p, const pk_sweep_opts *o, const pk_sweep_posterior *post,
                    size_t first, size_t nd, double *th)
{
    const pk_model *m = p->model;
    size_t np = m->n_param;
    double base[PK_MAX_PARAM];
    pk_patient_prior_theta(p, base);
    if (o->point) {
        pk_patient_theta(p, th); /* the MAP of a fit.ini, else prior medians */
        return;
    }
    const pk_csv *c = &post->csv;
    for (size_t i = 0; i < nd; i++) {
        size_t d = first + i;
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(rng, pk_prior_stream_seed(o->seed, 2000000 + d));
        double *t = th + i * np;
        for (size_t j = 0; j < np; j++) {
            const pk_param_setting *s = &p->param[j];
            int has_prior = !s->fixed && s->prior != PK_PRIOR_FIXED && s->spread > 0;
            if (post->loaded && post->col[j] >= 0) {
                t[j] = c->v[(d % c->n_row) * c->n_col + (size_t)post->col[j]];
                if (has_prior)
                    gsl_rng_uniform(rng); /* keep the stream aligned */
            } else {
                t[j] = has_prior ? pk_prior_draw_in(s->prior, base[j], s->spread, m->param[j].lo,
                                                    m->param[j].hi, rng)
                                 : base[j];
            }
        }
        gsl_rng_free(rng);
    }
}
