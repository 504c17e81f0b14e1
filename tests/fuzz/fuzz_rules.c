/* Fuzz harness: the rules loader, then the rules applied over a fixed
 * history of counts (falling, then rising white cells and blasts). */
#include "fuzz_util.h"
#include "pk_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const pk_model *m = pk_model_find("sorafenib_flt3");
    char path[64];
    int fd = fuzz_file(data, size, path, sizeof path);
    if (fd < 0 || !m)
        return 0;
    pk_rules r;
    pk_err err = {0};
    if (pk_rules_load(path, m, &r, &err) == PK_OK) {
        enum { N_DAYS = 12 };
        double t[N_DAYS], obs[N_DAYS * PK_MAX_OBS] = {0};
        int wbc = pk_model_obs_index(m, "wbc"), pb = pk_model_obs_index(m, "blast_pb_pct");
        pk_rule_state st = {r.start_mg_per_day, r.start_mg_per_day, 0};
        for (size_t i = 0; i < N_DAYS; i++) {
            t[i] = 3.5 * (double)i;
            obs[i * m->n_obs + (size_t)wbc] = i < 6 ? 40.0 / (1 + i * i) : 0.2 * (double)i;
            obs[i * m->n_obs + (size_t)pb] = i < 6 ? 80.0 / (1 + i) : (double)i;
            if (i > 0)
                pk_rules_apply(&r, m, t, obs, i + 1, &st);
        }
    }
    close(fd);
    return 0;
}
