// MPI runs (see celltrial/engine/mpi_run.hpp). The MPI code is compiled only when the build
// defines CELLTRIAL_WITH_MPI (cmake -DCELLTRIAL_MPI=ON); otherwise only the stubs at the end are.
#include "celltrial/engine/mpi_run.hpp"

#include <memory>

#include "celltrial/model/model.hpp"

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "celltrial/core/error.hpp"
#include "celltrial/scenario/io.hpp"

#if CELLTRIAL_WITH_MPI
#include <mpi.h>
#endif

namespace celltrial::mpi {

namespace {
int env_int(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return -1;
  char* end = nullptr;
  const long x = std::strtol(v, &end, 10);
  return (*end == '\0' && x >= 0 && x < 1000000) ? static_cast<int>(x) : -1;
}
}  // namespace

int launched_size() {
  // OpenMPI; MPICH/Intel MPI (Hydra) and Slurm PMI; PMIx without a size (counted as launched).
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MPI_LOCALNRANKS"})
    if (const int n = env_int(name); n >= 1) return n;
  if (env_int("PMIX_RANK") >= 0) return 1;
  return 0;
}

#if CELLTRIAL_WITH_MPI

bool built_with_mpi() { return true; }

namespace {
enum Command : std::uint64_t { kScenario = 1, kRun = 2, kFinish = 3 };
enum Status : std::uint64_t { kOk = 0, kInterrupted = 1, kFailed = 2 };

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) {
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, msg, &len);
    throw Error(ExitCode::software,
                std::string("MPI: ") + what + " failed: " + std::string(msg, static_cast<std::size_t>(len)));
  }
}

int affinity_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
  return CPU_COUNT(&set);
}
}  // namespace

struct Session::Impl final : ChunkRunner {
  MPI_Comm comm = MPI_COMM_NULL;
  int rank = 0, size = 1, node_ranks = 1;
  bool finished = false;
  std::uint64_t hash = 0;
  std::unique_ptr<Model> model;

  /// This rank's part of r, computed; the accumulator state as JSON text, or an error message.
  std::pair<Status, std::string> compute(const Scenario& s, TrialRange r, EngineOptions opt) {
    try {
      const TrialRange part = split_range(r, static_cast<std::uint64_t>(rank) + 1, static_cast<std::uint64_t>(size));
      opt.first_trial = part.first;
      opt.last_trial = part.last;
      if (!model || &model->scenario() != &s) model = std::make_unique<Model>(s);  // built once per run
      const Accumulator acc = part.size() ? run_trials(*model, opt)
                                          : make_accumulator(*model);
      return {kOk, acc.state().dump()};
    } catch (const Error& e) {
      return {e.code() == ExitCode::interrupted ? kInterrupted : kFailed, e.what()};
    } catch (const std::exception& e) {
      return {kFailed, e.what()};
    }
  }

  /// Gathers every rank's (status, text) on rank 0, in rank order.
  std::vector<std::pair<Status, std::string>> gather(const std::pair<Status, std::string>& mine) {
    const std::uint64_t head[2] = {mine.first, mine.second.size()};
    std::vector<std::uint64_t> heads(rank == 0 ? 2 * static_cast<std::size_t>(size) : 0);
    check(MPI_Gather(head, 2, MPI_UINT64_T, heads.data(), 2, MPI_UINT64_T, 0, comm), "MPI_Gather");
    std::vector<int> counts, displs;
    std::string all;
    if (rank == 0) {
      std::size_t total = 0;
      for (int r = 0; r < size; ++r) {
        counts.push_back(static_cast<int>(heads[2 * static_cast<std::size_t>(r) + 1]));
        displs.push_back(static_cast<int>(total));
        total += heads[2 * static_cast<std::size_t>(r) + 1];
      }
      all.resize(total);
    }
    check(MPI_Gatherv(mine.second.data(), static_cast<int>(mine.second.size()), MPI_CHAR, all.data(), counts.data(),
                      displs.data(), MPI_CHAR, 0, comm),
          "MPI_Gatherv");
    std::vector<std::pair<Status, std::string>> out;
    for (int r = 0; r < static_cast<int>(counts.size()); ++r)
      out.emplace_back(static_cast<Status>(heads[2 * static_cast<std::size_t>(r)]),
                       all.substr(static_cast<std::size_t>(displs[static_cast<std::size_t>(r)]),
                                  static_cast<std::size_t>(counts[static_cast<std::size_t>(r)])));
    return out;
  }

  void broadcast(std::uint64_t cmd, std::uint64_t a, std::uint64_t b) {
    std::uint64_t msg[4] = {cmd, a, b, hash};
    check(MPI_Bcast(msg, 4, MPI_UINT64_T, 0, comm), "MPI_Bcast");
  }

  Accumulator run(const Scenario& s, TrialRange r, const EngineOptions& opt) override {
    broadcast(kRun, r.first, r.last);
    const auto replies = gather(compute(s, r, opt));
    bool interrupted = false;
    for (int k = 0; k < size; ++k) {
      const auto& [status, text] = replies[static_cast<std::size_t>(k)];
      if (status == kFailed) throw Error(ExitCode::software, "MPI rank " + std::to_string(k) + " failed: " + text);
      interrupted = interrupted || status == kInterrupted;
    }
    if (interrupted) throw Error(ExitCode::interrupted, "interrupted");
    Accumulator total = make_accumulator(*model);  // rank 0's compute() succeeded, so it built the model for s
    for (const auto& reply : replies) total.merge(Accumulator::from_state(nlohmann::json::parse(reply.second)));  // rank order
    return total;
  }
  int workers() const override { return size; }
};

