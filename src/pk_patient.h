/* pk_patient: a patient file, validated.  Every problem is one line
 * "file:line: key: what is wrong" (see README for the format). */
#ifndef PK_PATIENT_H
#define PK_PATIENT_H

#include <stddef.h>

#include "pk_dosing.h"
#include "pk_err.h"
#include "pk_model.h"

#define PK_ID_MAX 64

typedef struct pk_param_setting {
    double value;          /* value simulated; also the prior median */
    pk_prior_kind prior;   /* prior family (the model's unless fixed) */
    double spread;         /* CV or SD as the family says */
    int fixed;             /* 1: held at value, never estimated */
    int line;              /* line in the file that set it, 0 = model default */
} pk_param_setting;

typedef struct pk_patient {
    char path[512];
    char id[PK_ID_MAX];
    const pk_model *model;
    double weight_kg;             /* NAN when unknown (the model assumes 80 kg) */
    char notes[256];
    pk_regimen *regimen;
    size_t n_regimen;
    pk_observation *obs;
    size_t n_obs;
    pk_param_setting param[PK_MAX_PARAM];
    int estimate[PK_MAX_PARAM];   /* indices of [fit] estimate, in file order */
    size_t n_estimate;
    double rtol;                  /* [solver] rtol, 0 = engine default */
    /* [estimate] of a fit.ini: MAP values simulate uses (priors untouched) */
    int has_map[PK_MAX_PARAM];
    double map[PK_MAX_PARAM];
    char posterior[512];          /* path of posterior.csv, relative to the file */
    char posterior_sha256[65];    /* its fingerprint, as the fit wrote it ("" = none) */
    size_t posterior_draws;       /* its rows (0 = not recorded) */
    char posterior_params[512];   /* its parameter columns, comma-separated */
    char source[512];             /* the file the fit was made from */
    /* [sweep] scenarios: "scenario NAME = DAYS: DOSE, ..." */
    pk_scenario *scenario;
    size_t n_scenario;
    int coupled;                  /* [solver] engine = coupled */
} pk_patient;

/* Loads and validates path.  On error nothing needs freeing beyond
 * pk_patient_free (safe on a zeroed or half-filled patient). */
int pk_patient_load(const char *path, pk_patient *p, pk_err *err);
void pk_patient_free(pk_patient *p);

/* The same from text[0..len) in memory: name stands for the file in
 * messages and in p->path (an imported patient's file-to-be). */
int pk_patient_load_mem(const char *name, const char *text, size_t len, pk_patient *p,
                        pk_err *err);

/* Parameter values to simulate (model units), n_param entries: the
 * [estimate] values of a fit.ini where present, else the file's values or
 * the prior medians. */
void pk_patient_theta(const pk_patient *p, double *theta);

/* The same without [estimate]: what a fit starts from. */
void pk_patient_prior_theta(const pk_patient *p, double *theta);

/* Applies an INI's [parameters] lines (the patient-file grammar: VALUE
 * [fixed | cv PCT% | sd X]) to p, e.g. a population fit's estimates as
 * priors.  Errors name the INI's file and line. */
struct pk_ini;
int pk_patient_set_parameters(const struct pk_ini *ini, pk_patient *p, pk_err *err);

/* Last day with a dose or an observation. */
double pk_patient_last_day(const pk_patient *p);

#endif
