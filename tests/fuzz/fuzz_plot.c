/* Fuzz harness: gnuplot scripts never carry input text as code.  The
 * input's first three lines are an --out path and two scenario names.
 *  1. Each as a literal (pk_gp_lit) reads back, under gnuplot's quoting
 *     rules, as exactly the original text.
 *  2. The figures' scripts (a trajectory with bands, a prediction interval
 *     and that --out; a sweep with those scenario names), with every
 *     literal removed and every number made N, equal the scripts of the
 *     same figures drawn with harmless names: the input changed nothing
 *     but the contents of literals and the layout's numbers (a longer
 *     scenario name widens the column of names).
 *  3. The same for a population fit's figures (observed vs predicted,
 *     residuals, the individual fits) with the two names as subject ids
 *     and the first line as an observable's name.
 * A violation aborts, which libFuzzer reports as a finding. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_util.h"
#include "pk_gnuplot.h"
#include "pk_plot.h"

/* The script with each single-quoted literal cut out and each number
 * (digits and points) made N; NULL when a literal does not end on its own
 * line. */
static char *skeleton(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if ((s[i] >= '0' && s[i] <= '9') || s[i] == '.') {
            while (i + 1 < n && ((s[i + 1] >= '0' && s[i + 1] <= '9') || s[i + 1] == '.'))
                i++;
            out[k++] = 'N';
            continue;
        }
        if (s[i] != '\'') {
            out[k++] = s[i];
            continue;
        }
        for (i++;; i++) {
            if (i >= n || s[i] == '\n') {
                free(out);
                return NULL;
            }
            if (s[i] == '\'' && i + 1 < n && s[i + 1] == '\'')
                i++;
            else if (s[i] == '\'')
                break;
        }
        out[k++] = 'L';
    }
    out[k] = 0;
    return out;
}

/* pk_gp_lit's literal, decoded as gnuplot reads it, is the text itself. */
static void check_literal(const char *text)
{
    pk_gp_script gs;
    pk_err err = {0};
    if (pk_gp_script_open(&gs, &err))
        return;
    const char *lit = pk_gp_lit(&gs, text);
    if (!gs.refused[0]) {
        size_t n = strlen(lit), k = 0;
        char *back = malloc(n + 1);
        if (n < 2 || lit[0] != '\'' || lit[n - 1] != '\'')
            abort();
        for (size_t i = 1; i + 1 < n; i++) {
            if (lit[i] == '\'' && lit[i + 1] != '\'')
                abort(); /* a quote that would end the literal early */
            back[k++] = lit[i];
            if (lit[i] == '\'')
                i++;
        }
        back[k] = 0;
        if (strcmp(back, text) != 0)
            abort();
        free(back);
    }
    pk_gp_script_free(&gs);
}

static char dir[64];

