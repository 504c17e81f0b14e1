/* pk_describe: a model's reference in Markdown, written from its own
 * tables (states, parameters with priors and sources, observables and
 * their error models, sweep read-outs), so the documentation cannot drift
 * from the code: docs/models/NAME.md is this output, and a test checks it. */
#ifndef PK_DESCRIBE_H
#define PK_DESCRIBE_H

#include <stdio.h>

#include "pk_model.h"

void pk_describe_model(FILE *f, const pk_model *m);

#endif
