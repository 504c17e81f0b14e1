/* Maximum likelihood (--no-priors) on R's Theoph data: 12 subjects x 2
 * dosings x 8 seeds, each fit against R nls's estimates
 * (tests/data/theoph/nls_reference.csv, made by
 * scripts/validation/theoph_nls.R), and the guards that keep an
 * unbounded fit from reaching the propagator with rate constants of 0 or
 * inf (the old code: a heap overflow in pk_prop_build, ASan, for every
 * per-kg subject at seed 1 and for mg subjects 9 at seed 4 and 5, 10, 11,
 * 12 at seed 7). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pk_fit.h"
#include "pk_prop.h"
#include "test_util.h"

#define N_SUBJ 12
#define N_SEED 8
#define REL_TOL 1e-4

typedef struct {
    double ka, cl, v, rss; /* ka_per_h, CL_L_per_h, V_L, RSS (mg/L)^2 */
    int converged;
} nls_ref;

static const char *dosings[2] = {"perkg", "mg"};

/* The committed CSV: "#" comment lines, a header, then
 * subject,dosing,ka_per_h,CL_L_per_h,V_L,converged,finTol,RSS,n. */
static void load_refs(nls_ref ref[N_SUBJ][2])
{
    char path[1024], line[512];
    snprintf(path, sizeof path, "%s/tests/data/theoph/nls_reference.csv", PKSIM_SOURCE_DIR);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    memset(ref, 0, sizeof(nls_ref) * N_SUBJ * 2);
    int rows = 0, header = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        if (!header) {
            assert_true(strncmp(line, "subject,dosing,ka_per_h,CL_L_per_h,V_L,converged,", 49) == 0);
            header = 1;
            continue;
        }
        int subj, conv;
        char dosing[16], fintol[32];
        double ka, cl, v, rss;
        if (sscanf(line, "%d,%15[^,],%lf,%lf,%lf,%d,%31[^,],%lf", &subj, dosing, &ka, &cl, &v,
                   &conv, fintol, &rss) != 8)
            fail_msg("%s: bad row: %s", path, line);
        assert_true(subj >= 1 && subj <= N_SUBJ);
        int d = strcmp(dosing, "mg") == 0;
        ref[subj - 1][d] = (nls_ref){ka, cl, v, rss, conv};
        rows++;
    }
    fclose(f);
    assert_int_equal(rows, N_SUBJ * 2);
}

static double rel(double a, double b)
{
    return fabs(a - b) / fabs(b);
}

/* 192 fits: none may crash; every fit that converges (pk_fit_run PK_OK)
 * where nls converged must give nls's estimates to 1e-4 and its RSS.
 * The model has two optima of equal RSS (ka and kel = CL/V exchanged,
 * V -> V kel/ka, CL the same); a fit on the kel > ka branch is mapped to
 * the ka > kel one, which the CSV holds, before comparing. */
