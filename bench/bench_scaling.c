/* Benchmark: thread scaling of many simulations.  Patient 2, 221 days of
 * 400 mg bid, each simulation at its own parameter draw from the priors
 * (as a sweep without a fit makes them), on a 0.25-day grid; N = 1, 10,
 * 100, 1000 simulations on 1 and 2 threads, one solver per thread, each
 * draw's propagator built for it.  Prints wall times and simulations per
 * second.
 *
 * usage: pksim_bench_scaling [PATIENT_FILE] [MAX_N] */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <omp.h>

#include "pk_clock.h"
#include "pk_patient.h"
#include "pk_solver.h"
#include "pk_sweep.h"

int main(int argc, char **argv)
{
    const char *file = argc > 1 ? argv[1] : "params/patient2.ini";
    long max_n = argc > 2 ? atol(argv[2]) : 1000;
    gsl_set_error_handler_off();
    pk_patient p;
    pk_err err = {0};
    if (pk_patient_load(file, &p, &err)) {
        fprintf(stderr, "pksim_bench_scaling: %s: %s\n", err.where, err.msg);
        return 1;
    }
    const pk_model *m = p.model;
    pk_sweep_opts so = pk_sweep_default_opts();
    double *th = malloc((size_t)max_n * m->n_param * sizeof *th);
    pk_sweep_posterior none = {0}; /* a patient file: every draw from the priors */
    pk_sweep_draws(&p, &so, &none, 0, (size_t)max_n, th);
    pk_regimen reg = {0, 220, 400, 400, 0, 0, 0};
    pk_dose *doses;
    size_t nd;
    if (pk_dosing_expand(&reg, 1, &doses, &nd, &err))
        return 1;
    size_t nt = 885;
    double *t = malloc(nt * sizeof *t);
    for (size_t i = 0; i < nt; i++)
        t[i] = 0.25 * (double)i;
    printf("%-6s %8s %12s %12s\n", "sims", "threads", "wall_s", "sims_per_s");
    for (long n = 1; n <= max_n; n *= 10)
        for (int thr = 1; thr <= 2; thr++) {
            long fails = 0;
            double t0 = pk_clock_s();
#pragma omp parallel num_threads(thr) reduction(+ : fails)
            {
                pk_err e = {0};
                pk_solver *s = pk_solver_new(m, NULL, &e);
                double *x = malloc(nt * m->n_state * sizeof *x);
#pragma omp for schedule(dynamic, 1)
                for (long k = 0; k < n; k++)
                    if (!s || !x ||
                        pk_solver_run(s, th + k * m->n_param, p.weight_kg, doses, nd, t, nt, x,
                                      &e) != PK_OK) {
                        fails++;
                        if (getenv("PKSIM_BENCH_VERBOSE")) {
                            fprintf(stderr, "draw %ld: %s\n", k, e.msg);
                            for (size_t j = 0; j < m->n_param; j++)
                                fprintf(stderr, "  %s = %.6g\n", m->param[j].name,
                                        th[k * m->n_param + j]);
                        }
                    }
                free(x);
                pk_solver_free(s);
            }
            double w = pk_clock_s() - t0;
            printf("%-6ld %8d %12.4f %12.1f", n, thr, w, n / w);
            if (fails)
                printf("  (%ld solver failures)", fails);
            printf("\n");
        }
    free(t);
    free(th);
    free(doses);
    pk_patient_free(&p);
    return 0;
}
