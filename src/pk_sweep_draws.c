/* pk_sweep_draws: the parameter vectors of a sweep's draws, from a
 * posterior or from the priors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "pk_csv.h"
#include "pk_prior.h"
#include "pk_sweep.h"

int pk_sweep_draws(const pk_patient *p, const pk_sweep_opts *o, size_t first, size_t nd,
                   double *th, int *from_fit, pk_err *err)
{
    const pk_model *m = p->model;
    size_t np = m->n_param;
    double base[PK_MAX_PARAM];
    pk_patient_prior_theta(p, base);
    if (o->point) {
        pk_patient_theta(p, th); /* the MAP of a fit.ini, else prior medians */
        *from_fit = p->posterior[0] != 0;
        return PK_OK;
    }
    pk_csv post = {0};
    int col[PK_MAX_PARAM];
    *from_fit = 0;
    if (o->posterior[0]) {
        if (pk_csv_read(o->posterior, &post, err))
            return err->code;
        for (size_t j = 0; j < np; j++)
            col[j] = pk_csv_col(&post, m->param[j].name);
        for (size_t c = 0; c < post.n_col; c++)
            if (strcmp(post.name[c], "draw") != 0 && pk_model_param_index(m, post.name[c]) < 0) {
                pk_err_set(err, PK_EINPUT, o->posterior, "column %.60s is not a parameter of "
                           "model %s", post.name[c], m->name);
                pk_csv_free(&post);
                return err->code;
            }
        /* every draw must be a value the model accepts */
        for (size_t r = 0; r < post.n_row; r++)
            for (size_t j = 0; j < np; j++) {
                double v = col[j] >= 0 ? post.v[r * post.n_col + (size_t)col[j]] : 0;
                const pk_param_def *pd = &m->param[j];
                if (col[j] >= 0 && !(v >= pd->lo && v <= pd->hi)) {
                    char where[1200];
                    snprintf(where, sizeof where, "%s: row %zu", o->posterior, r + 1);
                    pk_csv_free(&post);
                    return pk_err_set(err, PK_EINPUT, where, "%s: %g is outside %g-%g",
                                      pd->name, v, pd->lo, pd->hi);
                }
            }
        *from_fit = 1;
    }
    for (size_t i = 0; i < nd; i++) {
        size_t d = first + i;
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(rng, pk_prior_stream_seed(o->seed, 2000000 + d));
        double *t = th + i * np;
        for (size_t j = 0; j < np; j++) {
            const pk_param_setting *s = &p->param[j];
            int has_prior = !s->fixed && s->prior != PK_PRIOR_FIXED && s->spread > 0;
            if (*from_fit && col[j] >= 0) {
                t[j] = post.v[(d % post.n_row) * post.n_col + (size_t)col[j]];
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
    pk_csv_free(&post);
    return PK_OK;
}
