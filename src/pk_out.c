/* renameat2 (RENAME_EXCHANGE) swaps a staged directory in atomically. */
#define _GNU_SOURCE
#include "pk_out.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

/* Directories this process created, so a failed run can take them away
 * again (main thread only; one of the few mutable statics). */
static char created[16][1024];
static int n_created;

void pk_out_remove_created(void)
{
    while (n_created > 0)
        rmdir(created[--n_created]); /* only if still empty */
}

int pk_out_mkdir(const char *dir, pk_err *err)
{
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
        return pk_err_set(err, PK_EIO, dir, "path too long");
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == 0) {
            char c = *p;
            *p = 0;
            struct stat st;
            if (mkdir(buf, 0777) == 0) {
                if (n_created < 16)
                    snprintf(created[n_created++], sizeof created[0], "%s", buf);
            } else if (errno != EEXIST) {
                return pk_err_set(err, PK_EIO, buf, "cannot create directory: %s", strerror(errno));
            }
            if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
                return pk_err_set(err, PK_EIO, buf, "exists and is not a directory");
            *p = c;
            if (!c)
                break;
        }
    }
    return PK_OK;
}

int pk_out_mktemp(const char *final, char *tmp, size_t n_tmp, pk_err *err)
{
    const char *slash = strrchr(final, '/');
    int dir_len = slash ? (int)(slash - final + 1) : 0;
    const char *base = slash ? slash + 1 : final;
    if (snprintf(tmp, n_tmp, "%.*s.%s.tmp.%ld.XXXXXX", dir_len, final, base, (long)getpid()) >=
        (int)n_tmp) {
        tmp[0] = 0;
        pk_err_set(err, PK_EIO, final, "path too long");
        return -1;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int saved = errno;
        tmp[0] = 0;
        pk_err_set(err, PK_EIO, final, "cannot write: %s", strerror(saved));
        return -1;
    }
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        int saved = errno;
        close(fd);
        unlink(tmp);
        tmp[0] = 0;
        pk_err_set(err, PK_EIO, final, "cannot write: %s", strerror(saved));
        return -1;
    }
    return fd;
}

void pk_out_clear_stale(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *t = e->d_name[0] == '.' ? strstr(e->d_name, ".tmp.") : NULL;
        if (!t)
            continue;
        char *end;
        long pid = strtol(t + 5, &end, 10);
        /* only names of our own pattern, .BASE.tmp.PID.XXXXXX */
        if (pid <= 0 || end == t + 5 || *end != '.' || strlen(end + 1) != 6)
            continue;
        if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char path[1400];
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path)
            unlink(path);
    }
    closedir(d);
}

/* The stream's writes: the errno of a failed one is kept in o->werr,
 * where no later call (the next file's mkdir: EEXIST) can replace it. */
static ssize_t out_write(void *cookie, const char *buf, size_t n)
{
    pk_out *o = cookie;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(o->fd, buf + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (!o->werr)
                o->werr = w < 0 ? errno : EIO;
            return done ? (ssize_t)done : -1;
        }
        done += (size_t)w;
    }
    return (ssize_t)done;
}

static int out_close(void *cookie)
{
    pk_out *o = cookie;
    int rc = close(o->fd);
    o->fd = -1;
    return rc;
}

int pk_out_open(pk_out *o, const char *dir, const char *name, pk_err *err)
{
    memset(o, 0, sizeof *o);
    if (pk_out_mkdir(dir, err))
        return err->code;
    if (snprintf(o->path, sizeof o->path, "%s/%s", dir, name) >= (int)sizeof o->path)
        return pk_err_set(err, PK_EIO, dir, "path too long");
    pk_out_clear_stale(dir);
    int fd = pk_out_mktemp(o->path, o->tmp, sizeof o->tmp, err);
    if (fd < 0)
        return err->code;
    o->fd = fd;
    cookie_io_functions_t io = {.write = out_write, .close = out_close};
    if (!(o->f = fopencookie(o, "w", io))) {
        int saved = errno;
        close(fd);
        pk_out_abort(o);
        return pk_err_set(err, PK_EIO, o->path, "cannot write: %s", strerror(saved));
    }
    return PK_OK;
}

/* Test hook: PKSIM_FAIL_WRITE=N makes the N-th commit of this process fail
 * as a full disk would (commits happen on the main thread only). */
static int injected_fault(void)
{
    static int count;
    const char *n = getenv("PKSIM_FAIL_WRITE");
    return n && ++count == atoi(n);
}

int pk_out_finish(pk_out *o, pk_err *err)
{
    if (!o->f)
        return pk_err_set(err, PK_EIO, o->path, "not open");
    if (pk_interrupted()) {
        pk_out_abort(o);
        return pk_err_set(err, PK_EINTR, "", "interrupted: no output written");
    }
    if (injected_fault()) {
        pk_out_abort(o);
        return pk_err_set(err, PK_EIO, o->path, "cannot write: No space left on device "
                          "(injected by PKSIM_FAIL_WRITE)");
    }
    /* errno only from the call that failed: after ferror it is stale */
    int bad = 0, saved = 0;
    if (ferror(o->f)) {
        bad = 1;
        saved = o->werr;
    } else if (fflush(o->f) != 0) {
        bad = 1;
        saved = o->werr ? o->werr : errno;
    } else if (fsync(o->fd) != 0) {
        bad = 1;
        saved = errno;
    }
    if (fclose(o->f) != 0 && !bad) {
        bad = 1;
        saved = errno;
    }
    o->f = NULL;
    if (bad) {
        pk_out_abort(o);
        return pk_err_set(err, PK_EIO, o->path, "cannot write: %s", strerror(saved ? saved : EIO));
    }
    return PK_OK;
}

