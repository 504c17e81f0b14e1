/* pk_describe: a model's reference in Markdown, written from its own
 * tables (states, parameters with priors and sources, observables and
 * their error models, sweep read-outs), so the documentation cannot drift
 * from the code: docs/models/NAME.md is this output, and a test checks it. */
#ifndef PK_DESCRIBE_H
#define PK_DESCRIBE_H

#include <stdio.h>

#include "pk_model.h"

void pk_describe_model(FILE *f, const pk_model *m);

/* A parameter's prior median and spread as text (32 bytes each): the
 * median or from_data when the patient's data set it; a log-normal's CV in
 * percent, another prior's SD, or no_spread for a fixed one. */
void pk_describe_prior(const pk_param_def *d, const char *from_data, const char *no_spread,
                       char *median, char *spread);

#endif
