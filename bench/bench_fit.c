/* Benchmark: the fit's objective for patient 2, per evaluation and over
 * one optimiser start of 10 iterations, for comparison with SciPy's
 * least_squares on the same objective (scripts/bench/fit_scipy.py).
 * Prints the objective at the prior medians and at a test point (the
 * numbers the SciPy peer must reproduce), then median times of: one
 * residual vector, one Jacobian by CVODES sensitivities, one by central
 * differences, and one start of at most 10 iterations from the prior
 * medians (1 thread, no sampling).
 *
 * usage: pksim_bench_fit [PATIENT_FILE] [REPEATS]
 * The test point is Emax_L 1.5, m0 0.4, delta 2, WBC0 20, b0 0.5 when the
 * file estimates those five, in that order (patient 2 does). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "pk_clock.h"
#include "pk_fit.h"
#include "pk_patient.h"
#include "pk_prior.h"
#include "pk_solver.h"
#include "pk_text.h"

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, pk_text_cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double objective(const pk_fit_problem *fp, pk_solver *s, const double *eta, double *r)
{
    pk_err err = {0};
    if (pk_fit_residuals(fp, s, eta, r, NULL, &err)) {
        fprintf(stderr, "pksim_bench_fit: %s\n", err.msg);
        exit(1);
    }
    double sum = 0;
    for (size_t i = 0; i < fp->n_res; i++)
        sum += r[i] * r[i];
    return sum;
}

int main(int argc, char **argv)
{
    const char *file = argc > 1 ? argv[1] : "params/patient2.ini";
    int reps = argc > 2 ? atoi(argv[2]) : 9;
    if (reps < 1)
        reps = 1;
    gsl_set_error_handler_off();
    pk_patient p;
    pk_err err = {0};
    if (pk_patient_load(file, &p, &err)) {
        fprintf(stderr, "pksim_bench_fit: %s: %s\n", err.where, err.msg);
        return 1;
    }
    pk_fit_opts o = pk_fit_default_opts();
    o.threads = 1;
    pk_fit_problem fp;
    if (pk_fit_problem_init(&fp, &p, &o, &err)) {
        fprintf(stderr, "pksim_bench_fit: %s: %s\n", err.where, err.msg);
        return 1;
    }
    pk_solver_opts so = pk_solver_default_opts();
    so.rtol = o.rtol;
    pk_solver *s = pk_solver_new(fp.m, &so, &err);
    size_t n = fp.n_res, pe = fp.n_est;
    double *r = malloc(n * sizeof *r), *J = malloc(n * pe * sizeof *J);
    double *t = malloc((size_t)reps * sizeof *t);

    printf("patient %s, %zu residuals, %zu estimated, solver rtol %g, 1 thread\n", p.id, n, pe,
           o.rtol);
    printf("objective at the prior medians: %.10g\n", objective(&fp, s, fp.eta_med, r));
    static const char *const names[5] = {"Emax_L_per_day", "m0", "delta", "WBC0", "b0"};
    static const double test[5] = {1.5, 0.4, 2, 20, 0.5};
    int same = pe == 5;
    for (size_t j = 0; same && j < 5; j++)
        same = strcmp(fp.m->param[fp.est[j]].name, names[j]) == 0;
    if (same) {
        double eta[5];
        for (size_t j = 0; j < 5; j++)
            eta[j] = pk_prior_to_eta(fp.kind[j], test[j]);
        printf("objective at the test point: %.10g\n", objective(&fp, s, eta, r));
    }

    for (int i = 0; i < reps; i++) {
        double t0 = pk_clock_s();
        objective(&fp, s, fp.eta_med, r);
        t[i] = pk_clock_s() - t0;
    }
    printf("objective evaluation          %10.3f ms\n", 1e3 * median(t, (size_t)reps));
    static const struct {
        const char *what;
        pk_jac_kind kind;
    } jac[2] = {{"Jacobian, CVODES sensitivities", PK_JAC_SENS},
                {"Jacobian, central differences ", PK_JAC_FD}};
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < reps; i++) {
            double t0 = pk_clock_s();
            if (pk_fit_jacobian(&fp, s, fp.eta_med, r, J, jac[k].kind, &err)) {
                fprintf(stderr, "pksim_bench_fit: %s\n", err.msg);
                return 1;
            }
            t[i] = pk_clock_s() - t0;
        }
        printf("%s %10.3f ms\n", jac[k].what, 1e3 * median(t, (size_t)reps));
    }

    /* one start from the prior medians, at most 10 iterations */
    pk_fit_opts o10 = o;
    o10.starts = 1;
    o10.max_iter = 10;
    o10.draws = 0;
    pk_fit_problem fp10;
    if (pk_fit_problem_init(&fp10, &p, &o10, &err))
        return 1;
    double obj10 = 0;
    int iter10 = 0;
    long sims10 = 0;
    for (int i = 0; i < reps; i++) {
        pk_fit_result res;
        double t0 = pk_clock_s();
        if (pk_fit_run(&fp10, &res, &err)) {
            fprintf(stderr, "pksim_bench_fit: %s\n", err.msg);
            return 1;
        }
        t[i] = pk_clock_s() - t0;
        obj10 = res.obj;
        iter10 = res.start_iter[0];
        sims10 = res.n_sims;
        pk_fit_result_free(&res);
    }
    printf("one start, 10 iterations      %10.3f ms (%d iterations, %ld solver runs, "
           "objective %.6g)\n", 1e3 * median(t, (size_t)reps), iter10, sims10, obj10);
    pk_fit_problem_free(&fp10);
    free(r);
    free(J);
    free(t);
    pk_solver_free(s);
    pk_fit_problem_free(&fp);
    pk_patient_free(&p);
    return 0;
}
