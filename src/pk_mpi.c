/* pk_mpi: MPI, or its serial stand-in (see pk_mpi.h). */
#include "pk_mpi.h"

#include <string.h>

#ifdef PKSIM_MPI
#include <mpi.h>

int pk_mpi_init(pk_mpi *mp)
{
    memset(mp, 0, sizeof *mp);
    int inited = 0, provided = 0;
    MPI_Initialized(&inited);
    if (!inited) {
        if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
            return -1;
        mp->started = 1;
    } else {
        MPI_Query_thread(&provided);
    }
    /* OpenMP threads beside MPI need at least FUNNELED */
    if (provided < MPI_THREAD_FUNNELED) {
        pk_mpi_finalize(mp);
        return -1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &mp->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &mp->size);
    return 0;
}

void pk_mpi_finalize(pk_mpi *mp)
{
    if (mp->started)
        MPI_Finalize();
    mp->started = 0;
}

int pk_mpi_any(const pk_mpi *mp, int flag)
{
    int in = flag != 0, out = in;
    if (mp->size > 1)
        MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return out;
}

double pk_mpi_sum(const pk_mpi *mp, double x)
{
    double sum = x;
    if (mp->size > 1)
        MPI_Allreduce(&x, &sum, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    return sum;
}

const char *pk_mpi_build(void)
{
    return "MPI";
}

#else

int pk_mpi_init(pk_mpi *mp)
{
    memset(mp, 0, sizeof *mp);
    mp->size = 1;
    return 0;
}

void pk_mpi_finalize(pk_mpi *mp)
{
    (void)mp;
}

int pk_mpi_any(const pk_mpi *mp, int flag)
{
    (void)mp;
    return flag != 0;
}

double pk_mpi_sum(const pk_mpi *mp, double x)
{
    (void)mp;
    return x;
}

const char *pk_mpi_build(void)
{
    return "serial";
}

#endif
