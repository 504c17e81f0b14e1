/* Fuzz harness: the command-line parser.  The input is the argument list,
 * arguments separated by NUL or newline bytes (at most 24). */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "pk_cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum { MAX_ARGS = 24 };
    char *buf = malloc(size + 1), *argv[MAX_ARGS + 2];
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    int argc = 0;
    argv[argc++] = (char *)"pksim";
    char *s = buf, *end = buf + size;
    while (s <= end && argc <= MAX_ARGS) {
        size_t len = strcspn(s, "\n");
        s[len] = '\0';
        argv[argc++] = s;
        s += len + 1;
    }
    argv[argc] = NULL;
    pk_cli cli;
    char msg[1400];
    int rc = pk_cli_parse(argc, argv, &cli, msg, sizeof msg);
    /* a refusal always says why; an accepted command names its file(s) */
    if (rc != 0 && msg[0] == '\0')
        abort();
    int named = cli.cmd == PK_CMD_POPFIT   ? cli.pop.n_files > 0
                : cli.cmd == PK_CMD_EXPORT ? cli.n_files > 0
                                           : cli.file != NULL;
    if (rc == 0 && cli.cmd >= PK_CMD_SIMULATE && !named)
        abort();
    free(buf);
    return 0;
}
