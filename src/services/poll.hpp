#pragma once
// Runs a service's work on a thread of its own while the calling thread polls the host's
// callbacks: stop requests become the work's stop flag, and messages the work posts (from any
// thread) reach callbacks.log on the calling thread. Private to the services layer.
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "celltrial/services/callbacks.hpp"

namespace celltrial::services {

class Poller {
 public:
  explicit Poller(const Callbacks& cb) : cb_(cb) {}
  /// The flag the work checks.
  const std::atomic<bool>* stop() const { return &stop_; }
  const std::atomic<bool>& stop_flag() const { return stop_; }
  /// A log function for the work: thread-safe, delivered on the calling thread.
  std::function<void(const std::string&)> log() {
    if (!cb_.log) return {};
    return [this](const std::string& line) {
      std::lock_guard<std::mutex> lock(mutex_);
      pending_.push_back(line);
    };
  }
  /// Runs `work` (returning T) to its end; between polls `tick` runs on this thread (e.g. a progress
  /// report). Rethrows the work's exception.
  template <class Work, class Tick>
  auto run(Work work, Tick tick) {
    if (cb_.stop_requested()) stop_.store(true);  // a request made before the work starts
    auto fut = std::async(std::launch::async, std::move(work));
    const auto interval = std::chrono::milliseconds(static_cast<long>(1000 * std::max(0.01, cb_.progress_interval)));
    while (fut.wait_for(interval) != std::future_status::ready) {
      if (!stop_.load() && cb_.stop_requested()) stop_.store(true);
      deliver();
      tick();
    }
    deliver();
    return fut.get();
  }
  template <class Work>
  auto run(Work work) {
    return run(std::move(work), [] {});
  }

 private:
  void deliver() {
    std::vector<std::string> lines;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      lines.swap(pending_);
    }
    for (const auto& l : lines) cb_.say(l);
  }
  const Callbacks& cb_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<std::string> pending_;
};

}  // namespace celltrial::services