static void theoph_matches_nls(void **s)
{
    (void)s;
    nls_ref ref[N_SUBJ][2];
    load_refs(ref);
    int fits = 0, converged = 0, compared = 0, flipped = 0, errors = 0;
    double worst = 0, worst_rss = 0;
    char worst_at[64] = "";
    for (int d = 0; d < 2; d++)
        for (int subj = 1; subj <= N_SUBJ; subj++) {
            char rel_path[256];
            snprintf(rel_path, sizeof rel_path, "tests/data/theoph/theoph_%02d_%s.ini", subj,
                     dosings[d]);
            pk_patient p;
            tu_load_patient(rel_path, &p);
            double w = isfinite(p.weight_kg) ? p.weight_kg : 80.0;
            for (unsigned long seed = 1; seed <= N_SEED; seed++) {
                pk_fit_opts o = tu_ml_opts();
                o.seed = seed;
                pk_fit_problem fp;
                pk_fit_result res = {0};
                pk_err err = {0};
                tu_fit_init(&fp, &p, &o);
                int rc = pk_fit_run(&fp, &res, &err);
                fits++;
                if (rc != PK_OK) {
                    /* a clean error (one line), never a crash */
                    assert_true(rc == PK_ESOLVER || rc == PK_EINPUT);
                    print_message("subject %d %s seed %lu: %s\n", subj, dosings[d], seed, err.msg);
                    errors++;
                } else {
                    converged++;
                    const nls_ref *r = &ref[subj - 1][d];
                    double ka = res.theta[0], cl = res.theta[1], v = res.theta[2];
                    double kel = cl / (v * w / 80.0); /* 1/h */
                    if (ka < kel) {
                        v *= kel / ka;
                        ka = kel;
                        flipped++;
                    }
                    double rss = res.obj * 0.05 * 0.05;
                    if (r->converged) {
                        compared++;
                        double e = fmax(fmax(rel(ka, r->ka), rel(cl, r->cl)), rel(v, r->v));
                        if (e > worst) {
                            worst = e;
                            snprintf(worst_at, sizeof worst_at, "subject %d %s seed %lu", subj,
                                     dosings[d], seed);
                        }
                        worst_rss = fmax(worst_rss, rel(rss, r->rss));
                        if (!(e < REL_TOL))
                            fail_msg("subject %d %s seed %lu: ka %.8g CL %.8g V %.8g, nls %.8g "
                                     "%.8g %.8g", subj, dosings[d], seed, ka, cl, v, r->ka, r->cl,
                                     r->v);
                        assert_true(rel(rss, r->rss) < 1e-8);
                    }
                }
                pk_fit_result_free(&res);
                pk_fit_problem_free(&fp);
            }
            pk_patient_free(&p);
        }
    print_message("%d fits: %d converged (%d on the kel > ka branch), %d clean errors; %d against "
                  "nls: max rel. difference %.2g (%s), RSS %.2g\n",
                  fits, converged, flipped, errors, compared, worst, worst_at, worst_rss);
    assert_int_equal(fits, 2 * N_SUBJ * N_SEED);
    assert_true(compared >= 2 * N_SUBJ * N_SEED * 9 / 10);
}

/* The optimiser's box: the crash cases' fits, with the coupled engine
 * (no propagator at all), give the same estimates. */
static void theoph_coupled_engine(void **s)
{
    (void)s;
    nls_ref ref[N_SUBJ][2];
    load_refs(ref);
    static const struct {
        int subj;
        unsigned long seed;
    } cases[] = {{9, 4}, {5, 7}, {10, 7}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char rel_path[256];
        snprintf(rel_path, sizeof rel_path, "tests/data/theoph/theoph_%02d_mg.ini", cases[c].subj);
        pk_patient p;
        tu_load_patient(rel_path, &p);
        pk_fit_opts o = tu_ml_opts();
        o.seed = cases[c].seed;
        o.coupled = 1;
        o.rtol = 1e-9;
        pk_fit_problem fp;
        pk_fit_result res = {0};
        pk_err err = {0};
        tu_fit_init(&fp, &p, &o);
        assert_int_equal(fp.o.jacobian, PK_JAC_FD); /* no sensitivities in the coupled engine */
        if (pk_fit_run(&fp, &res, &err))
            fail_msg("%s: %s", rel_path, err.msg);
        const nls_ref *r = &ref[cases[c].subj - 1][1];
        double kel = res.theta[1] / (res.theta[2] * p.weight_kg / 80.0);
        assert_true(res.theta[0] > kel);
        print_message("coupled, subject %d seed %lu: ka %.8g CL %.8g V %.8g (nls %.8g %.8g %.8g)\n",
                      cases[c].subj, cases[c].seed, res.theta[0], res.theta[1], res.theta[2],
                      r->ka, r->cl, r->v);
        assert_true(rel(res.theta[0], r->ka) < REL_TOL);
        assert_true(rel(res.theta[1], r->cl) < REL_TOL);
        assert_true(rel(res.theta[2], r->v) < REL_TOL);
        pk_fit_result_free(&res);
        pk_fit_problem_free(&fp);
        pk_patient_free(&p);
    }
}

/* derive refuses parameters outside their admissible ranges (the old
 * fit's ka = 0, CL = inf, V = 2.5e-164 among them) with a one-line
 * PK_EINPUT naming the parameter; pk_prop_build refuses non-finite rate
 * constants and tables beyond PK_PROP_MAX_BYTES instead of sizing them
 * from an infinite node count. */
