/* pk_stream: blocks from every rank, consumed on rank 0 in block order
 * (see pk_stream.h).
 *
 * Every block travels with a header double: 0, data; 1, its rank stops
 * here (the block is not data and the rank sends nothing after it).  Rank
 * q sends exactly its rounds in order, or fewer ending in a header of 1;
 * rank 0 keeps up to PK_STREAM_WINDOW receives posted per rank, reposting
 * a slot once its block is consumed, and at the end sends every rank one
 * word: 0, done; 1, stopped.  Sends are synchronous (MPI_Issend): one
 * completes only once rank 0 has posted its receive, that is consumed
 * the round a window before, so a rank waiting for its oldest send before
 * reusing the slot runs at most two windows ahead, whatever MPI's eager
 * limit (a standard send of a small block completes at once and would
 * let a rank run ahead without bound, queueing its blocks on rank 0).
 * An MPI error ends the job (MPI_Abort): a rank that can no longer talk
 * would leave the others waiting for it. */
#include "pk_stream.h"

#include "pk_clock.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef PKSIM_MPI
#include <mpi.h>
#endif

#define W PK_STREAM_WINDOW

enum { TAG_BLOCK = 71, TAG_END = 72 };

struct pk_stream {
    const pk_mpi *mp;
    size_t len;        /* doubles per block with its header (n + 1) */
    size_t rounds;     /* rounds per rank */
    pk_stream_consume *consume;
    void *ctx;
    double *buf;       /* rank 0: size x W blocks (rank q's round r at q x W + r % W); else W */
    size_t next;       /* rank 0: blocks consumed (block b: round b / size of rank b % size) */
    size_t own;        /* rounds this rank has handed in */
    int started;       /* the receives are posted */
    int stopping;      /* this rank knows the run stops */
    int said_last;     /* other ranks: the message ending this rank's blocks is sent */
    double in_s;       /* time in slot, put and close */
    double consume_s;  /* of which in consume: work, not waiting */
#ifdef PKSIM_MPI
    MPI_Request *req;  /* rank 0: receives, q x W + r % W; other ranks: sends, r % W */
    size_t *got;       /* rank 0: blocks received from rank q (consumed, unless stopping) */
    size_t *posted;    /* rank 0: receives posted for rank q */
    int *ended;        /* rank 0: rank q's last message arrived */
    MPI_Request end_req; /* other ranks: rank 0's last word */
    int end_word, end_seen;
#endif
};

static double *block(const pk_stream *s, int q, size_t r)
{
    return s->buf + ((size_t)q * W + r % W) * s->len;
}

