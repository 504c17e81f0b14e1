/* pk_err: one error record that travels up to main, which alone prints it
 * and picks the exit status.  Nothing below main calls exit(). */
#ifndef PK_ERR_H
#define PK_ERR_H

enum {
    PK_OK = 0,
    PK_EINPUT = 2,   /* bad input file or argument: exit status 2 */
    PK_EIO = 3,      /* cannot read or write a file */
    PK_ESOLVER = 4,  /* the ODE solver failed */
    PK_ENOMEM = 5,
    PK_EINTERNAL = 6,
    PK_ENOGNUPLOT = 7, /* gnuplot is not installed: exit status 3 */
    PK_EINTR = 8       /* SIGINT/SIGTERM: exit status 128 + signal */
};

typedef struct pk_err {
    int code;          /* one of the PK_E* values; PK_OK when clear */
    char where[512];   /* "file:line: key" or "" */
    char msg[512];     /* what is wrong, one line */
} pk_err;

/* Records the first error only: later calls keep the original cause. */
int pk_err_set(pk_err *err, int code, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Formats "file:line: key" into err->where style buffers. */
void pk_err_where(char *buf, unsigned long size, const char *file, int line, const char *key);

/* SIGINT and SIGTERM set a flag that long loops poll: they stop promptly,
 * write nothing, and leave previous outputs as they were.  The flag is the
 * one piece of process-wide mutable state (a signal handler needs it). */
void pk_interrupt_install(void);
int pk_interrupted(void);   /* the signal number, or 0 */

/* "pksim: where: msg" into buf (no newline). */
void pk_err_format(const pk_err *err, char *buf, unsigned long size);

#endif
