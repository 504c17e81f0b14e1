#include "pk_out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return pk_err_set(err, PK_EIO, buf, "cannot create directory: %s", strerror(errno));
            if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
                return pk_err_set(err, PK_EIO, buf, "exists and is not a directory");
            *p = c;
            if (!c)
                break;
        }
    }
    return PK_OK;
}

int pk_out_open(pk_out *o, const char *dir, const char *name, pk_err *err)
{
    memset(o, 0, sizeof *o);
    if (pk_out_mkdir(dir, err))
        return err->code;
    if (snprintf(o->path, sizeof o->path, "%s/%s", dir, name) >= (int)sizeof o->path)
        return pk_err_set(err, PK_EIO, dir, "path too long");
    snprintf(o->tmp, sizeof o->tmp, "%s/.%s.tmp.%ld", dir, name, (long)getpid());
    o->f = fopen(o->tmp, "w");
    if (!o->f) {
        o->tmp[0] = 0;
        return pk_err_set(err, PK_EIO, o->path, "cannot write: %s", strerror(errno));
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
    int bad = ferror(o->f) || fflush(o->f) != 0 || fsync(fileno(o->f)) != 0;
    int saved = errno;
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
    for (size_t i = 0; i < n; i++)
        if (pk_out_finish(&o[i], err))
            return err->code;
    for (size_t i = 0; i < n; i++)
        if (pk_out_publish(&o[i], err))
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
