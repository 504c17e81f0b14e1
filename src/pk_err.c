#include "pk_err.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int pk_err_set(pk_err *err, int code, const char *where, const char *fmt, ...)
{
    if (!err || err->code != PK_OK)
        return code;
    err->code = code;
    snprintf(err->where, sizeof err->where, "%s", where ? where : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

void pk_err_where(char *buf, unsigned long size, const char *file, int line, const char *key)
{
    if (line > 0 && key && *key)
        snprintf(buf, size, "%s:%d: %s", file, line, key);
    else if (line > 0)
        snprintf(buf, size, "%s:%d", file, line);
    else if (key && *key)
        snprintf(buf, size, "%s: %s", file, key);
    else
        snprintf(buf, size, "%s", file);
}

/* Control bytes (from a path, a file's bytes) are shown as \xNN: the
 * message stays one line and sends nothing to the terminal. */
void pk_err_format(const pk_err *err, char *buf, unsigned long size)
{
    char raw[sizeof err->where + sizeof err->msg + 16];
    if (err->where[0])
        snprintf(raw, sizeof raw, "pksim: %s: %s", err->where, err->msg);
    else
        snprintf(raw, sizeof raw, "pksim: %s", err->msg);
    unsigned long k = 0;
    for (const unsigned char *c = (const unsigned char *)raw; *c && k + 5 < size; c++) {
        if (*c < 0x20 || *c == 0x7f)
            k += (unsigned long)snprintf(buf + k, size - k, "\\x%02x", *c);
        else
            buf[k++] = (char)*c;
    }
    if (size)
        buf[k < size ? k : size - 1] = 0;
}

static volatile sig_atomic_t interrupted_by;

static void on_signal(int sig)
{
    interrupted_by = sig;
}

void pk_interrupt_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int pk_interrupted(void)
{
    return (int)interrupted_by;
}