Session::Session() : impl_(std::make_unique<Impl>()) {
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised) {
    int provided = 0;
    // Rank 0 calls MPI from the thread that runs the batch, one call at a time.
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread");
    if (provided < MPI_THREAD_SERIALIZED) {
      MPI_Finalize();
      throw Error(ExitCode::software, "this MPI library cannot be called from a second thread (MPI_THREAD_SERIALIZED)");
    }
  }
  check(MPI_Comm_dup(MPI_COMM_WORLD, &impl_->comm), "MPI_Comm_dup");
  MPI_Comm_rank(impl_->comm, &impl_->rank);
  MPI_Comm_size(impl_->comm, &impl_->size);
  MPI_Comm node = MPI_COMM_NULL;
  if (MPI_Comm_split_type(impl_->comm, MPI_COMM_TYPE_SHARED, impl_->rank, MPI_INFO_NULL, &node) == MPI_SUCCESS) {
    MPI_Comm_size(node, &impl_->node_ranks);
    MPI_Comm_free(&node);
  }
}

Session::~Session() {
  if (impl_->rank == 0 && !impl_->finished) {
    try {
      finish(static_cast<int>(ExitCode::software));
    } catch (...) {
    }
  }
  MPI_Comm_free(&impl_->comm);
  MPI_Finalize();
}

int Session::rank() const { return impl_->rank; }
int Session::size() const { return impl_->size; }
int Session::ranks_on_node() const { return impl_->node_ranks; }
int Session::allowed_cpus() const { return affinity_cpus(); }

int Session::default_threads() const {
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int threads = std::max(1, hw / std::max(1, impl_->node_ranks));
  if (const int allowed = affinity_cpus(); allowed > 0) threads = std::min(threads, allowed);
  return std::max(1, threads);
}

void Session::start(const Scenario& s) {
  CELLTRIAL_ASSERT(impl_->rank == 0);
  const std::string yaml = to_yaml(s);
  impl_->hash = scenario_hash(s);
  impl_->broadcast(kScenario, yaml.size(), 0);
  std::string copy = yaml;
  check(MPI_Bcast(copy.data(), static_cast<int>(copy.size()), MPI_CHAR, 0, impl_->comm), "MPI_Bcast");
}

ChunkRunner& Session::runner() { return *impl_; }

void Session::finish(int exit_code) {
  CELLTRIAL_ASSERT(impl_->rank == 0);
  if (impl_->finished) return;
  impl_->finished = true;
  impl_->broadcast(kFinish, static_cast<std::uint64_t>(exit_code), 0);
}

int Session::serve(int threads, const std::atomic<bool>* stop) {
  CELLTRIAL_ASSERT(impl_->rank != 0);
  Impl& m = *impl_;
  Scenario s;
  std::string load_error = "rank 0 sent no scenario";
  bool loaded = false;
  try {
    for (;;) {
      std::uint64_t msg[4];
      check(MPI_Bcast(msg, 4, MPI_UINT64_T, 0, m.comm), "MPI_Bcast");
      if (msg[0] == kFinish) return static_cast<int>(msg[1]);
      if (msg[0] == kScenario) {
        std::string yaml(msg[1], '\0');
        check(MPI_Bcast(yaml.data(), static_cast<int>(yaml.size()), MPI_CHAR, 0, m.comm), "MPI_Bcast");
        try {
          s = load_scenario_text(yaml, "scenario sent by MPI rank 0");
          loaded = scenario_hash(s) == msg[3];
          if (!loaded)
            load_error = "the scenario sent by rank 0 reads back differently on rank " + std::to_string(m.rank);
        } catch (const std::exception& e) {
          load_error = e.what();
        }
        continue;
      }
      if (msg[0] == kRun) {
        std::pair<Status, std::string> reply{kFailed, load_error};
        if (loaded) {
          EngineOptions opt;
          opt.threads = threads;
          opt.stop = stop;
          reply = m.compute(s, TrialRange{msg[1], msg[2]}, opt);
        }
        m.gather(reply);
      }
    }
  } catch (const std::exception&) {
    // A failed MPI call: nothing can be reported to rank 0 any more; end this rank's part.
    MPI_Abort(m.comm, static_cast<int>(ExitCode::software));
  }
  return static_cast<int>(ExitCode::software);
}

#else  // built without MPI

bool built_with_mpi() { return false; }

struct Session::Impl {};

Session::Session() {
  throw Error(ExitCode::usage, Diagnostic{{"celltrial", 0, 0},
                                          "",
                                          "this celltrial was built without MPI.",
                                          "build it with cmake -DCELLTRIAL_MPI=ON (see docs/cluster.md)."});
}
Session::~Session() = default;
int Session::rank() const { return 0; }
int Session::size() const { return 1; }
int Session::ranks_on_node() const { return 1; }
int Session::allowed_cpus() const { return 0; }
int Session::default_threads() const { return 1; }
void Session::start(const Scenario&) {}
ChunkRunner& Session::runner() {
  CELLTRIAL_ASSERT(false);
  std::abort();
}
void Session::finish(int) {}
int Session::serve(int, const std::atomic<bool>*) { return static_cast<int>(ExitCode::software); }

#endif

}  // namespace celltrial::mpi
