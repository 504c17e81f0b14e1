/* Fuzz harness: a fit.ini and its posterior.csv as sweep reads them.  The
 * input holds both, split at the first line "%%"; the draws are then
 * made as a sweep makes them. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "pk_sweep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t cut = size, rest = size;
    for (size_t i = 0; i + 3 <= size; i++)
        if (memcmp(data + i, "%%\n", 3) == 0 && (i == 0 || data[i - 1] == '\n')) {
            cut = i;
            rest = i + 3;
            break;
        }
    char ini[64], csv[64];
    int fd_ini = fuzz_file(data, cut, ini, sizeof ini);
    int fd_csv = fuzz_file(data + rest, size - rest, csv, sizeof csv);
    pk_patient p;
    pk_err err = {0};
    if (fd_ini >= 0 && fd_csv >= 0 && pk_patient_load(ini, &p, &err) == PK_OK) {
        pk_sweep_opts o = pk_sweep_default_opts();
        if (p.posterior[0])
            snprintf(o.posterior, sizeof o.posterior, "%s", csv);
        enum { N_DRAWS = 3 };
        double *theta = malloc(N_DRAWS * PK_MAX_PARAM * sizeof *theta);
        pk_err e2 = {0};
        pk_sweep_posterior post;
        if (theta && pk_sweep_posterior_load(&p, &o, N_DRAWS, &post, &e2) == PK_OK) {
            pk_sweep_draws(&p, &o, &post, 0, N_DRAWS, theta);
            pk_sweep_posterior_free(&post);
        }
        free(theta);
        pk_patient_free(&p);
    } else if (fd_ini >= 0 && fd_csv >= 0) {
        pk_patient_free(&p);
    }
    if (fd_ini >= 0)
        close(fd_ini);
    if (fd_csv >= 0)
        close(fd_csv);
    return 0;
}
