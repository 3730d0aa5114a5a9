#pragma once
#include <mpi.h>

// Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, ...) are macros over addresses of global objects,
// which Swift cannot import: these accessors return them as values.
static inline MPI_Comm earmark_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype earmark_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype earmark_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype earmark_mpi_uint64(void) { return MPI_UINT64_T; }
static inline MPI_Datatype earmark_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Op earmark_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op earmark_mpi_max(void) { return MPI_MAX; }
static inline MPI_Errhandler earmark_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline void *earmark_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline int earmark_mpi_success(void) { return MPI_SUCCESS; }
static inline int earmark_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }

// Open MPI's version as compiled against (header macros), for `--version` outside mpirun.
static inline int earmark_ompi_major(void) { return OMPI_MAJOR_VERSION; }
static inline int earmark_ompi_minor(void) { return OMPI_MINOR_VERSION; }
static inline int earmark_ompi_release(void) { return OMPI_RELEASE_VERSION; }
static inline int earmark_mpi_max_library_version_string(void) { return MPI_MAX_LIBRARY_VERSION_STRING; }