static void put(const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* Text kept inside one CSV field: no separators or CSV quotes. */
static void csv_field(char *s)
{
    for (; *s; s++)
        if (*s == ',' || *s == '"' || *s == '\r')
            *s = '_';
}

/* A population fit's popfit_obs.csv and popfit_traj.csv: subjects a and b,
 * observable wbc and one named obsv, two days each. */
static void put_popfit(const char *obsv, const char *a, const char *b)
{
    char obs[16384], traj[16384]; /* 8 rows of two names of at most 255 bytes */
    size_t k = (size_t)snprintf(obs, sizeof obs, "patient,day,observable,dv,censoring,check,"
                                "n_cells,pred,ipred,iwres,cwres\n");
    size_t t = (size_t)snprintf(traj, sizeof traj, "patient,day,observable,pred,ipred\n");
    char name[256];
    snprintf(name, sizeof name, "%s", obsv);
    csv_field(name);
    const char *ids[2] = {a, b}, *names[2] = {"wbc", name};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            for (int d = 0; d < 2; d++) {
                k += (size_t)snprintf(obs + k, sizeof obs - k, "%s,%d,%s,%g,none,0,0,%g,%g,%g,%g\n",
                                      ids[i], d * 7, names[j], 2.0 + i - d, 2.1 + i - d,
                                      1.9 + i - d, 0.4 - i, 0.3 * d - 0.2);
                t += (size_t)snprintf(traj + t, sizeof traj - t, "%s,%d,%s,%g,%g\n", ids[i],
                                      d * 7, names[j], 2.1 + i - d, 1.9 + i - d);
            }
    put("popfit_obs.csv", obs);
    put("popfit_traj.csv", traj);
}

/* The trajectory figure (with --out), the sweep figures (with the two
 * names) and a population fit's figures (with the names as subjects and
 * out as an observable), scripts concatenated; NULL when the figures were
 * refused. */
static char *scripts(const char *out, const char *a, const char *b, size_t *len)
{
    char sw[1024], tr[2048];
    snprintf(sw, sizeof sw,
             "rank,scenario,relapse_free_days_p50,relapse_free_days_p05,relapse_free_days_p95\n"
             "1,%s,10,5,20\n2,%s,12,6,22\n", a, b);
    snprintf(tr, sizeof tr, "scenario,day,dose_mg_per_day,wbc_p50,blast_pb_pct_p50\n"
             "%s,0,400,2,50\n%s,1,400,1.5,40\n%s,0,800,2,50\n%s,1,800,1,30\n", a, a, b, b);
    put("sweep.csv", sw);
    put("sweep_trajectories.csv", tr);
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    pk_plot_opts o = pk_plot_default_opts();
    o.script_to = f;
    o.out = out;
    pk_err err = {0};
    char written[1200], csv[128];
    snprintf(csv, sizeof csv, "%s/traj.csv", dir);
    int rc = pk_plot_csv(csv, NULL, 0, &o, written, sizeof written, &err);
    o.out = NULL;
    if (rc == PK_OK)
        rc = pk_plot_sweep(dir, &o, written, sizeof written, &err);
    if (rc == PK_OK) {
        put_popfit(out, a, b);
        rc = pk_plot_popfit(dir, &o, written, sizeof written, &err);
    }
    fclose(f);
    if (rc != PK_OK) {
        free(buf);
        return NULL;
    }
    return buf;
}

static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/pksim-fuzzplot.XXXXXX");
        if (!mkdtemp(dir))
            abort();
        put("traj.csv", "day,dose_mg_per_day,conc_mg_per_L,wbc,wbc_p05,wbc_p50,wbc_p95,"
                        "blast_pb_pct,blast_bm_pct,wbc_all_p05,wbc_all_p50,wbc_all_p95,wbc_pi05,"
                        "wbc_pi95\n0,400,0,2,1.8,2,2.2,50,60,1.5,2,2.5,1.2,3\n"
                        "1,400,1.2,1.5,1.4,1.5,1.6,40,55,1,1.5,2,0.9,2.4\n");
    }
    char field[3][256] = {"", "", ""};
    size_t f = 0, k = 0;
    for (size_t i = 0; i < size && f < 3; i++) {
        if (data[i] == '\n') {
            f++;
            k = 0;
        } else if (data[i] && k + 2 < sizeof field[0]) { /* room for the "2" below */
            field[f][k++] = (char)data[i];
        }
    }
    for (int i = 0; i < 3; i++)
        check_literal(field[i]);
    for (int i = 1; i < 3; i++)
        csv_field(field[i]);
    if (!field[0][0] || strchr(field[0], '.') || strcmp(field[0], "wbc") == 0)
        strcpy(field[0], "fig"); /* an --out without extension; an observable besides wbc */
    /* the read-out figure places "<dose> mg/day qd|bid" names on its dose
     * axis (data, not code); keep the names from looking like that */
    for (int i = 1; i < 3; i++) {
        double d;
        char w[8];
        if (sscanf(field[i], "%lf mg/day %7s", &d, w) == 2) {
            memmove(field[i] + 1, field[i], sizeof field[0] - 2);
            field[i][0] = 's';
            field[i][sizeof field[0] - 2] = 0; /* still room for the "2" */
        }
    }
    if (!field[1][0]) /* the defaults before the names are made distinct ("\n\nx": x, x) */
        strcpy(field[1], "x");
    if (!field[2][0])
        strcpy(field[2], "y");
    if (strcmp(field[1], field[2]) == 0)
        strcat(field[2], "2"); /* two scenarios, as in the reference */
    size_t la = 0, lb = 0;
    char *a = scripts(field[0], field[1], field[2], &la);
    char *b = scripts("fig", "x", "y", &lb);
    if (!a && !has_control(field[0]) && !has_control(field[1]) && !has_control(field[2]))
        abort(); /* refused though every text was representable */
    if (a && b) {
        char *sa = skeleton(a, la), *sb = skeleton(b, lb);
        if (!sa || !sb || strcmp(sa, sb) != 0)
            abort(); /* input text outside a literal */
        free(sa);
        free(sb);
    }
    free(a);
    free(b);
    return 0;
}
