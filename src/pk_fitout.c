#include "pk_fitout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "pk_lik.h"
#include "pk_solver.h"
#include "pk_hash.h"
#include "pk_out.h"
#include "pk_prior.h"

static const char *prior_label(pk_prior_kind k)
{
    switch (k) {
    case PK_PRIOR_LOGNORMAL:
        return "log";
    case PK_PRIOR_LOGITNORMAL:
        return "logit";
    case PK_PRIOR_LOG10NORMAL:
        return "log10";
    default:
        return "fixed";
    }
}

/* d theta / d eta, for the delta-method RSE. */
static double dtheta_deta(pk_prior_kind k, double theta)
{
    switch (k) {
    case PK_PRIOR_LOGNORMAL:
        return theta;
    case PK_PRIOR_LOGITNORMAL:
        return theta * (1 - theta);
    case PK_PRIOR_LOG10NORMAL:
        return theta * log(10.0);
    default:
        return 1;
    }
}

/* The 90% interval of what would be observed at prediction mu under the
 * observable's error model (residual error only, at the MAP; the SDs
 * times err_scale, as the intervals and the draws use them). */
static void residual_interval(const pk_obs_def *od, const pk_observation *o, double mu,
                              double err_scale, double *lo, double *hi)
{
    const double z = 1.6448536; /* the normal's 95% point */
    double sd;
    *lo = *hi = NAN;
    switch (od->error) {
    case PK_ERRMODEL_LOGNORMAL:
        *lo = mu * exp(-z * od->a);
        *hi = mu * exp(z * od->a);
        break;
    case PK_ERRMODEL_BINOMIAL: {
        int n = pk_lik_cells(od, o);
        double p = fmin(fmax(mu / 100, 0), 1);
        int k = 0;
        while (k < n && gsl_cdf_binomial_P((unsigned)k, p, (unsigned)n) < 0.05)
            k++;
        *lo = 100.0 * k / n;
        while (k < n && gsl_cdf_binomial_P((unsigned)k, p, (unsigned)n) < 0.95)
            k++;
        *hi = 100.0 * k / n;
        break;
    }
    case PK_ERRMODEL_PROP_ADD:
        sd = sqrt(od->a * od->a + od->b * od->b * mu * mu);
        *lo = fmax(mu - z * sd, 0);
        *hi = mu + z * sd;
        break;
    case PK_ERRMODEL_ADDITIVE:
        sd = od->a * err_scale;
        *lo = mu - z * sd;
        *hi = mu + z * sd;
        break;
    default:
        break;
    }
}

/* A number for R or Python: NA when there is none. */
static void csv_num(FILE *f, const char *fmt, double v)
{
    if (isfinite(v))
        fprintf(f, fmt, v);
    else
        fputs(",NA", f);
}

/* fit_obs.csv: one row per observation, for R or Python.  pi05/pi95: the
 * 90% prediction interval of the bands (draws and residual error, at the
 * observation's own cell count); re05_map/re95_map: residual error alone
 * around IPRED. */
static void write_obs_table(FILE *f, const pk_fit_problem *fp, const pk_fit_result *res,
                            const double *pred0, const pk_fit_bands *b)
{
    const pk_model *m = fp->m;
    const pk_patient *p = fp->p;
    fprintf(f, "patient,day,observable,dv,censoring,check,n_cells,pred_prior_median,ipred_map,"
               "residual,pi05,pi95,re05_map,re95_map\n");
    for (size_t i = 0; i < p->n_obs; i++) {
        const pk_observation *o = &p->obs[i];
        const pk_obs_def *od = &m->obs[o->obs];
        double r[2] = {0, 0}, lo, hi, mu = res->pred[i];
        pk_lik_residuals(od, o, mu, r);
        residual_interval(od, o, mu, res->err_scale, &lo, &hi);
        fprintf(f, "%s,%.10g,%s,%.10g,%s,%d,%d", p->id, o->t_day, od->name, o->value,
                o->censor < 0 ? "left" : o->censor > 0 ? "right" : "none", o->check,
                od->error == PK_ERRMODEL_BINOMIAL ? pk_lik_cells(od, o) : 0);
        csv_num(f, ",%.8g", pred0 ? pred0[i] : NAN);
        fprintf(f, ",%.8g,%.6g", mu, r[0]);
        csv_num(f, ",%.8g", b->obs_pi && b->n_sim ? b->obs_pi[i * 2] : NAN);
        csv_num(f, ",%.8g", b->obs_pi && b->n_sim ? b->obs_pi[i * 2 + 1] : NAN);
        csv_num(f, ",%.8g", lo);
        csv_num(f, ",%.8g", hi);
        fputc('\n', f);
    }
}

