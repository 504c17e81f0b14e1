#include "pk_gnuplot.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int pk_gp_script_open(pk_gp_script *s, pk_err *err)
{
    memset(s, 0, sizeof *s);
    if (!(s->f = open_memstream(&s->buf, &s->len)))
        return pk_err_set(err, PK_ENOMEM, "", "out of memory for a plot script");
    return PK_OK;
}

const char *pk_gp_lit(pk_gp_script *s, const char *text)
{
    char *out = s->lit[s->next_lit];
    s->next_lit = (s->next_lit + 1) % 8;
    size_t k = 0;
    out[k++] = '\'';
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c < 0x20 || *c == 0x7f || k + 4 > PK_GP_LIT_MAX) {
            if (!s->refused[0])
                snprintf(s->refused, sizeof s->refused, "'%.60s%s' %s", text,
                         strlen(text) > 60 ? "..." : "",
                         *c < 0x20 || *c == 0x7f ? "holds a control character"
                                                 : "is too long for a figure");
            /* escape what we echo: the message reaches a terminal */
            for (char *r = s->refused; *r; r++)
                if ((unsigned char)*r < 0x20 || *r == 0x7f)
                    *r = '?';
            strcpy(out, "''");
            return out;
        }
        if (*c == '\'')
            out[k++] = '\'';
        out[k++] = (char)*c;
    }
    out[k++] = '\'';
    out[k] = 0;
    return out;
}

int pk_gp_script_close(pk_gp_script *s, const char *what, pk_err *err)
{
    if (s->f && fclose(s->f) != 0) {
        s->f = NULL;
        return pk_err_set(err, PK_ENOMEM, "", "out of memory for a plot script");
    }
    s->f = NULL;
    if (s->refused[0])
        return pk_err_set(err, PK_EINPUT, what, "%s: cannot be drawn", s->refused);
    return PK_OK;
}

void pk_gp_script_free(pk_gp_script *s)
{
    if (s->f)
        fclose(s->f);
    free(s->buf);
    s->f = NULL;
    s->buf = NULL;
}

int pk_gp_available(void)
{
    const char *path = getenv("PATH");
    if (!path)
        return 0;
    char *copy = strdup(path);
    if (!copy)
        return 0;
    int found = 0;
    char *save = NULL;
    for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char f[1024];
        snprintf(f, sizeof f, "%s/gnuplot", *d ? d : ".");
        found = access(f, X_OK) == 0;
    }
    free(copy);
    return found;
}

/* Stops the child: SIGTERM, then SIGKILL if it has not gone within a
 * second. */
static void stop_child(pid_t pid)
{
    kill(pid, SIGTERM);
    for (int i = 0; i < 100; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* Writes the whole script to the child's standard input; a signal stops
 * it (the handler does not restart system calls). */
static int feed(int fd, const char *script, size_t len)
{
    while (len > 0) {
        if (pk_interrupted())
            return -1;
        ssize_t w = write(fd, script, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return errno == EPIPE ? 0 : -1; /* gnuplot quit: its stderr says why */
        script += w;
        len -= (size_t)w;
    }
    return 0;
}

/* gnuplot's first line naming an error, made printable. */
static void first_error(FILE *ef, char *msg, size_t n)
{
    char line[300];
    msg[0] = 0;
    rewind(ef);
    while (fgets(line, sizeof line, ef))
        if (strstr(line, "rror") && !msg[0]) {
            line[strcspn(line, "\n")] = 0;
            for (char *c = line; *c; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                    *c = '?';
            snprintf(msg, n, "%s", line);
        }
}

int pk_gp_run(const char *script, size_t len, const char *dir, pk_err *err)
{
    FILE *ef = tmpfile(); /* unlinked at once: no path to plant anything at */
    int in[2];
    if (!ef)
        return pk_err_set(err, PK_EIO, "gnuplot", "cannot capture its errors: %s",
                          strerror(errno));
    if (pipe(in) != 0) {
        fclose(ef);
        return pk_err_set(err, PK_EIO, "gnuplot", "cannot start: %s", strerror(errno));
    }
    int err_fd = fileno(ef);
    fflush(stdout);
    /* a gnuplot that quits early must not kill us with SIGPIPE */
    struct sigaction ign, old;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &old);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(err_fd, 2);
        close(in[0]);
        close(in[1]);
        if (dir && chdir(dir) != 0)
            _exit(126);
        execlp("gnuplot", "gnuplot", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    int rc = PK_OK;
    if (pid < 0) {
        close(in[1]);
        rc = pk_err_set(err, PK_EIO, "gnuplot", "cannot start: %s", strerror(errno));
    } else {
        int fed = feed(in[1], script, len);
        close(in[1]);
        int st = 0;
        while (fed == 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR && !pk_interrupted())
            ;
        if (fed != 0 || pk_interrupted()) {
            stop_child(pid);
            rc = pk_interrupted() ? pk_err_set(err, PK_EINTR, "", "interrupted: no figure written")
                                  : pk_err_set(err, PK_EIO, "gnuplot", "cannot send the script");
        } else {
            char msg[300];
            first_error(ef, msg, sizeof msg);
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || msg[0])
                rc = pk_err_set(err, PK_EIO, "gnuplot", "%s",
                                msg[0]                                     ? msg
                                : WIFEXITED(st) && WEXITSTATUS(st) == 127 ? "cannot run gnuplot"
                                : WIFEXITED(st) && WEXITSTATUS(st) == 126
                                    ? "cannot enter the figure's directory"
                                    : "failed");
        }
    }
    sigaction(SIGPIPE, &old, NULL);
    fclose(ef);
    return rc;
}