int pk_out_publish(pk_out *o, pk_err *err)
{
    if (o->f || !o->tmp[0])
        return pk_err_set(err, PK_EIO, o->path, "not finished");
    if (rename(o->tmp, o->path) != 0) {
        int saved = errno;
        pk_out_abort(o);
        return pk_err_set(err, PK_EIO, o->path, "cannot write: %s", strerror(saved));
    }
    o->tmp[0] = 0;
    return PK_OK;
}

int pk_out_commit(pk_out *o, pk_err *err)
{
    if (pk_out_finish(o, err))
        return err->code;
    return pk_out_publish(o, err);
}

int pk_out_commit_all(pk_out *o, size_t n, pk_err *err)
{
    /* entries never opened (all zero) are skipped: a set may be optional */
    for (size_t i = 0; i < n; i++)
        if ((o[i].f || o[i].tmp[0]) && pk_out_finish(&o[i], err))
            return err->code;
    for (size_t i = 0; i < n; i++)
        if (o[i].tmp[0] && pk_out_publish(&o[i], err))
            return err->code;
    return PK_OK;
}

void pk_out_abort(pk_out *o)
{
    if (o->f)
        fclose(o->f);
    o->f = NULL;
    if (o->tmp[0])
        unlink(o->tmp);
    o->tmp[0] = 0;
}

int pk_out_stage_dir(const char *final, char *stage, size_t n_stage, pk_err *err)
{
    char parent[1024];
    const char *slash = strrchr(final, '/');
    snprintf(parent, sizeof parent, "%.*s", slash ? (int)(slash - final) : 1, slash ? final : ".");
    if (!parent[0])
        snprintf(parent, sizeof parent, "/");
    if (pk_out_mkdir(parent, err))
        return err->code;
    pk_out_clear_stale(parent);
    if (snprintf(stage, n_stage, "%s/.%s.tmp.%ld.XXXXXX", parent, slash ? slash + 1 : final,
                 (long)getpid()) >= (int)n_stage) {
        stage[0] = 0;
        return pk_err_set(err, PK_EIO, final, "path too long");
    }
    if (!mkdtemp(stage)) {
        int saved = errno;
        stage[0] = 0;
        return pk_err_set(err, PK_EIO, final, "cannot write: %s", strerror(saved));
    }
    return PK_OK;
}

void pk_out_drop_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char path[1400];
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path)
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

/* Does dir hold marker, or nothing at all? */
static int replaceable(const char *dir, const char *marker)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    int empty = 1, has = 0;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        empty = 0;
        has |= !strcmp(e->d_name, marker);
    }
    closedir(d);
    return empty || has;
}

int pk_out_swap_dir(const char *stage, const char *final, const char *marker, pk_err *err)
{
    struct stat st;
    if (pk_interrupted())
        return pk_err_set(err, PK_EINTR, "", "interrupted: no output written");
    if (lstat(final, &st) != 0) {
        if (rename(stage, final) != 0)
            return pk_err_set(err, PK_EIO, final, "cannot write: %s", strerror(errno));
        return PK_OK;
    }
    if (!S_ISDIR(st.st_mode))
        return pk_err_set(err, PK_EIO, final, "exists and is not a directory");
    if (!replaceable(final, marker))
        return pk_err_set(err, PK_EIO, final, "holds files of something else (no %s): give "
                          "another --out", marker);
    if (renameat2(AT_FDCWD, stage, AT_FDCWD, final, RENAME_EXCHANGE) != 0)
        return pk_err_set(err, PK_EIO, final, "cannot replace: %s", strerror(errno));
    pk_out_drop_dir(stage); /* now the previous outputs */
    return PK_OK;
}

int pk_out_lock(const char *dir, int shared, pk_err *err)
{
    if (pk_out_mkdir(dir, err))
        return -1;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        pk_err_set(err, PK_EIO, dir, "cannot open the directory: %s", strerror(errno));
        return -1;
    }
    /* polled, not blocking: an interrupt ends the wait at once (a signal
     * just before a blocking flock would be missed) */
    for (int ms = 0;; ms += 10) {
        if (flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0)
            return fd;
        if (errno != EWOULDBLOCK && errno != EINTR) {
            pk_err_set(err, PK_EIO, dir, "cannot lock the directory: %s", strerror(errno));
            break;
        }
        if (pk_interrupted()) {
            pk_err_set(err, PK_EINTR, "", "interrupted: no output written");
            break;
        }
        if (ms == 1000 && isatty(STDERR_FILENO))
            fprintf(stderr, "pksim: waiting for another pksim run writing %s\n", dir);
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    close(fd);
    return -1;
}

void pk_out_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* releases the flock */
}