/* fit_params.csv: one row per estimated parameter. */
static void write_param_table(FILE *f, const pk_fit_problem *fp, const pk_fit_result *res)
{
    const pk_model *m = fp->m;
    size_t np = fp->n_est;
    fprintf(f, "parameter,unit,estimate,lo95,hi95,rse_pct,prior_median,prior_scale,prior_sd,"
               "shrinkage,information_fraction,source\n");
    for (size_t j = 0; j < np; j++) {
        const pk_param_def *d = &m->param[fp->est[j]];
        double sd = sqrt(fmax(res->cov[j * np + j], 0));
        double est = pk_prior_from_eta(fp->kind[j], res->eta[j]);
        double lo = pk_prior_from_eta(fp->kind[j], res->eta[j] - 1.959964 * sd);
        double hi = pk_prior_from_eta(fp->kind[j], res->eta[j] + 1.959964 * sd);
        double rse = 100 * fabs(dtheta_deta(fp->kind[j], est)) * sd / fabs(est);
        /* NONMEM's direction: 1 when the data did not move the prior */
        double shrink = fp->o.use_priors ? sd / fp->eta_sd[j] : NAN;
        fprintf(f, "%s,%s,%.8g,%.8g,%.8g,%.4g,%.8g,%s,%.4g,%.4f,%.4f,\"%s\"\n", d->name, d->unit,
                est, lo, hi, rse, pk_prior_from_eta(fp->kind[j], fp->eta_med[j]),
                prior_label(fp->kind[j]), fp->eta_sd[j], shrink, 1 - shrink, d->source);
    }
}

static void observation_rows(FILE *f, const pk_fit_problem *fp, const pk_fit_result *res)
{
    const pk_model *m = fp->m;
    const pk_patient *p = fp->p;
    fprintf(f, "%6s  %-13s %12s %12s %9s  %s\n", "day", "observable", "observed", "predicted",
            "residual", "note");
    for (size_t i = 0; i < p->n_obs; i++) {
        const pk_observation *o = &p->obs[i];
        const pk_obs_def *od = &m->obs[o->obs];
        double mu = res->pred[i];
        char val[48], note[160] = "";
        snprintf(val, sizeof val, "%s%g", o->censor < 0 ? "<" : o->censor > 0 ? ">" : "", o->value);
        double r[2] = {0, 0};
        pk_lik_residuals(od, o, mu, r);
        if (o->censor)
            snprintf(note, sizeof note, "P(%s) = %.3f", val, pk_lik_prob(od, o, mu));
        else if (od->error == PK_ERRMODEL_BINOMIAL) {
            double lo, hi;
            int n = pk_lik_cells(od, o);
            pk_lik_binom_range(n, mu, &lo, &hi);
            snprintf(note, sizeof note, "n=%d; 95%% range %g-%g%%", n, lo, hi);
        } else if (od->error == PK_ERRMODEL_LOGNORMAL)
            snprintf(note, sizeof note, "pred/obs %.3f", mu / o->value);
        if (o->check)
            snprintf(note + strlen(note), sizeof note - strlen(note), "%scheck, not fitted",
                     note[0] ? "; " : "");
        fprintf(f, "%6g  %-13s %12s %12.4g %9.3f  %s\n", o->t_day, od->name, val, mu, r[0], note);
    }
}

/* The model's weak points, bullet by bullet ("- " starts one, indented
 * lines continue it); a bullet about one patient ("- Patient 5's ...")
 * only in that patient's summary (id "patient5"). */
static void weak_points(FILE *f, const char *text, const char *id)
{
    int show = 1;
    for (const char *s = text; *s;) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s + 1) : strlen(s);
        int n;
        if (strncmp(s, "- Patient ", 10) == 0 && sscanf(s + 10, "%d", &n) == 1) {
            char own[32];
            snprintf(own, sizeof own, "patient%d", n);
            show = strcmp(id, own) == 0;
        } else if (s[0] == '-') {
            show = 1;
        }
        if (show)
            fwrite(s, 1, len, f);
        s += len;
    }
}

/* The summary's head: what was fitted, the objective, the starts and the
 * error SDs maximum likelihood profiled. */
