/* The model registry: the const table CMake generates from models/NAME.c
 * (pk_models_table.h), no mutable state. */
#include <string.h>

#include "pk_models_table.h"

size_t pk_model_count(void)
{
    size_t n = 0;
    while (pk_models_table[n])
        n++;
    return n;
}

const pk_model *pk_model_at(size_t i)
{
    return i < pk_model_count() ? pk_models_table[i] : NULL;
}

const pk_model *pk_model_find(const char *name)
{
    for (size_t i = 0; pk_models_table[i]; i++)
        if (strcmp(pk_models_table[i]->name, name) == 0)
            return pk_models_table[i];
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
