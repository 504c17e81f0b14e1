/* pk_mpi: the few MPI calls a trial needs, or their one-process stand-ins
 * when pksim is built without MPI (PKSIM_MPI off or MPI not found).
 * Everything runs on MPI_COMM_WORLD and is called from the main thread
 * only (MPI_THREAD_FUNNELED: OpenMP threads never call MPI).  A pksim
 * built with MPI also runs without mpirun, as a one-rank singleton. */
#ifndef PK_MPI_H
#define PK_MPI_H

#include <stddef.h>

typedef struct pk_mpi {
    int rank, size;  /* this process and the number of processes */
    int started;     /* 1: MPI_Init ran here, finalize must run */
} pk_mpi;

/* Initialises MPI (funneled threads); without MPI rank 0 of 1.  Returns 0,
 * or -1 when MPI cannot start or cannot give the main thread's MPI calls
 * OpenMP threads beside them (MPI_THREAD_FUNNELED). */
int pk_mpi_init(pk_mpi *mp);
void pk_mpi_finalize(pk_mpi *mp);

/* 1 on every rank when flag is nonzero on any rank (a stop, a failure). */
int pk_mpi_any(const pk_mpi *mp, int flag);

/* The sum of x over the ranks, on every rank. */
double pk_mpi_sum(const pk_mpi *mp, double x);

/* "MPI (Open MPI 4.1.4)" or "serial (no MPI)": for the summary. */
const char *pk_mpi_build(void);

#endif
