#include "pk_export.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "pk_csv.h"
#include "pk_dosing.h"
#include "pk_hash.h"
#include "pk_out.h"
#include "pk_patient.h"
#include "pk_text.h"

/* The values joined to an observation: PRED, IPRED, RES, and from a
 * population fit IWRES and CWRES. */
enum { V_PRED, V_IPRED, V_RES, V_IWRES, V_CWRES, N_V };

/* One predicted observation from a result directory. */
typedef struct res_row {
    const char *patient, *obs;  /* point into a table or a patient */
    double day;
    double v[N_V];              /* NAN: not given */
    size_t seq;                 /* order read: a later one replaces */
} res_row;

typedef struct res_set {
    res_row *row;
    size_t n, cap;
    pk_csv_text *table;         /* the tables rows point into */
    size_t n_table;
    int popfit;                 /* a population fit's table was read: IWRES and CWRES */
} res_set;

static int add_row(res_set *s, res_row r, pk_err *err)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 256;
        res_row *p = realloc(s->row, cap * sizeof *p);
        if (!p)
            return pk_err_set(err, PK_ENOMEM, "", "out of memory");
        s->row = p;
        s->cap = cap;
    }
    r.seq = s->n;
    s->row[s->n++] = r;
    return PK_OK;
}

/* A new table slot (read into by the caller). */
static pk_csv_text *new_table(res_set *s, pk_err *err)
{
    pk_csv_text *t = realloc(s->table, (s->n_table + 1) * sizeof *t);
    if (!t) {
        pk_err_set(err, PK_ENOMEM, "", "out of memory");
        return NULL;
    }
    s->table = t;
    memset(&t[s->n_table], 0, sizeof *t);
    return &t[s->n_table];
}

static double cell(const pk_csv_text *t, size_t r, int c)
{
    return c < 0 ? NAN : t->v[r * t->n_col + (size_t)c];
}

/* fit_obs.csv (pred_prior_median, ipred_map, residual) or popfit_obs.csv
 * (pred, ipred, iwres, cwres; RES is its IWRES, the deviance residual at
 * the subject's mode, as a fit's is at its MAP) of dir: 1 when absent. */
static int read_obs_table(const char *dir, const char *name, res_set *s, pk_err *err)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (access(path, F_OK) != 0)
        return 1;
    pk_csv_text *t = new_table(s, err);
    if (!t || pk_csv_read_text(path, t, err))
        return err->code;
    s->n_table++;
    int cp = pk_csv_text_col(t, "patient"), cd = pk_csv_text_col(t, "day"),
        co = pk_csv_text_col(t, "observable");
    if (cp < 0 || cd < 0 || co < 0)
        return pk_err_set(err, PK_EINPUT, path, "has no patient, day and observable columns");
    int pop = !strcmp(name, "popfit_obs.csv"), c[N_V];
    c[V_PRED] = pk_csv_text_col(t, pop ? "pred" : "pred_prior_median");
    c[V_IPRED] = pk_csv_text_col(t, pop ? "ipred" : "ipred_map");
    c[V_RES] = pk_csv_text_col(t, pop ? "iwres" : "residual");
    c[V_IWRES] = pop ? c[V_RES] : -1;
    c[V_CWRES] = pop ? pk_csv_text_col(t, "cwres") : -1;
    s->popfit |= pop;
    for (size_t r = 0; r < t->n_row; r++) {
        res_row x = {t->s[r * t->n_col + (size_t)cp], t->s[r * t->n_col + (size_t)co],
                     cell(t, r, cd), {0}, 0};
        for (int k = 0; k < N_V; k++)
            x.v[k] = cell(t, r, c[k]);
        if (!isfinite(x.day)) {
            char where[1300];
            pk_err_where(where, sizeof where, path, (int)r + 2, "day");
            return pk_err_set(err, PK_EINPUT, where, "'%s' is not a number",
                              t->s[r * t->n_col + (size_t)cd]);
        }
        if (add_row(s, x, err))
            return err->code;
    }
    return PK_OK;
}

/* Which of the patients simulation.run.json fingerprints as its input
 * (-1 none). */
static int simulated_patient(const char *dir, const char *const *files, size_t n)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/simulation.run.json", dir);
    json_t *root = json_load_file(path, 0, NULL);
    json_t *inputs = root ? json_object_get(root, "inputs_sha256") : NULL;
    int found = -1;
    for (size_t i = 0; inputs && i < n && found < 0; i++) {
        char hex[PK_SHA256_HEX];
        pk_err e = {0};
        if (pk_sha256_file(files[i], hex, &e))
            continue;
        const char *key;
        json_t *v;
        json_object_foreach(inputs, key, v)
            if (json_is_string(v) && strcmp(json_string_value(v), hex) == 0)
                found = (int)i;
    }
    json_decref(root);
    return found;
}

