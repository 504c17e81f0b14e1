/* pk_stream: blocks of work handed out to the MPI ranks as they ask for
 * them, and brought back to rank 0, which consumes them in block order.
 *
 * Blocks 0, 1, ..., nblocks - 1.  Each rank first gets PK_STREAM_AHEAD
 * block numbers (dealt in turn: block b to rank b mod ranks), then one
 * more for every block it hands in, so a rank on a faster core does more
 * blocks and all ranks finish within about a block of each other,
 * however unevenly their cores run.  A rank asks with the block it hands
 * in and holds a second number meanwhile, so it waits for the answer only
 * when rank 0 is a whole block late with it.  Rank 0 computes blocks too,
 * taking numbers itself, and consumes the blocks strictly in block order
 * as they arrive; it gives out block b only once block b - L is consumed
 * (L = PK_STREAM_WINDOW x ranks), so at most L blocks wait on rank 0:
 * memory flat in the number of blocks.  Which rank computes a block
 * varies from run to run; what rank 0 consumes does not, when a block's
 * contents depend only on its number.
 *
 * A stop (SIGINT/SIGTERM, or a failure) on any rank reaches every rank
 * within a block or two: a rank that stops says so in place of its next
 * block, and rank 0 then answers every rank's next block with a stop.
 * Every message sent is received, so nothing is left in flight at
 * MPI_Finalize.  An MPI error aborts the job (MPI_Abort).
 *
 * All calls are from one thread (the main one: MPI_THREAD_FUNNELED).  With
 * one rank, or without MPI, the stream is a ring of buffers consumed in
 * place and sends nothing. */
#ifndef PK_STREAM_H
#define PK_STREAM_H

#include <stddef.h>

#include "pk_mpi.h"

#define PK_STREAM_WINDOW 4 /* blocks per rank that may wait on rank 0 */
#define PK_STREAM_AHEAD 2  /* block numbers a rank holds (or asked for) at a time */

/* Rank 0 consumes block blk: n doubles, in block order. */
typedef void pk_stream_consume(void *ctx, size_t blk, const double *block);

typedef struct pk_stream pk_stream;

/* A stream of nblocks blocks of n doubles; consume is called on rank 0
 * only.  NULL when out of memory (or a block over INT_MAX doubles).
 * Nothing is sent or posted until the first pk_stream_next: the ranks can
 * agree (pk_mpi_any) that every one opened its stream, and discard them
 * if not. */
pk_stream *pk_stream_open(const pk_mpi *mp, size_t n, size_t nblocks, pk_stream_consume *consume,
                          void *ctx);
/* Frees a stream not yet used (NULL: nothing). */
void pk_stream_discard(pk_stream *s);

/* This rank's next block: its number in *blk, and where to write it (n
 * doubles).  May wait for rank 0 (and on rank 0 consume what arrives).
 * NULL when no block is left for this rank or the run is stopping: leave
 * the loop and close. */
double *pk_stream_next(pk_stream *s, size_t *blk);

/* Hands in the block of the last pk_stream_next; stop nonzero: this rank
 * stops (that block is not consumed).  Returns 1 when the run is stopping
 * (this rank or another). */
int pk_stream_put(pk_stream *s, int stop);

/* Waits for the rest, consumes it on rank 0, frees the stream; stop
 * nonzero: this rank stops after all (a signal after its last block).  A
 * rank that leaves while it holds a block number (or is then given one)
 * stops the run.  Returns
 * 1 on every rank when the run stopped on any rank, else 0.  wait_s (may
 * be NULL): this rank's seconds in next, put and close less those in
 * consume, i.e. waiting on the other ranks.  Collective: every rank
 * closes. */
int pk_stream_close(pk_stream *s, int stop, double *wait_s);

#endif