static void bad_parameters_refused(void **s)
{
    (void)s;
    const pk_model *m = pk_model_find("oral1cpt");
    assert_non_null(m);
    double d[PK_MAX_DERIVED];
    static const double bad[][4] = {{0, 5, 50, 0},      {1, INFINITY, 50, 0}, {1, 5, 2.5e-164, 0},
                                    {NAN, 5, 50, 0},    {1, 5, 50, -1},       {1, 5, 2e5, 0},
                                    {1, 5, 50, INFINITY}};
    static const char *names[] = {"ka_per_h", "CL_L_per_h", "V_L", "ka_per_h", "tlag_h", "V_L",
                                  "tlag_h"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pk_err err = {0};
        assert_int_equal(m->derive(bad[i], NAN, d, &err), PK_EINPUT);
        assert_non_null(strstr(err.msg, names[i]));
        assert_null(strchr(err.msg, '\n'));
    }
    pk_err err = {0};
    static const double good[4] = {1e-4, 1e4, 1e-3, 48};
    assert_int_equal(m->derive(good, NAN, d, &err), PK_OK); /* the range's ends are admissible */

    const pk_model *sf = pk_model_find("sorafenib_flt3");
    pk_patient p;
    tu_load_patient("params/patient2.ini", &p);
    double th[PK_MAX_PARAM];
    pk_patient_prior_theta(&p, th);
    assert_int_equal(sf->derive(th, p.weight_kg, d, &err), PK_OK);
    th[pk_model_param_index(sf, "CL_L_per_h")] = INFINITY;
    assert_int_equal(sf->derive(th, p.weight_kg, d, &err), PK_EINPUT);
    assert_non_null(strstr(err.msg, "CL_L_per_h"));
    pk_patient_free(&p);

    /* derived constants as the unbounded fit made them: ka 0, kel inf */
    pk_prop pr = {0};
    double dd[4] = {0.0, INFINITY, 2.5e-164, 0.0}; /* KA, KEL, VOL, LAG */
    err = (pk_err){0};
    assert_int_equal(pk_prop_build(&pr, m, dd, 1.0, NULL, 0, 1e-8, &err), PK_ESOLVER);
    print_message("ka 0, kel inf: %s\n", err.msg);
    assert_null(pr.phi);
    /* finite, but both rate constants 1e7/day: the coarse step 0.02/1e7
     * day would need 5e8 nodes (108 GB) of a table (oral1cpt's closed
     * form needs none: the table's guard is tested without it) */
    pk_model tab = *m;
    tab.pk_phi = NULL;
    double far[4] = {1e7, 2e7, 1.0, 0.0};
    err = (pk_err){0};
    assert_int_equal(pk_prop_build(&pr, &tab, far, 1.0, NULL, 0, 1e-8, &err), PK_ESOLVER);
    print_message("ka 1e7/day, kel 2e7/day: %s\n", err.msg);
    assert_non_null(strstr(err.msg, "MB limit"));
    assert_null(pr.phi);
    /* and an ordinary PK still builds */
    double ok[4] = {24.0, 2.4, 50.0, 0.0};
    err = (pk_err){0};
    assert_int_equal(pk_prop_build(&pr, &tab, ok, 1.0, NULL, 0, 1e-8, &err), PK_OK);
    assert_non_null(pr.phi);
    pk_prop_clear(&pr);
    /* the closed form at the far rate constants: no table, exact values */
    assert_int_equal(pk_prop_build(&pr, m, far, 1.0, NULL, 0, 1e-8, &err), PK_OK);
    assert_null(pr.phi);
    double y0[3] = {100, 0, 0}, y[3];
    pk_prop_state(&pr, 1e-7, y0, y); /* ka t = 1, kel t = 2 */
    assert_float_equal(y[0], 100 * exp(-1.0), 1e-12);
    assert_float_equal(y[1], 100 * (exp(-1.0) - exp(-2.0)), 1e-9); /* ka/(ka-kel) = -1 */
    pk_prop_clear(&pr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_parameters_refused),
        cmocka_unit_test(theoph_coupled_engine),
        cmocka_unit_test(theoph_matches_nls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