/* simulation.csv of dir: 1 when absent. */
static int read_simulation(const char *dir, const char *const *files, const pk_patient *p,
                           size_t n, res_set *s, pk_err *err)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/simulation.csv", dir);
    if (access(path, F_OK) != 0)
        return 1;
    int who = simulated_patient(dir, files, n);
    if (who < 0 && n == 1)
        who = 0;
    if (who < 0)
        return pk_err_set(err, PK_EINPUT, path, "which patient's? simulation.run.json "
                          "fingerprints none of the patient files given");
    pk_csv_text *t = new_table(s, err);
    if (!t || pk_csv_read_text(path, t, err))
        return err->code;
    s->n_table++;
    const pk_model *m = p[who].model;
    int cd = pk_csv_text_col(t, "day");
    if (cd < 0)
        return pk_err_set(err, PK_EINPUT, path, "has no day column");
    for (size_t k = 0; k < m->n_obs; k++) {
        int c = pk_csv_text_col(t, m->obs[k].column);
        for (size_t r = 0; c >= 0 && r < t->n_row; r++) {
            res_row x = {p[who].id, m->obs[k].name, cell(t, r, cd), {cell(t, r, c), NAN, NAN, NAN, NAN},
                         0};
            if (isfinite(x.day) && add_row(s, x, err))
                return err->code;
        }
    }
    return PK_OK;
}