static void summary_head(FILE *f, const pk_fit_problem *fp, const pk_fit_result *res)
{
    const pk_model *m = fp->m;
    const pk_patient *p = fp->p;
    fprintf(f, "pksim fit: %s (model %s) from %s\n", p->id, m->name, p->path);
    if (fp->o.use_priors)
        fprintf(f, "objective %s: %.4f = observations %.4f + priors %.4f\n", res->obj_name,
                res->obj, res->obj_obs, res->obj_prior);
    else if (res->sd_scale > 0)
        fprintf(f, "objective %s: %.4f at the profiled error SD (maximum likelihood; sum of "
                   "squares / model SD^2 %.4f)\n", res->obj_name, res->m2ll_profiled, res->obj);
    else
        fprintf(f, "objective %s: %.4f up to a constant, at the model's error SDs (maximum "
                   "likelihood)\n", res->obj_name, res->obj);
    int it_min = res->start_iter[0], it_max = res->start_iter[0];
    for (int k = 1; k < res->n_starts; k++) {
        it_min = res->start_iter[k] < it_min ? res->start_iter[k] : it_min;
        it_max = res->start_iter[k] > it_max ? res->start_iter[k] : it_max;
    }
    fprintf(f, "starts: %d (seed %lu), %d reached the best within 0.01, %d failed; "
               "%d-%d iterations each\n",
            res->n_starts, fp->o.seed, res->n_reached, res->n_failed, it_min, it_max);
    if (res->sd_scale > 0) {
        fprintf(f, "error SD profiled out (maximum likelihood):");
        for (size_t i = 0; i < m->n_obs; i++)
            if (m->obs[i].error == PK_ERRMODEL_ADDITIVE)
                fprintf(f, " %s SD %.6g %s (ML estimate; intervals and posterior draws use "
                           "%.6g = sqrt(RSS/(n - p)); model constant %g)", m->obs[i].name,
                        m->obs[i].a * res->sd_scale, m->obs[i].unit, m->obs[i].a * res->err_scale,
                        m->obs[i].a);
        fprintf(f, "\n");
    }
    if (!res->cov_ok)
        fprintf(f, "warning: J^T J is singular at the optimum: intervals use its pseudo-inverse\n");
}

/* The parameter table: prior, estimate, 95% interval, RSE, information. */
static void summary_params(FILE *f, const pk_fit_problem *fp, const pk_fit_result *res)
{
    const pk_model *m = fp->m;
    size_t np = fp->n_est;
    fprintf(f, "\n%-16s %-10s %11s %11s %11s %23s %7s %9s\n", "parameter", "unit", "prior",
            "prior sd", "estimate", "95% interval", "RSE%", "info");
    for (size_t j = 0; j < np; j++) {
        const pk_param_def *d = &m->param[fp->est[j]];
        double med = pk_prior_from_eta(fp->kind[j], fp->eta_med[j]);
        double sd = sqrt(fmax(res->cov[j * np + j], 0));
        double est = pk_prior_from_eta(fp->kind[j], res->eta[j]);
        double lo = pk_prior_from_eta(fp->kind[j], res->eta[j] - 1.959964 * sd);
        double hi = pk_prior_from_eta(fp->kind[j], res->eta[j] + 1.959964 * sd);
        double rse = 100 * fabs(dtheta_deta(fp->kind[j], est)) * sd / fabs(est);
        char sdl[32], iv[48];
        snprintf(sdl, sizeof sdl, "%s %.3g", prior_label(fp->kind[j]), fp->eta_sd[j]);
        snprintf(iv, sizeof iv, "%.4g - %.4g", lo, hi);
        char shr[16] = "-";
        if (fp->o.use_priors)
            snprintf(shr, sizeof shr, "%.2f", 1 - sd / fp->eta_sd[j]);
        fprintf(f, "%-16s %-10s %11.4g %11s %11.4g %23s %7.1f %9s\n", d->name, d->unit, med, sdl,
                est, iv, rse, shr);
    }
    fprintf(f, "(prior sd on the estimation scale: log, logit or log10; estimates and 95%% "
               "intervals in the parameter's unit, the intervals symmetric on the estimation "
               "scale; info = 1 - posterior sd / prior sd: 0 when the data did not inform it; "
               "fit_params.csv also gives shrinkage in NONMEM's direction, 1 - info)\n");
}

