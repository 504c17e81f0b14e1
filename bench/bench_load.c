/* Benchmark: loading a patient file with 10^4, 10^5 and 10^6 observation
 * lines (a white count and a blood blast count per day), written to a
 * temporary file first.  Prints the wall time of pk_patient_load for each;
 * loading must grow linearly with the file.
 *
 * usage: pksim_bench_load [MAX_LINES] (default 1000000) */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pk_clock.h"
#include "pk_patient.h"

/* Writes a valid patient file with n observations into a new temporary
 * file and names it in path. */
static int write_patient(size_t n, char *path, size_t size, long *bytes)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, size, "%s/pksim_bench_load_XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        unlink(path);
        return -1;
    }
    fprintf(f, "[patient]\nid = bench\nmodel = sorafenib_flt3\n[dosing]\n0-220 = 400 mg bid\n"
               "[observations]\n");
    for (size_t i = 0; i < n; i++) {
        size_t day = i / 2;
        if (i % 2 == 0)
            fprintf(f, "%zu wbc = %zu.%zu\n", day, 1 + i % 40, i % 10);
        else
            fprintf(f, "%zu blast_pb_pct = %zu n=200\n", day, i % 100);
    }
    if (fclose(f) != 0) {
        unlink(path);
        return -1;
    }
    struct stat st;
    *bytes = stat(path, &st) == 0 ? (long)st.st_size : -1;
    return 0;
}

int main(int argc, char **argv)
{
    size_t max_lines = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    printf("%10s %12s %10s %12s\n", "lines", "bytes", "load_s", "us_per_line");
    for (size_t n = 10000; n <= max_lines; n *= 10) {
        char path[512];
        long bytes;
        if (write_patient(n, path, sizeof path, &bytes) != 0) {
            perror("bench_load: temporary file");
            return 1;
        }
        pk_patient p;
        pk_err err = {0};
        double t0 = pk_clock_s();
        int rc = pk_patient_load(path, &p, &err);
        double s = pk_clock_s() - t0;
        size_t n_obs = p.n_obs;
        pk_patient_free(&p);
        unlink(path);
        if (rc != PK_OK || n_obs != n) {
            char msg[1200];
            pk_err_format(&err, msg, sizeof msg);
            fprintf(stderr, "bench_load: %zu lines: %s (%zu observations)\n", n,
                    rc ? msg : "loaded", n_obs);
            return 1;
        }
        printf("%10zu %12ld %10.3f %12.3f\n", n, bytes, s, 1e6 * s / (double)n);
        fflush(stdout);
    }
    return 0;
}