static int by_key(const void *a, const void *b)
{
    const res_row *x = a, *y = b;
    int c = strcmp(x->patient, y->patient);
    if (!c)
        c = strcmp(x->obs, y->obs);
    if (!c)
        c = (x->day > y->day) - (x->day < y->day);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* The values (N_V) of one observation: the entries of its patient,
 * observable and day (to the 10 digits fit_obs.csv writes), later ones
 * over earlier ones. */
static void lookup(const res_set *s, const char *id, const char *obs, double day, double v[N_V])
{
    for (int k = 0; k < N_V; k++)
        v[k] = NAN;
    double tol = 1e-9 * fmax(1.0, fabs(day));
    size_t lo = 0, hi = s->n;
    res_row key = {id, obs, day - tol, {0}, 0};
    while (lo < hi) { /* the first entry not before key */
        size_t mid = lo + (hi - lo) / 2;
        if (by_key(&s->row[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    const res_row *best[N_V] = {NULL};
    for (size_t i = lo; i < s->n && !strcmp(s->row[i].patient, id) && !strcmp(s->row[i].obs, obs)
                        && s->row[i].day <= day + tol; i++) {
        const res_row *r = &s->row[i];
        for (int k = 0; k < N_V; k++)
            if (!isnan(r->v[k]) && (!best[k] || r->seq > best[k]->seq)) {
                best[k] = r;
                v[k] = r->v[k];
            }
    }
}

/* DVID numbers: 1 the concentration, then the other observables in the
 * model's order. */
static int dvid_of(const pk_model *m, int obs)
{
    if (obs == m->conc_obs)
        return 1;
    int n = 1;
    for (int k = 0; k <= obs; k++)
        n += k != m->conc_obs && m->obs[k].error != PK_ERRMODEL_NONE;
    return n;
}

static void put_num(FILE *f, double v)
{
    char buf[32];
    fprintf(f, ",%s", isnan(v) ? "." : pk_text_exact(buf, sizeof buf, v));
}

/* One patient's rows, doses before observations at the same time (an
 * oral dose changes nothing measured at its own instant); n_res result
 * columns (0, 3 or N_V). */
static size_t write_patient(FILE *f, const pk_patient *p, long id, const res_set *rs, int n_res,
                            pk_err *err)
{
    pk_dose *d = NULL;
    size_t nd = 0, rows = 0;
    if (pk_dosing_expand(p->regimen, p->n_regimen, &d, &nd, err))
        return 0;
    char wt[32];
    if (isnan(p->weight_kg))
        snprintf(wt, sizeof wt, ".");
    else
        pk_text_exact(wt, sizeof wt, p->weight_kg);
    size_t i = 0, j = 0;
    while (i < nd || j < p->n_obs) {
        int dose = i < nd && (j == p->n_obs || d[i].t_day <= p->obs[j].t_day);
        double t_day = dose ? d[i].t_day : p->obs[j].t_day;
        fprintf(f, "%ld,%.15g", id, t_day * 24.0);
        if (dose) {
            put_num(f, d[i++].amount_mg);
            fprintf(f, ",.,1,1,1,.,.,.,.,%s,%s", wt, p->id);
            for (int k = 0; k < n_res; k++)
                fprintf(f, ",.");
            fputc('\n', f);
        } else {
            const pk_observation *o = &p->obs[j++];
            const pk_obs_def *od = &p->model->obs[o->obs];
            fprintf(f, ",.");
            put_num(f, o->value);
            fprintf(f, ",0,0,%s,%d,%s,%d,.,%s,%s", o->obs == p->model->conc_obs ? "2" : ".",
                    dvid_of(p->model, o->obs), od->name, o->censor < 0 ? 1 : -o->censor, wt,
                    p->id);
            if (n_res) {
                double v[N_V];
                lookup(rs, p->id, od->name, o->t_day, v);
                for (int k = 0; k < n_res; k++)
                    put_num(f, v[k]);
            }
            fputc('\n', f);
        }
        rows++;
    }
    free(d);
    return rows;
}

/* The exported ID: the patients' own ids when all are whole numbers, so
 * that an imported data set comes back with its IDs; else 1, 2, ... in
 * the order given (NONMEM reads numbers only; PATIENT keeps the ids). */
static int numeric_ids(const pk_patient *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        /* as a number writes itself: "007" and "7" would both be ID 7 */
        const char *s = p[i].id;
        char back[32];
        if (strspn(s, "-0123456789") != strlen(s) || strlen(s) > 15 ||
            (snprintf(back, sizeof back, "%ld", strtol(s, NULL, 10)), strcmp(back, s) != 0))
            return 0;
    }
    return 1;
}

static int same_file(const struct stat *a, const char *path)
{
    struct stat b;
    return stat(path, &b) == 0 && a->st_dev == b.st_dev && a->st_ino == b.st_ino;
}

static int write_csv(const char *const *files, const pk_patient *p, size_t n, const res_set *rs,
                     const pk_export_opts *o, size_t *n_rows, pk_err *err)
{
    struct stat st;
    if (stat(o->out, &st) == 0) {
        for (size_t i = 0; i < n; i++)
            if (same_file(&st, files[i]))
                return pk_err_set(err, PK_EINPUT, o->out, "is an input (%s): give another --out",
                                  files[i]);
        for (size_t i = 0; i < o->n_results; i++) {
            const char *names[] = {"fit_obs.csv", "popfit_obs.csv", "simulation.csv"};
            for (size_t k = 0; k < 3; k++) {
                char path[1200];
                snprintf(path, sizeof path, "%s/%s", o->results[i], names[k]);
                if (same_file(&st, path))
                    return pk_err_set(err, PK_EINPUT, o->out, "is an input (%s): give another "
                                      "--out", path);
            }
        }
    }
    const char *slash = strrchr(o->out, '/');
    char dir[1024];
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - o->out) : 1, slash ? o->out : ".");
    if (!dir[0])
        snprintf(dir, sizeof dir, "/");
    const char *name = slash ? slash + 1 : o->out;
    if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
        return pk_err_set(err, PK_EINPUT, o->out, "is not a file name");
    pk_out out;
    if (pk_out_open(&out, dir, name, err))
        return err->code;
    int n_res = o->n_results == 0 ? 0 : rs->popfit ? N_V : 3, ids = numeric_ids(p, n);
    fprintf(out.f, "ID,TIME,AMT,DV,EVID,MDV,CMT,DVID,OBS,CENS,LIMIT,WT,PATIENT%s%s\n",
            n_res ? ",PRED,IPRED,RES" : "", n_res == N_V ? ",IWRES,CWRES" : "");
    *n_rows = 0;
    for (size_t i = 0; i < n && !err->code; i++)
        *n_rows += write_patient(out.f, &p[i], ids ? strtol(p[i].id, NULL, 10) : (long)i + 1, rs,
                                 n_res, err);
    if (err->code) {
        pk_out_abort(&out);
        return err->code;
    }
    return pk_out_commit(&out, err);
}

int pk_export_run(const char *const *files, size_t n, const pk_export_opts *o, size_t *n_rows,
                  pk_err *err)
{
    pk_patient *p = calloc(n ? n : 1, sizeof *p);
    res_set rs = {0};
    int rc = p ? PK_OK : pk_err_set(err, PK_ENOMEM, "", "out of memory");
    size_t loaded = 0;
    for (; rc == PK_OK && loaded < n; loaded++)
        rc = pk_patient_load(files[loaded], &p[loaded], err);
    for (size_t i = 0; rc == PK_OK && i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(p[i].id, p[j].id) == 0) {
                rc = pk_err_set(err, PK_EINPUT, files[i], "patient id %s is %s's too: a data set "
                                "has one subject per id", p[i].id, files[j]);
                break;
            }
    for (size_t i = 0; rc == PK_OK && i < o->n_results; i++) {
        /* in one directory a fit's values win over its simulation's */
        int c = read_simulation(o->results[i], files, p, n, &rs, err);
        int a = c > 1 ? c : read_obs_table(o->results[i], "fit_obs.csv", &rs, err);
        int b = a > 1 ? a : read_obs_table(o->results[i], "popfit_obs.csv", &rs, err);
        if (a > 1 || b > 1 || c > 1)
            rc = err->code;
        else if (a && b && c)
            rc = pk_err_set(err, PK_EINPUT, o->results[i], "--results: no fit_obs.csv, "
                            "popfit_obs.csv or simulation.csv here");
    }
    if (rc == PK_OK) {
        if (rs.n)
            qsort(rs.row, rs.n, sizeof *rs.row, by_key);
        rc = write_csv(files, p, n, &rs, o, n_rows, err);
    }
    for (size_t i = 0; i < loaded && p; i++)
        pk_patient_free(&p[i]);
    free(p);
    for (size_t i = 0; i < rs.n_table; i++)
        pk_csv_text_free(&rs.table[i]);
    free(rs.table);
    free(rs.row);
    return rc;
}
