/* Fuzz harness: the patient-file loader with all its validation, then what
 * every command does first with a loaded file (parameters, dose list). */
#include <stdlib.h>

#include "fuzz_util.h"
#include "pk_patient.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_file(data, size, path, sizeof path);
    if (fd < 0)
        return 0;
    pk_patient p;
    pk_err err = {0};
    if (pk_patient_load(path, &p, &err) == PK_OK) {
        double theta[PK_MAX_PARAM];
        pk_patient_theta(&p, theta);
        pk_patient_prior_theta(&p, theta);
        (void)pk_patient_last_day(&p);
        pk_dose *doses = NULL;
        size_t n = 0;
        pk_err e2 = {0};
        if (pk_dosing_expand(p.regimen, p.n_regimen, &doses, &n, &e2) == PK_OK)
            free(doses);
    }
    pk_patient_free(&p);
    close(fd);
    return 0;
}
