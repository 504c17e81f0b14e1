/* The models pksim knows; each defined in models/<name>.c. */
#ifndef PK_MODELS_H
#define PK_MODELS_H

#include "pk_model.h"

extern const pk_model model_sorafenib_flt3;
extern const pk_model model_oral1cpt;

#endif
