/* pk_stream on any number of ranks (run alone, or under mpirun -np R):
 * rank 0 consumes every block once, in block order, with its contents,
 * however unevenly the ranks go; a stop on any rank, at any round, stops
 * every rank, rank 0 having consumed a prefix of the blocks that ends
 * before the stopping block; a stop after the last round still stops all.
 * Every check runs on every rank; the exit status is nonzero on a
 * failure (mpirun passes it on).  A hang is a failure too (ctest's
 * timeout). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pk_mpi.h"
#include "pk_stream.h"

static int failures;
static pk_mpi mp;

#define CHECK(cond, ...)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            failures++;                                                                    \
            fprintf(stderr, "test_stream: rank %d of %d: %s:%d: ", mp.rank, mp.size,       \
                    __FILE__, __LINE__);                                                   \
            fprintf(stderr, __VA_ARGS__);                                                  \
            fputc('\n', stderr);                                                           \
        }                                                                                  \
    } while (0)

enum { N = 7 }; /* doubles per block */

/* What rank 0 saw: blocks consumed, and whether each came in order whole. */
typedef struct seen {
    size_t count;
    int out_of_order, bad_content;
} seen;

static void consume(void *ctx, size_t round, int rank, const double *b)
{
    seen *sn = ctx;
    size_t blk = round * (size_t)mp.size + (size_t)rank;
    sn->out_of_order |= blk != sn->count;
    for (int i = 0; i < N; i++)
        sn->bad_content |= b[i] != (double)(blk * 100 + (size_t)i);
    sn->count++;
}

/* A few hundred microseconds that differ by rank and round, so blocks
 * reach rank 0 out of order. */
static void pause_for(size_t r)
{
    unsigned h = (unsigned)(r * 2654435761u) ^ (unsigned)(mp.rank * 40503u);
    struct timespec ts = {0, (long)((h >> 7) % 900 + 50) * 1000L * (mp.rank + 1)};
    nanosleep(&ts, NULL);
}

/* rounds rounds on every rank; stop_rank stops at stop_round (put), or
 * after its last round when stop_round == rounds (close).  Returns what
 * close returned; sn: rank 0's view. */
static int run(size_t rounds, int stop_rank, size_t stop_round, seen *sn)
{
    *sn = (seen){0};
    pk_stream *s = pk_stream_open(&mp, N, rounds, consume, sn);
    CHECK(s != NULL, "open");
    if (!s)
        return -2;
    int late = 0;
    for (size_t r = 0; r < rounds; r++) {
        double *b = pk_stream_slot(s, r);
        if (!b)
            break;
        size_t blk = r * (size_t)mp.size + (size_t)mp.rank;
        for (int i = 0; i < N; i++)
            b[i] = (double)(blk * 100 + (size_t)i);
        pause_for(r);
        int stop = mp.rank == stop_rank && r == stop_round;
        if (pk_stream_put(s, r, stop))
            break;
    }
    late = mp.rank == stop_rank && stop_round == rounds;
    return pk_stream_close(s, late);
}

static void all_blocks(size_t rounds)
{
    seen sn;
    int rc = run(rounds, -1, 0, &sn);
    CHECK(rc == 0, "%zu rounds: close returned %d", rounds, rc);
    if (mp.rank == 0) {
        CHECK(sn.count == rounds * (size_t)mp.size, "%zu rounds: consumed %zu blocks", rounds,
              sn.count);
        CHECK(!sn.out_of_order, "%zu rounds: out of order", rounds);
        CHECK(!sn.bad_content, "%zu rounds: contents", rounds);
    }
}

static void stop_at(int who, size_t round, size_t rounds)
{
    seen sn;
    int rc = run(rounds, who, round, &sn);
    CHECK(rc == 1, "stop by rank %d at round %zu: close returned %d", who, round, rc);
    if (mp.rank == 0) {
        size_t stop_blk = round * (size_t)mp.size + (size_t)who;
        CHECK(sn.count <= stop_blk, "stop by rank %d at round %zu: consumed %zu blocks", who,
              round, sn.count);
        CHECK(!sn.out_of_order && !sn.bad_content, "stop by rank %d: order or contents", who);
    }
}

int main(void)
{
    if (pk_mpi_init(&mp)) {
        fprintf(stderr, "test_stream: MPI cannot start\n");
        return 1;
    }
    all_blocks(1);                    /* fewer rounds than the window */
    all_blocks(PK_STREAM_WINDOW);     /* exactly the window */
    all_blocks(41);                   /* many windows, uneven ranks */
    for (int who = 0; who < mp.size; who++) {
        stop_at(who, 0, 20);          /* before anything was consumed */
        stop_at(who, 6, 20);          /* past the window */
        stop_at(who, 19, 20);         /* the last round */
        stop_at(who, 20, 20);         /* after the last round (a late signal) */
    }
    all_blocks(9);                    /* a stream after stopped ones is whole */
    /* a stream never used is discarded without a word between ranks */
    seen sn = {0};
    pk_stream_discard(pk_stream_open(&mp, N, 3, consume, &sn));
    CHECK(sn.count == 0, "discard consumed %zu", sn.count);
    if (mp.rank == 0)
        printf("test_stream: %d ranks, %d failures\n", mp.size, failures);
    pk_mpi_finalize(&mp);
    return failures != 0;
}
