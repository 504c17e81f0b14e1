/* pk_stream: blocks of work flowing from every MPI rank to rank 0, which
 * consumes them in block order while the ranks run ahead of each other.
 *
 * Rank q computes its rounds 0, 1, 2, ...; round r of rank q is block
 * r x size + q.  A rank hands each round in (pk_stream_put) and goes on
 * with the next one; rank 0 consumes the blocks strictly in block order
 * as they arrive.  Nothing waits for a whole round across ranks: a rank
 * waits only when it is two windows (2 x PK_STREAM_WINDOW rounds) ahead
 * of what rank 0 has consumed of it (and rank 0 when its own oldest
 * unconsumed round is a window back), so one slow block costs its rank
 * alone, and fluctuations between blocks average out over the run
 * instead of adding up round by round.  Memory: PK_STREAM_WINDOW blocks
 * on each rank, size x that on rank 0; flat in the number of rounds.
 *
 * A stop (SIGINT/SIGTERM, or a failure) on any rank reaches every rank
 * within a block or so: a rank that stops sends a last message saying so,
 * rank 0 then tells every rank to stop and drains what was sent, so every
 * message sent is received and nothing is left in flight at
 * MPI_Finalize.  An MPI error aborts the job (MPI_Abort).
 *
 * All calls are from one thread (the main one: MPI_THREAD_FUNNELED).  With
 * one rank, or without MPI, the stream is a ring of buffers consumed in
 * place and sends nothing. */
#ifndef PK_STREAM_H
#define PK_STREAM_H

#include <stddef.h>

#include "pk_mpi.h"

#define PK_STREAM_WINDOW 4 /* rounds a rank may run ahead of rank 0's consumption */

/* Rank 0 consumes block round x size + rank: n doubles, in block order. */
typedef void pk_stream_consume(void *ctx, size_t round, int rank, const double *block);

typedef struct pk_stream pk_stream;

/* A stream of rounds blocks of n doubles per rank; consume is called on
 * rank 0 only.  NULL when out of memory (or a block over INT_MAX doubles).  Nothing is sent or posted
 * until the first pk_stream_slot: the ranks can agree (pk_mpi_any) that
 * every one opened its stream, and discard them if not. */
pk_stream *pk_stream_open(const pk_mpi *mp, size_t n, size_t rounds, pk_stream_consume *consume,
                          void *ctx);
/* Frees a stream not yet used (NULL: nothing). */
void pk_stream_discard(pk_stream *s);

/* Where this rank writes round r (n doubles; rounds in order, each once).
 * May wait for rank 0 (and on rank 0 consume what arrives).  NULL when the
 * run is stopping: leave the loop and close. */
double *pk_stream_slot(pk_stream *s, size_t r);

/* Hands round r in; stop nonzero: this rank stops (round r's block is not
 * consumed).  Returns 1 when the run is stopping (this rank or another). */
int pk_stream_put(pk_stream *s, size_t r, int stop);

/* Waits for the rest, consumes it on rank 0, frees the stream; stop
 * nonzero: this rank stops after all (a signal after its last round).  A
 * rank that leaves before its last round without a stop stops the run.
 * Returns 1 on every rank when the run stopped on any rank, else 0.
 * wait_s (may be NULL): this rank's seconds in slot, put and close less
 * those in consume, i.e. waiting on the other ranks.  Collective: every
 * rank closes. */
int pk_stream_close(pk_stream *s, int stop, double *wait_s);

#endif
