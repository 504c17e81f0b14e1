/* Fuzz harness: the data-set importer (libcsv, the row checks, the
 * generated patient files through the loader), then what a command does
 * first with the patients (the dose list).  The first byte picks the
 * model and one --obs mapping; the rest is the CSV, read from memory. */
#include <stdlib.h>

#include "fuzz_util.h"
#include "pk_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const pk_model *m = pk_model_at(data[0] % pk_model_count());
    pk_import_opts o = {.model = m, .dir = "fuzz"};
    if (data[0] & 0x80)
        o.obs_spec[o.n_obs_spec++] = "3=wbc"; /* refused for a model without wbc */
    pk_import_set set;
    pk_err err = {0};
    if (pk_import_parse("fuzz.csv", (const char *)data + 1, size - 1, &o, &set, &err) == PK_OK) {
        for (size_t i = 0; i < set.n; i++) {
            const pk_patient *p = &set.s[i].patient;
            pk_dose *doses = NULL;
            size_t n = 0;
            pk_err e2 = {0};
            if (pk_dosing_expand(p->regimen, p->n_regimen, &doses, &n, &e2) == PK_OK)
                free(doses);
            (void)pk_patient_last_day(p);
        }
    } else if (err.code == PK_OK || !err.msg[0]) {
        abort(); /* a refusal always says why */
    }
    pk_import_set_free(&set);
    return 0;
}
