/* pk_stream: blocks handed out on demand, consumed on rank 0 in block
 * order (see pk_stream.h).
 *
 * The conversation.  Rank q > 0 sends rank 0 one message per block number
 * it was given, in the order given: the block (header: 0 and its number,
 * then the n doubles) or, once it stops, the header alone (1 and the
 * number).  Rank 0 answers every block, not a stop, with one word: the
 * sender's next number, NONE when every block is given out, or STOP.  So
 * a rank holds, or awaits answers for, PK_STREAM_AHEAD numbers at any
 * time, and rank 0 always knows which message comes next from each rank:
 * the earliest number it gave that rank and has not received, and
 * receives it straight into its slot, b mod L (posted when it gives the
 * number: only blocks of the first deal can arrive before that).  An
 * answer that would give a number L ahead of consumption waits (owed)
 * until consumption moves.  An MPI error ends the job (MPI_Abort): a rank
 * that can no longer talk would leave the others waiting for it. */
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
#define D PK_STREAM_AHEAD

enum { TAG_BLOCK = 71, TAG_NEXT = 72 };
enum { HEAD = 2 };            /* a message's header doubles: 1 for a stop, the block number */
enum { NONE = -1, STOP = -2 }; /* answers besides a block number */

struct pk_stream {
    const pk_mpi *mp;
    size_t len;       /* doubles per message: HEAD + n */
    size_t nblocks;
    pk_stream_consume *consume;
    void *ctx;
    double *buf;      /* rank 0: L slots, block b in slot b % L; other ranks: W send slots */
    size_t L;         /* rank 0: blocks that may wait to be consumed */
    size_t hold[D];   /* numbers this rank holds, oldest first (a ring) */
    size_t hold_head, hold_n;
    size_t cur;       /* the block of the last next, not yet put (has_cur) */
    int has_cur;
    int started;      /* the first numbers are dealt (and rank 0's receives posted) */
    int stopping;     /* this rank knows the run stops */
    double in_s;      /* time in next, put and close */
    double consume_s; /* of which in consume: work, not waiting */
    size_t done;      /* rank 0: blocks consumed (the next to consume) */
    size_t given;     /* rank 0: block numbers given out (the next to give) */
    unsigned char *here; /* rank 0: slot i holds a block to consume */
#ifdef PKSIM_MPI
    /* rank 0, for each rank q: entries q x D + i */
    size_t *tok;        /* numbers given to q, not yet received (a ring at tok_head[q]) */
    size_t *tok_head, *tok_n;
    MPI_Request *rreq;  /* their receives */
    long long *ans;     /* answers to q (a ring: ans_n[q] sent) */
    size_t *ans_n;
    MPI_Request *areq;
    int *owed;          /* ranks owed an answer, oldest first (a ring of size x D) */
    size_t owed_head, owed_n;
    MPI_Request *any_req; /* scratch for MPI_Waitany: each rank's oldest receive */
    int *any_q;
    /* other ranks */
    MPI_Request sreq[W]; /* sends, message k from slot k % W */
    size_t sent;
    long long reply[D];  /* answers awaited, answer k at k % D */
    MPI_Request qreq[D];
    size_t asked, answered;
#endif
};

static void fatal(const char *what)
{
    fprintf(stderr, "pksim: stream: %s: stopping every rank\n", what);
#ifdef PKSIM_MPI
    MPI_Abort(MPI_COMM_WORLD, 1);
#endif
    abort();
}

static void hold_push(pk_stream *s, size_t b)
{
    if (s->hold_n == D)
        fatal("more block numbers than a rank holds");
    s->hold[(s->hold_head + s->hold_n++) % D] = b;
}

static size_t hold_pop(pk_stream *s)
{
    size_t b = s->hold[s->hold_head];
    s->hold_head = (s->hold_head + 1) % D;
    s->hold_n--;
    return b;
}

static double *slot0(const pk_stream *s, size_t b)
{
    return s->buf + (b % s->L) * s->len;
}

