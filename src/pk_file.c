#include "pk_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *file_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISSOCK(mode))
        return "a socket";
    return "a special file";
}

int pk_file_open_regular(const char *path, const char *what, off_t *size, pk_err *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        pk_err_set(err, PK_EINPUT, path, "cannot open: %s", strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int fstat_errno = errno;
        close(fd);
        pk_err_set(err, PK_EIO, path, "cannot read: %s", strerror(fstat_errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        pk_err_set(err, PK_EINPUT, path, "is %s, not %s", file_kind(st.st_mode), what);
        return -1;
    }
    if (size)
        *size = st.st_size;
    return fd;
}