#ifdef PKSIM_MPI
static void mpi_ok(int rc, const char *call)
{
    if (rc != MPI_SUCCESS) {
        fprintf(stderr, "pksim: MPI: %s failed (%d): stopping every rank\n", call, rc);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
}

/* Rank 0: receives for rank q's next rounds, into slots already consumed. */
static void post(pk_stream *s, int q)
{
    while (s->posted[q] < s->rounds && s->posted[q] < s->got[q] + W) {
        size_t r = s->posted[q]++;
        mpi_ok(MPI_Irecv(block(s, q, r), (int)s->len, MPI_DOUBLE, q, TAG_BLOCK, MPI_COMM_WORLD,
                         &s->req[(size_t)q * W + r % W]), "MPI_Irecv");
    }
}

/* Rank 0: rank q's next block, waiting for it or not; 1 when it is there. */
static int receive(pk_stream *s, int q, int wait)
{
    int flag = 1;
    MPI_Request *rq = &s->req[(size_t)q * W + s->got[q] % W];
    if (wait)
        mpi_ok(MPI_Wait(rq, MPI_STATUS_IGNORE), "MPI_Wait");
    else
        mpi_ok(MPI_Test(rq, &flag, MPI_STATUS_IGNORE), "MPI_Test");
    if (!flag)
        return 0;
    if (block(s, q, s->got[q]++)[0] != 0)
        s->ended[q] = s->stopping = 1;
    return 1;
}
#endif

/* Rank 0: consumes blocks in order while they are there (wait: while they
 * are due); stops at its own round not yet handed in. */
static void advance(pk_stream *s, int wait)
{
    size_t R = (size_t)s->mp->size, total = s->rounds * R;
    while (!s->stopping && s->next < total) {
        size_t r = s->next / R;
        int q = (int)(s->next % R);
        if (q == 0 && r >= s->own)
            return;
#ifdef PKSIM_MPI
        if (q != 0 && (!receive(s, q, wait) || s->stopping))
            return;
#else
        (void)wait;
#endif
        double t = pk_clock_s();
        s->consume(s->ctx, r, q, block(s, q, r) + 1);
        s->consume_s += pk_clock_s() - t;
        s->next++;
#ifdef PKSIM_MPI
        if (q != 0)
            post(s, q);
#endif
    }
}

static void stream_free(pk_stream *s)
{
    if (!s)
        return;
#ifdef PKSIM_MPI
    free(s->req);
    free(s->got);
    free(s->posted);
    free(s->ended);
#endif
    free(s->buf);
    free(s);
}

pk_stream *pk_stream_open(const pk_mpi *mp, size_t n, size_t rounds, pk_stream_consume *consume,
                          void *ctx)
{
    pk_stream *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    size_t R = mp->rank == 0 ? (size_t)mp->size : 1;
    *s = (pk_stream){.mp = mp, .len = n + 1, .rounds = rounds, .consume = consume, .ctx = ctx};
    /* a message counts its doubles in an int; the buffers' size in size_t */
    int ok = n < INT_MAX && s->len <= SIZE_MAX / sizeof(double) / W / R;
    s->buf = ok ? calloc(R * W * s->len, sizeof *s->buf) : NULL;
    ok = s->buf != NULL;
#ifdef PKSIM_MPI
    s->req = malloc(R * W * sizeof *s->req);
    s->got = calloc(R, sizeof *s->got);
    s->posted = calloc(R, sizeof *s->posted);
    s->ended = calloc(R, sizeof *s->ended);
    ok = ok && s->req && s->got && s->posted && s->ended;
#endif
    if (!ok) {
        stream_free(s);
        return NULL;
    }
#ifdef PKSIM_MPI
    for (size_t i = 0; i < R * W; i++)
        s->req[i] = MPI_REQUEST_NULL;
    s->end_req = MPI_REQUEST_NULL;
#endif
    return s;
}

#ifdef PKSIM_MPI
/* Other ranks: has rank 0 said its last word (a stop, since it says it
 * only after consuming every round of this rank)? */
static void heard_end(pk_stream *s)
{
    int flag = 0;
    if (!s->end_seen) {
        mpi_ok(MPI_Test(&s->end_req, &flag, MPI_STATUS_IGNORE), "MPI_Test");
        if (flag) {
            s->end_seen = 1;
            s->stopping |= s->end_word != 0;
        }
    }
}

/* Other ranks: round r's block goes to rank 0 (its slot's last send is
 * done); last: this rank sends nothing after it. */
static void send_block(pk_stream *s, size_t r, int last)
{
    double *b = block(s, 0, r);
    b[0] = last;
    s->said_last = last;
    mpi_ok(MPI_Issend(b, (int)s->len, MPI_DOUBLE, 0, TAG_BLOCK, MPI_COMM_WORLD, &s->req[r % W]),
           "MPI_Issend");
}
#endif

void pk_stream_discard(pk_stream *s)
{
    stream_free(s);
}

/* The receives every rank keeps posted: rank 0's first rounds of every
 * rank, another rank's for rank 0's last word. */
static void start(pk_stream *s)
{
    if (s->started)
        return;
    s->started = 1;
#ifdef PKSIM_MPI
    if (s->mp->rank == 0)
        for (int q = 1; q < s->mp->size; q++)
            post(s, q);
    else
        mpi_ok(MPI_Irecv(&s->end_word, 1, MPI_INT, 0, TAG_END, MPI_COMM_WORLD, &s->end_req),
               "MPI_Irecv");
#endif
}

static double *slot(pk_stream *s, size_t r)
{
    start(s);
    if (s->stopping)
        return NULL;
    if (s->mp->rank == 0) {
        size_t R = (size_t)s->mp->size;
        /* own round r - W must be consumed: it shares the slot */
        while (r >= W && s->next <= (r - W) * R && !s->stopping)
            advance(s, 1);
        return s->stopping ? NULL : block(s, 0, r) + 1;
    }
#ifdef PKSIM_MPI
    mpi_ok(MPI_Wait(&s->req[r % W], MPI_STATUS_IGNORE), "MPI_Wait");
    heard_end(s);
    if (s->stopping) { /* rank 0 stops the run: say this rank's last word */
        send_block(s, r, 1);
        return NULL;
    }
#endif
    return block(s, 0, r) + 1;
}

static int put(pk_stream *s, size_t r, int stop)
{
    s->own = r + 1;
    if (s->mp->rank == 0) {
        s->stopping |= stop != 0;
        advance(s, 0);
        return s->stopping;
    }
#ifdef PKSIM_MPI
    heard_end(s);
    s->stopping |= stop != 0;
    send_block(s, r, s->stopping);
#endif
    return s->stopping;
}

double *pk_stream_slot(pk_stream *s, size_t r)
{
    double t = pk_clock_s();
    double *b = slot(s, r);
    s->in_s += pk_clock_s() - t;
    return b;
}

int pk_stream_put(pk_stream *s, size_t r, int stop)
{
    double t = pk_clock_s();
    int stopping = put(s, r, stop);
    s->in_s += pk_clock_s() - t;
    return stopping;
}

int pk_stream_close(pk_stream *s, int stop, double *wait_s)
{
    const pk_mpi *mp = s->mp;
    double t = pk_clock_s();
    start(s);
    int stopped;
    if (mp->rank == 0) {
        s->stopping |= s->own < s->rounds; /* left before its last round: a stop */
        while (!s->stopping && s->next < s->rounds * (size_t)mp->size)
            advance(s, 1);
        stopped = s->stopping || stop;
#ifdef PKSIM_MPI
        int word = s->stopping;
        for (int q = 1; q < mp->size; q++)
            mpi_ok(MPI_Send(&word, 1, MPI_INT, q, TAG_END, MPI_COMM_WORLD), "MPI_Send");
        /* stopping: take in what every rank sent up to its last word, and
         * withdraw the receives nothing will match */
        for (int q = 1; q < mp->size && s->stopping; q++) {
            while (!s->ended[q] && s->got[q] < s->rounds) {
                receive(s, q, 1);
                post(s, q);
            }
            for (size_t r = s->got[q]; r < s->posted[q]; r++) {
                MPI_Request *rq = &s->req[(size_t)q * W + r % W];
                mpi_ok(MPI_Cancel(rq), "MPI_Cancel");
                mpi_ok(MPI_Wait(rq, MPI_STATUS_IGNORE), "MPI_Wait");
            }
        }
#endif
    } else {
#ifdef PKSIM_MPI
        if (!s->said_last && s->own < s->rounds) { /* left early: rank 0 must hear of it */
            mpi_ok(MPI_Wait(&s->req[s->own % W], MPI_STATUS_IGNORE), "MPI_Wait");
            send_block(s, s->own, 1);
            s->stopping = 1;
        }
        mpi_ok(MPI_Waitall(W, s->req, MPI_STATUSES_IGNORE), "MPI_Waitall");
        if (!s->end_seen) {
            mpi_ok(MPI_Wait(&s->end_req, MPI_STATUS_IGNORE), "MPI_Wait");
            s->stopping |= s->end_word != 0;
        }
#endif
        stopped = s->stopping || stop;
    }
    if (wait_s)
        *wait_s = s->in_s + (pk_clock_s() - t) - s->consume_s;
    stream_free(s);
    /* every rank ends here: agree on the outcome */
    return pk_mpi_any(mp, stopped);
}
