/* Shared by the fuzz harnesses: the input as a file the loaders can open
 * (an anonymous in-memory file, so that no disk is touched). */
#ifndef PK_FUZZ_UTIL_H
#define PK_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* Writes data[0..n) to a new memory file and names it in path.  Returns
 * the descriptor to close afterwards, or -1. */
static inline int fuzz_file(const uint8_t *data, size_t n, char *path, size_t size)
{
    int fd = memfd_create("pksim-fuzz", 0);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, data + off, n - off);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    snprintf(path, size, "/proc/self/fd/%d", fd);
    return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