#ifdef PKSIM_MPI
static void mpi_ok(int rc, const char *call)
{
    if (rc != MPI_SUCCESS) {
        fprintf(stderr, "pksim: MPI: %s failed (%d): stopping every rank\n", call, rc);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
}

/* Rank 0: block b goes to rank q; its receive is posted now. */
static void give(pk_stream *s, int q, size_t b)
{
    size_t i = (size_t)q * D + (s->tok_head[q] + s->tok_n[q]++) % D;
    s->tok[i] = b;
    mpi_ok(MPI_Irecv(slot0(s, b), (int)s->len, MPI_DOUBLE, q, TAG_BLOCK, MPI_COMM_WORLD,
                     &s->rreq[i]), "MPI_Irecv");
}

/* Rank 0: the answers owed, oldest first, as far as consumption allows. */
static void serve(pk_stream *s)
{
    size_t cap = (size_t)s->mp->size * D;
    while (s->owed_n) {
        int q = s->owed[s->owed_head];
        long long w;
        if (s->stopping)
            w = STOP;
        else if (s->given >= s->nblocks)
            w = NONE;
        else if (s->given < s->done + s->L) {
            w = (long long)s->given;
            give(s, q, s->given++);
        } else
            return; /* the window is full: the answer waits for consumption */
        /* the answer D before this one was received: the rank holds D
         * numbers or answers at most */
        size_t i = (size_t)q * D + s->ans_n[q]++ % D;
        mpi_ok(MPI_Wait(&s->areq[i], MPI_STATUS_IGNORE), "MPI_Wait");
        s->ans[i] = w;
        mpi_ok(MPI_Isend(&s->ans[i], 1, MPI_LONG_LONG, q, TAG_NEXT, MPI_COMM_WORLD, &s->areq[i]),
               "MPI_Isend");
        s->owed_head = (s->owed_head + 1) % cap;
        s->owed_n--;
    }
}

/* Rank 0: rank q's oldest message has arrived. */
static void arrived(pk_stream *s, int q)
{
    size_t i = (size_t)q * D + s->tok_head[q];
    size_t b = s->tok[i];
    const double *m = slot0(s, b);
    if (m[1] != (double)b)
        fatal("a block came with another block's number");
    s->tok_head[q] = (s->tok_head[q] + 1) % D;
    s->tok_n[q]--;
    if (m[0] != 0) { /* a stop, in place of block b */
        s->stopping = 1;
        return;
    }
    s->here[b % s->L] = 1;
    s->owed[(s->owed_head + s->owed_n++) % ((size_t)s->mp->size * D)] = q;
}

/* Rank 0: takes in what has arrived; wait: and when nothing had, waits
 * for the first to arrive. */
static void take_in(pk_stream *s, int wait)
{
    int any = 0, n = 0;
    for (int q = 1; q < s->mp->size; q++)
        while (s->tok_n[q]) {
            int flag = 0;
            mpi_ok(MPI_Test(&s->rreq[(size_t)q * D + s->tok_head[q]], &flag, MPI_STATUS_IGNORE),
                   "MPI_Test");
            if (!flag)
                break;
            arrived(s, q);
            any = 1;
        }
    if (!wait || any)
        return;
    for (int q = 1; q < s->mp->size; q++)
        if (s->tok_n[q]) {
            s->any_req[n] = s->rreq[(size_t)q * D + s->tok_head[q]];
            s->any_q[n++] = q;
        }
    if (!n)
        fatal("rank 0 waits for a block no rank holds");
    int k = 0;
    mpi_ok(MPI_Waitany(n, s->any_req, &k, MPI_STATUS_IGNORE), "MPI_Waitany");
    s->rreq[(size_t)s->any_q[k] * D + s->tok_head[s->any_q[k]]] = MPI_REQUEST_NULL;
    arrived(s, s->any_q[k]);
}
#endif

/* Rank 0: takes in what arrived (wait: at least one block, when none
 * had), consumes in order what is there, answers what it can. */
static void advance(pk_stream *s, int wait)
{
#ifdef PKSIM_MPI
    take_in(s, wait);
#else
    if (wait)
        fatal("rank 0 waits for a block no rank holds");
#endif
    while (!s->stopping && s->done < s->given && s->here[s->done % s->L]) {
        s->here[s->done % s->L] = 0;
        double t = pk_clock_s();
        s->consume(s->ctx, s->done, slot0(s, s->done) + HEAD);
        s->consume_s += pk_clock_s() - t;
        s->done++;
    }
#ifdef PKSIM_MPI
    serve(s);
#endif
}

static void stream_free(pk_stream *s)
{
    if (!s)
        return;
#ifdef PKSIM_MPI
    free(s->tok);
    free(s->tok_head);
    free(s->tok_n);
    free(s->rreq);
    free(s->ans);
    free(s->ans_n);
    free(s->areq);
    free(s->owed);
    free(s->any_req);
    free(s->any_q);
#endif
    free(s->here);
    free(s->buf);
    free(s);
}

pk_stream *pk_stream_open(const pk_mpi *mp, size_t n, size_t nblocks, pk_stream_consume *consume,
                          void *ctx)
{
    pk_stream *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    size_t R = mp->rank == 0 ? (size_t)mp->size : 1; /* ranks this one keeps state for */
    *s = (pk_stream){.mp = mp, .len = n + HEAD, .nblocks = nblocks, .consume = consume,
                     .ctx = ctx, .L = (size_t)W * (size_t)mp->size};
    size_t slots = mp->rank == 0 ? s->L : W;
    /* a message counts its doubles in an int; the buffers' size in size_t */
    int ok = n < INT_MAX - HEAD && s->len <= SIZE_MAX / sizeof(double) / slots;
    s->buf = ok ? calloc(slots * s->len, sizeof *s->buf) : NULL;
    s->here = calloc(mp->rank == 0 ? s->L : 1, 1);
    ok = s->buf && s->here;
#ifdef PKSIM_MPI
    s->tok = malloc(R * D * sizeof *s->tok);
    s->tok_head = calloc(R, sizeof *s->tok_head);
    s->tok_n = calloc(R, sizeof *s->tok_n);
    s->rreq = malloc(R * D * sizeof *s->rreq);
    s->ans = calloc(R * D, sizeof *s->ans);
    s->ans_n = calloc(R, sizeof *s->ans_n);
    s->areq = malloc(R * D * sizeof *s->areq);
    s->owed = malloc(R * D * sizeof *s->owed);
    s->any_req = malloc(R * sizeof *s->any_req);
    s->any_q = malloc(R * sizeof *s->any_q);
    ok = ok && s->tok && s->tok_head && s->tok_n && s->rreq && s->ans && s->ans_n && s->areq &&
         s->owed && s->any_req && s->any_q;
#else
    (void)R;
#endif
    if (!ok) {
        stream_free(s);
        return NULL;
    }
#ifdef PKSIM_MPI
    for (size_t i = 0; i < R * D; i++)
        s->rreq[i] = s->areq[i] = MPI_REQUEST_NULL;
    for (int i = 0; i < W; i++)
        s->sreq[i] = MPI_REQUEST_NULL;
    for (int i = 0; i < D; i++)
        s->qreq[i] = MPI_REQUEST_NULL;
#endif
    return s;
}

void pk_stream_discard(pk_stream *s)
{
    stream_free(s);
}

/* The first D numbers of every rank, dealt in turn (block b to rank b mod
 * ranks); rank 0 posts the receives of the others'. */
static void start(pk_stream *s)
{
    if (s->started)
        return;
    s->started = 1;
    size_t R = (size_t)s->mp->size, first = R * D < s->nblocks ? R * D : s->nblocks;
    for (size_t b = 0; b < first; b++) {
        int q = (int)(b % R);
        if (q == s->mp->rank)
            hold_push(s, b);
#ifdef PKSIM_MPI
        else if (s->mp->rank == 0)
            give(s, q, b);
#endif
    }
    s->given = first;
}

#ifdef PKSIM_MPI
/* Other ranks: an answer heard. */
static void heard(pk_stream *s, long long w)
{
    if (w >= 0)
        hold_push(s, (size_t)w);
    else if (w == STOP)
        s->stopping = 1;
}

/* Other ranks: the answers that have arrived, in order (wait: the oldest
 * awaited at least). */
static void listen(pk_stream *s, int wait)
{
    while (s->answered < s->asked) {
        MPI_Request *rq = &s->qreq[s->answered % D];
        int flag = 1;
        if (wait)
            mpi_ok(MPI_Wait(rq, MPI_STATUS_IGNORE), "MPI_Wait");
        else
            mpi_ok(MPI_Test(rq, &flag, MPI_STATUS_IGNORE), "MPI_Test");
        if (!flag)
            return;
        wait = 0;
        heard(s, s->reply[s->answered++ % D]);
    }
}

/* Other ranks: the send slot of the next message, free. */
static double *send_slot(pk_stream *s)
{
    mpi_ok(MPI_Wait(&s->sreq[s->sent % W], MPI_STATUS_IGNORE), "MPI_Wait");
    return s->buf + (s->sent % W) * s->len;
}

/* Other ranks: block b, or a stop in its place, to rank 0 (from the send
 * slot, free); a block asks for an answer. */
static void send_msg(pk_stream *s, size_t b, int stop)
{
    double *m = s->buf + (s->sent % W) * s->len;
    m[0] = stop != 0;
    m[1] = (double)b;
    mpi_ok(MPI_Isend(m, stop ? HEAD : (int)s->len, MPI_DOUBLE, 0, TAG_BLOCK, MPI_COMM_WORLD,
                     &s->sreq[s->sent++ % W]), "MPI_Isend");
    if (!stop) {
        mpi_ok(MPI_Irecv(&s->reply[s->asked % D], 1, MPI_LONG_LONG, 0, TAG_NEXT, MPI_COMM_WORLD,
                         &s->qreq[s->asked % D]), "MPI_Irecv");
        s->asked++;
    }
}
#endif

static double *next(pk_stream *s, size_t *blk)
{
    start(s);
    if (s->stopping || s->has_cur)
        return NULL;
    size_t b;
    double *slot;
    if (s->mp->rank == 0) {
        /* its first deal, then the next number, once the window has room */
        advance(s, 0);
        while (!s->stopping && !s->hold_n && s->given < s->nblocks &&
               s->given >= s->done + s->L)
            advance(s, 1);
        if (s->stopping || (!s->hold_n && s->given >= s->nblocks))
            return NULL;
        b = s->hold_n ? hold_pop(s) : s->given++;
        slot = slot0(s, b);
    } else {
#ifdef PKSIM_MPI
        listen(s, 0);
        while (!s->stopping && !s->hold_n && s->answered < s->asked)
            listen(s, 1);
        if (s->stopping || !s->hold_n)
            return NULL;
        b = hold_pop(s);
        slot = send_slot(s);
#else
        return NULL;
#endif
    }
    s->cur = b;
    s->has_cur = 1;
    *blk = b;
    return slot + HEAD;
}

static int put(pk_stream *s, int stop)
{
    if (!s->has_cur)
        return s->stopping |= stop != 0;
    s->has_cur = 0;
    if (s->mp->rank == 0) {
        s->stopping |= stop != 0;
        if (!s->stopping)
            s->here[s->cur % s->L] = 1;
        advance(s, 0);
        return s->stopping;
    }
#ifdef PKSIM_MPI
    listen(s, 0);
    s->stopping |= stop != 0;
    send_msg(s, s->cur, s->stopping); /* stopping: a stop in its place */
#endif
    return s->stopping;
}

double *pk_stream_next(pk_stream *s, size_t *blk)
{
    double t = pk_clock_s();
    double *b = next(s, blk);
    s->in_s += pk_clock_s() - t;
    return b;
}

int pk_stream_put(pk_stream *s, int stop)
{
    double t = pk_clock_s();
    int stopping = put(s, stop);
    s->in_s += pk_clock_s() - t;
    return stopping;
}

/* Rank 0: the blocks still due, or, stopping, every message still to
 * come (each rank's numbers not yet received), every block answered. */
static void close0(pk_stream *s)
{
    /* left while holding a number, or before every block was given: a stop */
    s->stopping |= s->has_cur || s->hold_n || s->given < s->nblocks;
    while (!s->stopping && s->done < s->nblocks)
        advance(s, 1);
#ifdef PKSIM_MPI
    serve(s);
    for (int q = 1; q < s->mp->size; q++)
        while (s->tok_n[q]) {
            MPI_Request *rq = &s->rreq[(size_t)q * D + s->tok_head[q]];
            mpi_ok(MPI_Wait(rq, MPI_STATUS_IGNORE), "MPI_Wait");
            arrived(s, q);
            serve(s);
        }
    if (s->owed_n)
        fatal("an answer owed at the end");
    mpi_ok(MPI_Waitall((int)((size_t)s->mp->size * D), s->areq, MPI_STATUSES_IGNORE),
           "MPI_Waitall");
#endif
}

#ifdef PKSIM_MPI
/* Other ranks: anything held or still to be answered becomes a stop
 * message, so rank 0 receives one message per number it gave. */
static void close_rank(pk_stream *s)
{
    /* left while holding a number: a stop (the answers still awaited are
     * heard first: a number among them is one too, a NONE is not) */
    s->stopping |= s->has_cur || s->hold_n;
    if (s->has_cur) {
        send_slot(s);
        send_msg(s, s->cur, 1);
        s->has_cur = 0;
    }
    while (s->hold_n || s->answered < s->asked) {
        s->stopping |= s->hold_n != 0;
        while (s->hold_n) {
            size_t b = hold_pop(s);
            send_slot(s);
            send_msg(s, b, 1);
        }
        listen(s, 1);
    }
    mpi_ok(MPI_Waitall(W, s->sreq, MPI_STATUSES_IGNORE), "MPI_Waitall");
}
#endif

int pk_stream_close(pk_stream *s, int stop, double *wait_s)
{
    const pk_mpi *mp = s->mp;
    double t = pk_clock_s();
    start(s);
    if (mp->rank == 0)
        close0(s);
#ifdef PKSIM_MPI
    else
        close_rank(s);
#endif
    int stopped = s->stopping || stop;
    if (wait_s)
        *wait_s = s->in_s + (pk_clock_s() - t) - s->consume_s;
    stream_free(s);
    /* every rank ends here: agree on the outcome */
    return pk_mpi_any(mp, stopped);
}