/* The correlation matrix of the estimates (estimation scale). */
static void summary_correlation(FILE *f, const pk_fit_problem *fp, const pk_fit_result *res)
{
    const pk_model *m = fp->m;
    size_t np = fp->n_est;
    if (np > 1) {
        fprintf(f, "\ncorrelation (estimation scale)\n%-16s", "");
        for (size_t j = 0; j < np; j++)
            fprintf(f, " %8.8s", m->param[fp->est[j]].name);
        fputc('\n', f);
        for (size_t i = 0; i < np; i++) {
            fprintf(f, "%-16s", m->param[fp->est[i]].name);
            for (size_t j = 0; j < np; j++) {
                double den = sqrt(res->cov[i * np + i] * res->cov[j * np + j]);
                fprintf(f, " %8.3f", den > 0 ? res->cov[i * np + j] / den : 0.0);
            }
            fputc('\n', f);
        }
    }
}

void pk_fitout_summary(FILE *f, const pk_fit_problem *fp, const pk_fit_result *res)
{
    const pk_model *m = fp->m;
    const pk_patient *p = fp->p;
    summary_head(f, fp, res);
    summary_params(f, fp, res);
    summary_correlation(f, fp, res);
    fprintf(f, "\nobservations\n");
    observation_rows(f, fp, res);
    fprintf(f, "\nposterior: %zu draws by sampling-importance-resampling from %d proposals "
               "(multivariate t, 5 df, around the MAP, solved at rtol %.0e); effective sample "
               "size %.1f%s\n",
            res->n_draws, fp->o.proposals, fp->o.sir_rtol, res->ess,
            res->sd_scale > 0 ? ", weights at the profiled error SD" : "");
    if (m->weak_points) {
        fprintf(f, "\nknown weak points of the model (docs/model.md):\n");
        weak_points(f, m->weak_points, p->id);
    }
}

static int write_posterior(FILE *f, const pk_fit_problem *fp, const pk_fit_result *res)
{
    fprintf(f, "draw");
    for (size_t j = 0; j < fp->n_est; j++)
        fprintf(f, ",%s", fp->m->param[fp->est[j]].name);
    fputc('\n', f);
    for (size_t i = 0; i < res->n_draws; i++) {
        fprintf(f, "%zu", i + 1);
        for (size_t j = 0; j < fp->n_est; j++)
            fprintf(f, ",%.10g", pk_prior_from_eta(fp->kind[j], res->draws[i * fp->n_est + j]));
        fputc('\n', f);
    }
    return 0;
}

/* fit.csv: per output its MAP and the estimated parameters' 5/50/95%
 * band (the columns of old), then the new columns after all of them: the
 * band over every uncertain parameter (_all_p05, _all_p50, _all_p95;
 * not with --band estimated) and the 90% prediction interval of an
 * observation (_pi05, _pi95; observed outputs only). */
static int write_bands(FILE *f, const pk_fit_problem *fp, const pk_fit_bands *b)
{
    const pk_model *m = fp->m;
    size_t nc = b->n_col;
    /* without posterior draws there are no bands: MAP columns only */
    int bands = b->n_used > 0, all = bands && b->q_all, pi[PK_MAX_OBS];
    for (size_t c = 0; c < nc; c++) {
        pi[c] = bands && b->pi;
        for (size_t i = 0; i < b->n_time && pi[c]; i++)
            pi[c] = isfinite(b->pi[(i * nc + c) * 2]) && isfinite(b->pi[(i * nc + c) * 2 + 1]);
    }
    fprintf(f, "day,dose_mg_per_day");
    for (size_t c = 0; c < nc; c++) {
        const char *name = m->obs[b->col[c]].column;
        fprintf(f, ",%s", name);
        if (bands)
            fprintf(f, ",%s_p05,%s_p50,%s_p95", name, name, name);
    }
    for (size_t c = 0; c < nc; c++) {
        const char *name = m->obs[b->col[c]].column;
        if (all)
            fprintf(f, ",%s_all_p05,%s_all_p50,%s_all_p95", name, name, name);
        if (pi[c])
            fprintf(f, ",%s_pi05,%s_pi95", name, name);
    }
    fputc('\n', f);
    for (size_t i = 0; i < b->n_time; i++) {
        fprintf(f, "%.10g,%.10g", b->t[i], b->dose[i]);
        for (size_t c = 0; c < nc; c++) {
            const double *q = b->q + (i * nc + c) * 3;
            fprintf(f, ",%.8g", b->map[i * nc + c]);
            if (bands)
                fprintf(f, ",%.8g,%.8g,%.8g", q[0], q[1], q[2]);
        }
        for (size_t c = 0; c < nc; c++) {
            if (all) {
                const double *q = b->q_all + (i * nc + c) * 3;
                fprintf(f, ",%.8g,%.8g,%.8g", q[0], q[1], q[2]);
            }
            if (pi[c])
                fprintf(f, ",%.8g,%.8g", b->pi[(i * nc + c) * 2], b->pi[(i * nc + c) * 2 + 1]);
        }
        fputc('\n', f);
    }
    return 0;
}

