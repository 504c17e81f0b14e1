/* The model registry: one const table, no mutable state. */
#include <string.h>

#include "models.h"

static const pk_model *const registry[] = {
    &model_sorafenib_flt3,
    &model_oral1cpt,
};

size_t pk_model_count(void)
{
    return sizeof registry / sizeof registry[0];
}

const pk_model *pk_model_at(size_t i)
{
    return i < pk_model_count() ? registry[i] : NULL;
}

const pk_model *pk_model_find(const char *name)
{
    for (size_t i = 0; i < pk_model_count(); i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}

int pk_model_param_index(const pk_model *m, const char *name)
{
    for (size_t i = 0; i < m->n_param; i++)
        if (strcmp(m->param[i].name, name) == 0)
            return (int)i;
    return -1;
}

int pk_model_state_index(const pk_model *m, const char *name)
{
    for (size_t i = 0; i < m->n_state; i++)
        if (strcmp(m->state[i].name, name) == 0)
            return (int)i;
    return -1;
}

int pk_model_readout_index(const pk_model *m, const char *name)
{
    for (size_t i = 0; i < m->n_readout; i++)
        if (strcmp(m->readout[i].name, name) == 0)
            return (int)i;
    return -1;
}

int pk_model_obs_index(const pk_model *m, const char *name)
{
    for (size_t i = 0; i < m->n_obs; i++)
        if (strcmp(m->obs[i].name, name) == 0)
            return (int)i;
    return -1;
}
