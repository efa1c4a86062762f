#pragma once
// Spreading a run over MPI ranks (build with -DCELLTRIAL_MPI=ON; plain MPI C API, so OpenMPI and
// MPICH both work).
//
// Rank 0 runs the batch loop of engine/batch.hpp with the runner below: each chunk of trials is
// split into R contiguous parts, rank r computes part r+1 of R with its own oneTBB threads, and
// rank 0 gathers the accumulators and merges them in rank order. The other ranks only compute
// what rank 0 sends them, using the scenario rank 0 sends, and never write files. Because every
// sum is exact, the result is bit-identical to one process for any number of ranks.
#include <atomic>
#include <memory>

#include "celltrial/engine/batch.hpp"

namespace celltrial::mpi {

/// True when this celltrial was built with MPI (-DCELLTRIAL_MPI=ON).
bool built_with_mpi();

/// Number of processes an MPI launcher (mpirun, mpiexec, srun with PMI) started this process
/// among, read from the launcher's environment; 0 when it was not started by one.
int launched_size();

/// MPI for the duration of one command: initialised on construction, finalised on destruction.
class Session {
 public:
  /// Throws Error(ExitCode::usage) in a build without MPI.
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  int rank() const;
  int size() const;
  /// Ranks on this node.
  int ranks_on_node() const;
  /// CPUs this rank may run on (its affinity mask; mpirun may bind a rank to one core).
  int allowed_cpus() const;
  /// Threads per rank when --threads is not given: the node's cores shared among its ranks, but
  /// no more than the CPUs this rank may run on; at least 1.
  int default_threads() const;

  // Rank 0.
  /// Sends the scenario to the other ranks; `runner()` then spreads each range over all ranks.
  void start(const Scenario& s);
  ChunkRunner& runner();
  /// Ends the other ranks' serve() with this exit code. Called once; the destructor calls it
  /// with ExitCode::software if rank 0 never did.
  void finish(int exit_code);

  // Other ranks.
  /// Computes the parts rank 0 sends, with `threads` threads, until rank 0 finishes; returns
  /// rank 0's exit code. Never throws: problems are reported to rank 0, which reports them.
  int serve(int threads, const std::atomic<bool>* stop);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace celltrial::mpi