/* The input file without any previous [estimate], then the new one with
 * the fingerprint a sweep checks its posterior.csv against. */
static int write_fit_ini(FILE *f, const pk_fit_problem *fp, const pk_fit_result *res,
                         const char *post_sha, pk_err *err)
{
    char src_sha[PK_SHA256_HEX];
    if (pk_sha256_file(fp->p->path, src_sha, err))
        return err->code;
    FILE *in = fopen(fp->p->path, "r");
    if (!in)
        return pk_err_set(err, PK_EIO, fp->p->path, "cannot re-read the input");
    char *line = NULL;
    size_t cap = 0;
    int skipping = 0;
    while (getline(&line, &cap, in) >= 0) {
        const char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '[')
            skipping = strncmp(s, "[estimate]", 10) == 0;
        if (!skipping)
            fputs(line, f);
    }
    free(line);
    fclose(in);
    fprintf(f, "\n[estimate]\n# written by pksim fit: MAP values (simulate uses them; a refit "
               "starts from the priors above)\n");
    for (size_t j = 0; j < fp->n_est; j++)
        fprintf(f, "%s = %.10g\n", fp->m->param[fp->est[j]].name,
                pk_prior_from_eta(fp->kind[j], res->eta[j]));
    fprintf(f, "posterior = posterior.csv\nposterior_sha256 = %s\nposterior_draws = %zu\n"
               "posterior_params = ", post_sha, res->n_draws);
    for (size_t j = 0; j < fp->n_est; j++)
        fprintf(f, "%s%s", j ? "," : "", fp->m->param[fp->est[j]].name);
    fprintf(f, "\nsource = %s\nsource_sha256 = %s\n", fp->p->path, src_sha);
    return 0;
}

int pk_fitout_write(const char *dir, const pk_fit_problem *fp, const pk_fit_result *res,
                    const pk_fit_bands *b, pk_err *err)
{
    static const char *const names[6] = {"posterior.csv", "fit.csv",        "fit_summary.txt",
                                         "fit.ini",       "fit_obs.csv",    "fit_params.csv"};
    pk_out out[6];
    memset(out, 0, sizeof out);
    int rc = PK_OK;
    /* PRED: every observation at the prior medians */
    double *pred0 = malloc((fp->p->n_obs ? fp->p->n_obs : 1) * sizeof *pred0);
    double *r0 = malloc((fp->n_res ? fp->n_res : 1) * sizeof *r0);
    pk_solver_opts so = pk_solver_default_opts();
    pk_err e0 = {0};
    pk_solver *s0 = pred0 && r0 ? pk_solver_new(fp->m, &so, &e0) : NULL;
    int have0 = s0 && pk_fit_residuals(fp, s0, fp->eta_med, r0, pred0, &e0) == PK_OK;
    pk_solver_free(s0);
    free(r0);
    char post_sha[PK_SHA256_HEX] = "";
    for (int i = 0; i < 6 && rc == PK_OK; i++) {
        if ((rc = pk_out_open(&out[i], dir, names[i], err)))
            break;
        switch (i) {
        case 0: { /* in memory first: its fingerprint goes into fit.ini */
            char *buf = NULL;
            size_t len = 0;
            FILE *mf = open_memstream(&buf, &len);
            if (!mf) {
                rc = pk_err_set(err, PK_ENOMEM, "", "out of memory");
                break;
            }
            write_posterior(mf, fp, res);
            fclose(mf);
            pk_sha256_hex(buf, len, post_sha);
            fwrite(buf, 1, len, out[i].f);
            free(buf);
            break;
        }
        case 1:
            write_bands(out[i].f, fp, b);
            break;
        case 2:
            pk_fitout_summary(out[i].f, fp, res);
            break;
        case 3:
            rc = write_fit_ini(out[i].f, fp, res, post_sha, err);
            break;
        case 4:
            write_obs_table(out[i].f, fp, res, have0 ? pred0 : NULL, b);
            break;
        default:
            write_param_table(out[i].f, fp, res);
            break;
        }
    }
    free(pred0);
    /* all written: finish every file, then rename each into place */
    if (rc == PK_OK)
        rc = pk_out_commit_all(out, 6, err);
    for (int i = 0; i < 6; i++)
        pk_out_abort(&out[i]);
    return rc;
}
