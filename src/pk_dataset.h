/* pk_dataset: a NONMEM-style data set (a pk_table) read into subjects:
 * each subject's doses (II/ADDL expanded) and observations, each with the
 * row it came from, checked row by row as docs/data-sets.md describes.
 * What depends on the model's numbers (its dose limits, an observable's
 * admissible values, a weight's range) is checked by the patient loader
 * on the files pk_import makes from these subjects.
 *
 * Times stay in hours here (TIME as written); pk_import converts. */
#ifndef PK_DATASET_H
#define PK_DATASET_H

#include <stddef.h>

#include "pk_err.h"
#include "pk_model.h"
#include "pk_patient.h"
#include "pk_table.h"

#define PK_DATASET_MAX_MAP 32          /* --obs N=NAME entries */
#define PK_DATASET_MAX_EVENTS 1000000  /* doses (after ADDL) and observations in all */
#define PK_DATASET_MAX_ADDL 100000     /* additional doses of one record */
#define PK_DATASET_MAX_TIME_H 2.4e6    /* 100000 days, the patient files' limit */

/* The columns pksim reads (names case-insensitive); any other is ignored.
 * The DATE columns are read only to refuse them (clock times). */
typedef enum {
    PK_DS_ID, PK_DS_TIME, PK_DS_AMT, PK_DS_DV, PK_DS_EVID, PK_DS_MDV, PK_DS_CMT, PK_DS_DVID,
    PK_DS_OBS, PK_DS_CENS, PK_DS_LIMIT, PK_DS_II, PK_DS_ADDL, PK_DS_SS, PK_DS_WT, PK_DS_RATE,
    PK_DS_DATE, PK_DS_DAT1, PK_DS_DAT2, PK_DS_DAT3, PK_DS_N_COL
} pk_ds_col;

typedef struct pk_ds_dose {
    double t_h, amt_mg;
    int row;              /* the file's line */
    long addl_k, addl_n;  /* 0, 0: the record itself; k of n: its k-th additional dose */
} pk_ds_dose;

typedef struct pk_ds_obs {
    double t_h;
    int obs;              /* index in the model's observables */
    double value;         /* DV, or for a censored one its limit */
    int censor;           /* as pk_observation: -1 "< value", +1 "> value" */
    int row;
    pk_ds_col from;       /* the column value comes from: DV, or LIMIT */
} pk_ds_obs;

typedef struct pk_ds_subject {
    char id[PK_ID_MAX];   /* the ID as a file stem: a whole number as such, else
                             letters, digits, '_' and '-' (others become '_') */
    char *id_text;        /* the ID as written */
    int first_row, last_row;
    double last_t_h;      /* TIME of last_row */
    double weight_kg;     /* WT; NAN when not given */
    int wt_row;
    pk_ds_dose *dose;     /* in order of time */
    size_t n_dose, cap_dose;
    pk_ds_obs *obs;       /* in order of time (the file's) */
    size_t n_obs, cap_obs;
} pk_ds_subject;

typedef struct pk_dataset {
    const pk_table *t;
    int col[PK_DS_N_COL];       /* column index of each, -1 when absent */
    pk_ds_subject *s;
    size_t n, cap;
    size_t n_events;
    long map_number[PK_DATASET_MAX_MAP]; /* --obs N=NAME: number N is observable map_obs */
    int map_obs[PK_DATASET_MAX_MAP];
    size_t n_map;
} pk_dataset;

/* Reads the subjects of t (which must outlive d) for model m.  obs_spec:
 * n_spec "N=NAME" strings (--obs) mapping CMT or DVID numbers to the
 * model's observables, over the defaults DVID 1 and CMT 2 = the model's
 * concentration.  The first problem is one error "FILE:ROW: COLUMN: what
 * is wrong" (COLUMN as the header writes it); d must then still be freed
 * with pk_dataset_free. */
int pk_dataset_read(const pk_table *t, const pk_model *m, const char *const *obs_spec,
                    size_t n_spec, pk_dataset *d, pk_err *err);
void pk_dataset_free(pk_dataset *d);

/* A column's name as the header writes it (its canonical name when the
 * header has none). */
const char *pk_dataset_colname(const pk_dataset *d, pk_ds_col c);

#endif
