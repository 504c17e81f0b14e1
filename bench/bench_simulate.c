/* Benchmark: one 221-day, 400 mg bid simulation of patient 2 at prior
 * medians (21 states + elimination counter, 442 doses), timed in process
 * over many repetitions.  Reports the median time, CVODE step and
 * right-hand-side counts, and the error against the coupled engine at
 * rtol 1e-10 by the project's metric (0.25-day grid; conc, wbc,
 * blast_pb_pct, blast_bm_pct, LT).
 *
 * usage: pksim_bench [PATIENT_FILE] [REPEATS] */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sundials/sundials_version.h>

#include "pk_clock.h"
#include "pk_patient.h"
#include "pk_solver.h"

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct {
    const pk_patient *p;
    const double *theta;
    const pk_dose *d;
    size_t nd;
    const double *t;
    size_t nt;
} job;

static const char *const outputs[] = {"conc", "wbc", "blast_pb_pct", "blast_bm_pct", "LT"};

static double error_vs(const job *j, const double *x, const double *ref)
{
    const pk_model *m = j->p->model;
    double d[PK_MAX_DERIVED], oa[PK_MAX_OBS], ob[PK_MAX_OBS], worst = 0;
    pk_err err = {0};
    m->derive(j->theta, j->p->weight_kg, d, &err);
    for (size_t i = 0; i < j->nt; i++) {
        m->observe(x + i * m->n_state, d, oa);
        m->observe(ref + i * m->n_state, d, ob);
        for (size_t k = 0; k < sizeof outputs / sizeof *outputs; k++) {
            int o = pk_model_obs_index(m, outputs[k]);
            if (fabs(ob[o]) >= 1e-6)
                worst = fmax(worst, fabs(oa[o] - ob[o]) / fabs(ob[o]));
        }
    }
    return worst;
}

/* Times `reps` runs.  fresh = a new solver per run (the propagator is
 * built every time: PK and PD together); otherwise one solver whose
 * propagator is reused (a fit that does not estimate PK parameters). */
static void bench(const char *label, const job *j, pk_solver_opts o, int fresh, int reps,
                  const double *ref, double *x)
{
    double *ms = malloc(reps * sizeof *ms);
    pk_err err = {0};
    pk_solver *s = fresh ? NULL : pk_solver_new(j->p->model, &o, &err);
    pk_solver_stats st = {0};
    for (int r = 0; r < reps; r++) {
        double t0 = (1e3 * pk_clock_s());
        if (fresh)
            s = pk_solver_new(j->p->model, &o, &err);
        if (!s || pk_solver_run(s, j->theta, j->p->weight_kg, j->d, j->nd, j->t, j->nt, x, &err)) {
            fprintf(stderr, "bench: %s\n", err.msg);
            exit(1);
        }
        if (fresh) {
            st = pk_solver_get_stats(s);
            pk_solver_free(s);
            s = NULL;
        }
        ms[r] = (1e3 * pk_clock_s()) - t0;
    }
    if (!fresh) {
        st = pk_solver_get_stats(s);
        st.steps /= reps;
        st.rhs_evals /= reps;
        pk_solver_free(s);
    }
    qsort(ms, reps, sizeof *ms, cmp);
    double err_rel = ref ? error_vs(j, x, ref) : 0;
    printf("%-34s %9.3f %9.3f %8ld %9ld %9ld %10.2e\n", label, ms[reps / 2], ms[0], st.steps,
           st.rhs_evals, st.prop_steps, err_rel);
    free(ms);
}

int main(int argc, char **argv)
{
    const char *file = argc > 1 ? argv[1] : "params/patient2.ini";
    int reps = argc > 2 ? atoi(argv[2]) : 50;
    if (reps < 1)
        reps = 1;
    pk_patient p;
    pk_err err = {0};
    if (pk_patient_load(file, &p, &err)) {
        fprintf(stderr, "bench: %s: %s\n", err.where, err.msg);
        return 2;
    }
    pk_regimen reg = {0, 220, 400, 400, 0, 0, 0};
    pk_dose *d;
    size_t nd;
    pk_dosing_expand(&reg, 1, &d, &nd, &err);
    size_t nt = 221 * 4 + 1;
    double *t = malloc(nt * sizeof *t);
    for (size_t i = 0; i < nt; i++)
        t[i] = i * 0.25;
    double theta[PK_MAX_PARAM];
    pk_patient_theta(&p, theta);
    job j = {&p, theta, d, nd, t, nt};
    size_t ns = p.model->n_state;
    double *ref = malloc(nt * ns * sizeof *ref), *x = malloc(nt * ns * sizeof *x);

    char ver[64];
    SUNDIALSGetVersion(ver, sizeof ver);
    printf("patient %s, %zu doses, %zu output times, SUNDIALS %s, %d repetitions\n", p.id, nd, nt,
           ver, reps);
    printf("%-34s %9s %9s %8s %9s %9s %10s\n", "engine", "median_ms", "min_ms", "steps", "rhs_evals",
           "pk_steps", "max_rel_err");
    pk_solver_opts o = pk_solver_default_opts();
    o.coupled = 1;
    o.method = PK_BDF;
    o.rtol = 1e-10;
    bench("coupled BDF rtol 1e-10 (reference)", &j, o, 1, reps < 5 ? reps : 5, NULL, ref);
    o.rtol = 1e-8;
    bench("coupled BDF rtol 1e-8", &j, o, 1, reps, ref, x);
    o.method = PK_ADAMS;
    bench("coupled Adams rtol 1e-8", &j, o, 1, reps, ref, x);
    o = pk_solver_default_opts();
    char label[64];
    snprintf(label, sizeof label, "split rtol %.0e (default), built", o.rtol);
    bench(label, &j, o, 1, reps, ref, x);
    snprintf(label, sizeof label, "split rtol %.0e, propagator reused", o.rtol);
    bench(label, &j, o, 0, reps, ref, x);
    static const double other[] = {1e-6, 1e-7, 1e-8};
    for (size_t k = 0; k < sizeof other / sizeof *other; k++) {
        o.rtol = other[k];
        snprintf(label, sizeof label, "split rtol %.0e, built", o.rtol);
        bench(label, &j, o, 1, reps, ref, x);
    }
    /* without the model's PD integration aids (exposure shift, loosened
     * weights): what they bring */
    static const double plain[] = {1e-6, 3e-7, 1e-7};
    for (size_t k = 0; k < sizeof plain / sizeof *plain; k++) {
        o = pk_solver_default_opts();
        o.rtol = plain[k];
        o.plain_pd = 1;
        snprintf(label, sizeof label, "split rtol %.0e, no PD aids, built", o.rtol);
        bench(label, &j, o, 1, reps, ref, x);
    }
    o = pk_solver_default_opts();
    o.method = PK_BDF;
    snprintf(label, sizeof label, "split rtol %.0e, PD by BDF, built", o.rtol);
    bench(label, &j, o, 1, reps, ref, x);
    free(ref);
    free(x);
    free(t);
    free(d);
    pk_patient_free(&p);
    return 0;
}
