/* pk_stream on any number of ranks (run alone, or under mpirun -np R):
 * rank 0 consumes every block once, in block order, with its contents,
 * however unevenly the ranks go; a stop on any rank, at any round, stops
 * every rank, rank 0 having consumed a prefix of the blocks that ends
 * before the stopping block; a stop after the last round still stops all;
 * nothing is left in flight after a stream; a rank runs at most two
 * windows ahead of rank 0's consumption, however small its blocks (small
 * messages complete at once with a standard send).
 * Every check runs on every rank; the exit status is nonzero on a
 * failure (mpirun passes it on).  A hang is a failure too (ctest's
 * timeout). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pk_mpi.h"
#include "pk_stream.h"

#ifdef PKSIM_MPI
#include <mpi.h>
#endif

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

enum { MAX_ROUNDS = 64, MAX_RANKS = 8 };

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* one clock for every process of this machine */
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* What rank 0 saw: blocks consumed, and whether each came in order whole;
 * when a block began to be consumed; slow: sleep that long per block. */
typedef struct seen {
    size_t count;
    int out_of_order, bad_content;
    double t_consumed[MAX_RANKS][MAX_ROUNDS];
    long slow_ns;
} seen;

static void consume(void *ctx, size_t round, int rank, const double *b)
{
    seen *sn = ctx;
    if (round < MAX_ROUNDS && rank < MAX_RANKS)
        sn->t_consumed[rank][round] = now_s();
    if (sn->slow_ns) {
        struct timespec ts = {0, sn->slow_ns};
        nanosleep(&ts, NULL);
    }
    size_t blk = round * (size_t)mp.size + (size_t)rank;
    sn->out_of_order |= blk != sn->count;
    for (int i = 0; i < N; i++)
        sn->bad_content |= b[i] != (double)(blk * 100 + (size_t)i);
    sn->count++;
}

/* This rank's round r: block number x 100 + i, which consume checks. */
static void fill(double *b, size_t r)
{
    size_t blk = r * (size_t)mp.size + (size_t)mp.rank;
    for (int i = 0; i < N; i++)
        b[i] = (double)(blk * 100 + (size_t)i);
}

/* A few hundred microseconds that differ by rank and round, so blocks
 * reach rank 0 out of order. */
static void pause_for(size_t r)
{
    unsigned h = (unsigned)(r * 2654435761u) ^ (unsigned)(mp.rank * 40503u);
    struct timespec ts = {0, (long)((h >> 7) % 900 + 50) * 1000L * (mp.rank + 1)};
    nanosleep(&ts, NULL);
}

/* After a stream: no message waits to be received anywhere (then all
 * ranks pass a barrier, so the next stream's messages are not taken for
 * leftovers). */
static void no_leftovers(void)
{
#ifdef PKSIM_MPI
    int flag = 0;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
    CHECK(!flag, "a message left over after a stream");
    MPI_Barrier(MPI_COMM_WORLD);
#endif
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
        fill(b, r);
        pause_for(r);
        int stop = mp.rank == stop_rank && r == stop_round;
        if (pk_stream_put(s, r, stop))
            break;
    }
    late = mp.rank == stop_rank && stop_round == rounds;
    int rc = pk_stream_close(s, late, NULL);
    no_leftovers();
    return rc;
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

/* Rank 0 consumes slowly (2 ms a block), the others hand blocks in as
 * fast as they can: rank q's slot for round r opens only after rank 0
 * began consuming q's round r - 2 x window. */
static void run_ahead_bounded(void)
{
#ifdef PKSIM_MPI
    enum { ROUNDS = 40, AHEAD = 2 * PK_STREAM_WINDOW };
    if (mp.size > MAX_RANKS)
        return;
    static seen sn;
    sn = (seen){.slow_ns = 2000000L};
    double t_slot[ROUNDS] = {0}, all[MAX_RANKS * ROUNDS];
    pk_stream *s = pk_stream_open(&mp, N, ROUNDS, consume, &sn);
    CHECK(s != NULL, "open");
    if (!s)
        return;
    for (size_t r = 0; r < ROUNDS; r++) {
        double *b = pk_stream_slot(s, r);
        t_slot[r] = now_s();
        if (b)
            fill(b, r);
        pk_stream_put(s, r, 0);
    }
    double wait_s = -1;
    CHECK(pk_stream_close(s, 0, &wait_s) == 0, "close");
    CHECK(wait_s >= 0, "waiting %g s", wait_s);
    no_leftovers();
    MPI_Gather(t_slot, ROUNDS, MPI_DOUBLE, all, ROUNDS, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    int early = 0;
    for (int q = 1; mp.rank == 0 && q < mp.size; q++)
        for (size_t r = AHEAD; r < ROUNDS; r++)
            early += all[(size_t)q * ROUNDS + r] < sn.t_consumed[q][r - AHEAD];
    CHECK(!early, "%d slots opened more than two windows ahead of rank 0", early);
    CHECK(mp.rank != 0 || sn.count == ROUNDS * (size_t)mp.size, "consumed %zu", sn.count);
#endif
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
    run_ahead_bounded();
    /* a stream never used is discarded without a word between ranks */
    seen sn = {0};
    pk_stream_discard(pk_stream_open(&mp, N, 3, consume, &sn));
    CHECK(sn.count == 0, "discard consumed %zu", sn.count);
    if (mp.rank == 0)
        printf("test_stream: %d ranks, %d failures\n", mp.size, failures);
    pk_mpi_finalize(&mp);
    return failures != 0;
}
