#include "pk_runinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <jansson.h>

#include "pk_hash.h"
#include "pk_out.h"

int pk_runinfo_write(const char *dir, const char *name, const pk_runinfo *ri, pk_err *err)
{
    json_t *root = json_object(), *args = json_array(), *inputs = json_object();
    if (!root || !args || !inputs) {
        json_decref(root);
        json_decref(args);
        json_decref(inputs);
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    }
    for (int i = 0; i < ri->argc; i++)
        json_array_append_new(args, json_string(ri->argv[i]));
    size_t n_in = 0;
    while (n_in < 8 && ri->inputs[n_in])
        n_in++;
    for (size_t i = 0; i < n_in + ri->n_more; i++) {
        const char *path = i < n_in ? ri->inputs[i] : ri->more[i - n_in];
        char hex[PK_SHA256_HEX];
        pk_err e = {0};
        if (pk_sha256_file(path, hex, &e) == PK_OK)
            json_object_set_new(inputs, path, json_string(hex));
    }
    char utc[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(utc, sizeof utc, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_object_set_new(root, "pksim_version", json_string(PKSIM_VERSION));
    json_object_set_new(root, "command", json_string(ri->command));
    json_object_set_new(root, "argv", args);
    json_object_set_new(root, "seed", ri->seed ? json_integer((json_int_t)ri->seed) : json_null());
    json_object_set_new(root, "threads", ri->threads > 0 ? json_integer(ri->threads)
                                                         : json_string("all cores"));
    json_object_set_new(root, "rtol", ri->rtol > 0 ? json_real(ri->rtol) : json_string("default"));
    json_object_set_new(root, "inputs_sha256", inputs);
    json_object_set_new(root, "utc_time", json_string(utc));
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(6));
    json_decref(root);
    if (!text)
        return pk_err_set(err, PK_ENOMEM, "", "out of memory");
    pk_out o;
    int rc = pk_out_open(&o, dir, name, err);
    if (rc == PK_OK) {
        fputs(text, o.f);
        fputc('\n', o.f);
        rc = pk_out_commit(&o, err);
        pk_out_abort(&o);
    }
    free(text);
    return rc;
}
