// server/slowlog.h — Redis's slow log: the last commands that ran longer than
// slowlog-log-slower-than microseconds (at most slowlog-max-len entries), newest first. Each
// entry also counts the STM retries the command took (its duration includes them).
//
// Thread-safety: every method may be called from any worker.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace stmkv {

struct SlowLogEntry {
  uint64_t id = 0;
  int64_t time_s = 0;          // unix time the command started
  int64_t duration_us = 0;
  std::vector<std::string> argv;   // trimmed as Redis: 32 arguments, 128 bytes each at most
  std::string addr;            // client "ip:port"
  std::string name;            // client name
  uint64_t retries = 0;        // STM retries (aborted attempts) of the command's transaction
};

class SlowLog {
 public:
  // Whether a command that ran duration_us is logged (threshold -1 logs nothing, 0 all).
  bool is_slow(int64_t duration_us) const {
    int64_t t = slower_than_.load(std::memory_order_relaxed);
    return t >= 0 && duration_us >= t;
  }
  // Adds an entry (argv trimmed as Redis does), dropping the oldest beyond max_len.
  void push(std::span<const std::string_view> argv, int64_t start_us, int64_t duration_us,
            uint64_t retries, std::string_view addr, std::string_view name);
  // The newest `count` entries (count < 0: all).
  std::vector<SlowLogEntry> get(int64_t count) const;
  size_t len() const;
  void reset();
  // Takes the thresholds from the configuration (slowlog-log-slower-than, slowlog-max-len).
  void configure(int64_t slower_than_us, int64_t max_len);
  bool configured() const { return configured_.load(std::memory_order_acquire); }

 private:
  mutable std::mutex mu_;
  std::deque<SlowLogEntry> entries_;   // newest first
  uint64_t next_id_ = 0;
  std::atomic<int64_t> slower_than_{10000};
  std::atomic<int64_t> max_len_{128};
  std::atomic<bool> configured_{false};
};

}  // namespace stmkv
